import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseRequest, withDefaults, type RawInputs } from '../../src/inputs/index.js'
import { applyPreview } from '../../src/inputs/preview.js'
import { CATCH_ALL_PRIORITY, alternateTargetGroupName } from '../../src/model/deployment-strategy.js'
import { SEED_INPUTS, SEED_SERVICE } from '../fixtures/bad-inputs.js'

const cwd = mkdtempSync(path.join(tmpdir(), 'inputs-bg-'))
const parse = (raw: Partial<RawInputs>) =>
  parseRequest(withDefaults(raw), { cwd, env: {}, setSecret: () => {} })
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers'
const blueGreen = (deploymentConfiguration: Record<string, unknown>, more: Partial<RawInputs> = {}) => ({
  ...SEED_INPUTS,
  service: JSON.stringify({
    ...SEED_SERVICE,
    role: undefined,
    deploymentConfiguration,
    loadBalancers: [{ containerName: 'app', containerPort: 4567, advancedConfiguration: { roleArn: ROLE } }]
  }),
  ...more
})

describe('blue/green inputs', () => {
  test('a BLUE_GREEN service gets a catch-all production rule, evaluated after every other rule', () => {
    const request = parse(blueGreen({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 }))
    expect(request.listenerRule).toEqual({
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Priority: CATCH_ALL_PRIORITY,
      priorityRange: [CATCH_ALL_PRIORITY, CATCH_ALL_PRIORITY]
    })
    expect(request.waitUntil).toBe('complete')
    expect(request.testListener).toBeUndefined()
  })

  test('a listener-rule input is the production rule itself', () => {
    const request = parse(
      blueGreen(
        { strategy: 'LINEAR', linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 } },
        {
          listenerRule: '{"Conditions": [{"Field": "path-pattern", "Values": ["/app/*"]}]}'
        }
      )
    )
    expect(request.listenerRule?.Priority).toBeUndefined()
    expect(request.listenerRule?.Conditions).toEqual([{ Field: 'path-pattern', Values: ['/app/*'] }])
  })

  test('test-listener, wait-until and promote are read', () => {
    const request = parse(
      blueGreen(
        { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10.5, canaryBakeTimeInMinutes: 0 } },
        {
          testListener: '{"Port": 9000, "Protocol": "HTTP"}',
          waitUntil: 'POST_TEST_TRAFFIC_SHIFT',
          promote: 'continue'
        }
      )
    )
    expect(request.testListener).toEqual({ Port: 9000, Protocol: 'HTTP' })
    expect(request.waitUntil).toBe('POST_TEST_TRAFFIC_SHIFT')
    expect(request.promote).toBe('continue')
  })

  test('a preview of a blue/green service deploys ROLLING, without test listener or infrastructure role', () => {
    const base = parse(
      blueGreen(
        {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 5,
          lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
        },
        { testListener: '{"Port": 9000, "Protocol": "HTTP"}' }
      )
    )
    const preview = applyPreview(base, { id: 'pr-7', routing: 'path', hostTemplate: '' })
    expect(preview.service.deploymentConfiguration).toEqual({ strategy: 'ROLLING' })
    expect(preview.service.loadBalancers).toEqual([{ containerName: 'app', containerPort: 4567 }])
    expect(preview.testListener).toBeUndefined()
    expect(preview.listenerRule?.Conditions).not.toEqual(base.listenerRule?.Conditions)
  })

  test.each([
    ['web', 'web-alt'],
    ['a-target-group-name-of-32-chars-', expect.stringMatching(/^a-target-group-name-of-32-[0-9a-f]{6}$/)],
    ['x'.repeat(32), expect.stringMatching(/^x{25}-[0-9a-f]{6}$/)]
  ])('alternate target group of %s is %s, within 32 characters', (primary, alternate) => {
    const name = alternateTargetGroupName(primary)
    expect(name).toEqual(alternate)
    expect(name.length).toBeLessThanOrEqual(32)
    expect(alternateTargetGroupName(primary)).toBe(name)
  })

  test('promote needs only the cluster and the service file (the second job of the gate)', () => {
    const service = JSON.stringify({
      serviceName: 'web',
      deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 },
      loadBalancers: [{ containerName: 'app', containerPort: 4567, advancedConfiguration: { roleArn: ROLE } }]
    })
    const request = parse({ cluster: 'ecs-demo', service, promote: 'rollback' })
    expect(request.promote).toBe('rollback')
    expect(request.service.serviceName).toBe('web')
  })
})
