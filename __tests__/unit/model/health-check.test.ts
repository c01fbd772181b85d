import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  describeHealthCheck,
  explainHealthFailure,
  failedCodes,
  healthCheckCycleMs,
  healthFailureFromEvent,
  sameTargetGroup,
  type HealthFailure
} from '../../../src/model/health-check.js'
import { TG, tgSettings } from '../watch/fixtures.js'

describe('explainHealthFailure', () => {
  test.each<[string, TargetGroup | undefined, HealthFailure, RegExp, RegExp]>([
    [
      'wrong path: the codes come from the description, the matcher from the settings',
      tgSettings,
      { reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [404]' },
      /^GET \/healthz answered 404; the matcher expects 200$/,
      /HealthCheckPath \/ Matcher/
    ],
    [
      'several codes and a matcher range',
      { ...tgSettings, HealthCheckPath: '/status', Matcher: { HttpCode: '200-299' } },
      {
        reason: 'Target.ResponseCodeMismatch',
        description: 'Health checks failed with these codes: [502, 503]'
      },
      /^GET \/status answered 502,503; the matcher expects 200-299$/,
      /answer 200-299 on \/status/
    ],
    [
      'timeout: the security group and the listening port',
      tgSettings,
      { reason: 'Target.Timeout', description: 'Request timed out', healthCheckPort: '8080' },
      /GET \/healthz on port 8080 got no answer within 5 s/,
      /^check that the task's security group admits the load balancer on port 8080 and that the app listens on it$/
    ],
    [
      'connection refused',
      tgSettings,
      { reason: 'Target.FailedHealthChecks', description: 'Health checks failed', healthCheckPort: '4567' },
      /^connection refused or reset: is the app listening on 4567\? is the health check port right\?$/,
      /0\.0\.0\.0:4567/
    ],
    [
      'no port on the target: the traffic port of the target group',
      tgSettings,
      { reason: 'Target.FailedHealthChecks' },
      /listening on 80 \(traffic-port\)/,
      /traffic-port/
    ],
    [
      'a fixed health-check port',
      { ...tgSettings, HealthCheckPort: '9000' },
      { reason: 'Target.Timeout' },
      /on port 9000/,
      /port 9000/
    ],
    [
      'a fixed port, connection refused: the fixed port is named, not the traffic port the target reports',
      { ...tgSettings, HealthCheckPort: '8081' },
      { reason: 'Target.FailedHealthChecks', description: 'Health checks failed', healthCheckPort: '32768' },
      /^connection refused or reset: is the app listening on 8081\? /,
      /^the target group checks fixed port 8081, not the port each task serves on: set HealthCheckPort to traffic-port .*0\.0\.0\.0:8081/
    ],
    [
      'a fixed port, timeout: the fixed port is named and suspected first',
      { ...tgSettings, HealthCheckPort: '8081' },
      { reason: 'Target.Timeout', description: 'Request timed out', healthCheckPort: '32768' },
      /^GET \/healthz on port 8081 got no answer within 5 s$/,
      /^the target group checks fixed port 8081, not the port each task serves on: set HealthCheckPort to traffic-port .*admits the load balancer on port 8081 /
    ],
    [
      'a fixed port, wrong code: the port is named, the fixed-port hint is not (the port answered)',
      { ...tgSettings, HealthCheckPort: '8081' },
      {
        reason: 'Target.ResponseCodeMismatch',
        description: 'Health checks failed with these codes: [404]',
        healthCheckPort: '32768'
      },
      /^GET \/healthz answered 404; the matcher expects 200$/,
      /^make the app answer 200 on \/healthz \(port 8081\), or set/
    ],
    [
      'settings unknown: still says something useful',
      undefined,
      { reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [301]' },
      /^GET \/ answered 301; the matcher expects 200$/,
      /answer 200/
    ],
    [
      'unused target group',
      tgSettings,
      { reason: 'Target.NotInUse' },
      /not used by any listener/,
      /listener or rule/
    ],
    [
      'an unknown reason is quoted',
      tgSettings,
      { reason: 'Elb.InternalError', description: 'internal' },
      /\(Elb\.InternalError: internal\)/,
      /security group/
    ]
  ])('%s', (_name, settings, failure, cause, hint) => {
    const explained = explainHealthFailure(settings, failure)
    expect(explained.cause).toMatch(cause)
    expect(explained.hint).toMatch(hint)
  })
})

describe('healthFailureFromEvent', () => {
  test.each<[string, string, string | undefined, string | undefined]>([
    [
      `(service web) (port 80) is unhealthy in (target-group ${TG}) due to (reason Health checks failed with these codes: [404]).`,
      'Target.ResponseCodeMismatch',
      'Health checks failed with these codes: [404]',
      '80'
    ],
    [
      `(service web) (instance i-0abc) (port 32768) is unhealthy in (target-group ${TG}) due to (reason Request timed out).`,
      'Target.Timeout',
      'Request timed out',
      '32768'
    ],
    [
      `(service web) (task 0123) (port 4567) is unhealthy in (target-group ${TG}) due to (reason Health checks failed).`,
      'Target.FailedHealthChecks',
      'Health checks failed',
      '4567'
    ]
  ])('%s', (message, reason, description, port) => {
    expect(healthFailureFromEvent(message)).toEqual({
      targetGroup: TG,
      failure: { reason, description, healthCheckPort: port }
    })
  })

  test('the older wording names the target group without parentheses', () => {
    expect(
      healthFailureFromEvent(
        'service my-service (port 8081) is unhealthy in target-group web due to (reason Health checks failed with these codes: [502]).'
      )
    ).toEqual({
      targetGroup: 'web',
      failure: {
        reason: 'Target.ResponseCodeMismatch',
        description: 'Health checks failed with these codes: [502]',
        healthCheckPort: '8081'
      }
    })
    expect(sameTargetGroup('web', TG)).toBe(true)
    expect(sameTargetGroup(TG, TG)).toBe(true)
    expect(sameTargetGroup('api', TG)).toBe(false)
  })

  test('other events are not health failures', () => {
    expect(healthFailureFromEvent('(service web) has started 2 tasks: (task a) (task b).')).toBeUndefined()
    expect(healthFailureFromEvent('(service web) has reached a steady state.')).toBeUndefined()
  })
})

describe('health check settings', () => {
  test('one line naming protocol, path, port, matcher, interval × threshold', () => {
    expect(describeHealthCheck(tgSettings)).toBe(
      'web: HTTP GET /healthz on port traffic-port, matcher 200, every 10 s × 2 failures (timeout 5 s)'
    )
    expect(describeHealthCheck(undefined, TG)).toBe('web: health check settings unknown')
  })

  test.each<[TargetGroup | undefined, number]>([
    [tgSettings, 20_000],
    [{ ...tgSettings, HealthCheckIntervalSeconds: 30, UnhealthyThresholdCount: 3 }, 90_000],
    [undefined, 60_000]
  ])('a cycle is interval × unhealthy threshold (%#)', (settings, ms) => {
    expect(healthCheckCycleMs(settings)).toBe(ms)
  })

  test.each([
    ['Health checks failed with these codes: [404]', '404'],
    ['Health checks failed with these codes: [500, 503]', '500,503'],
    ['Request timed out', undefined],
    [undefined, undefined]
  ])('failedCodes(%p)', (description, codes) => {
    expect(failedCodes(description)).toBe(codes)
  })
})
