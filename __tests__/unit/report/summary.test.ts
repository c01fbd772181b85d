import type { Plan } from '../../../src/model/plan.js'
import { renderSummary, type SummaryData } from '../../../src/report/summary.js'
import { planJson, renderPlanText } from '../../../src/report/plan-text.js'
import { fingerprint } from '../../../src/model/redact.js'

/*
 * The rendered summary is committed as Jest snapshots (__snapshots__/summary.test.ts.snap): a change to
 * what people read after a deploy is a reviewed change. `npx jest -u <this file>` rewrites them; under CI
 * (CI=true, or --ci as .ci/run passes) a missing snapshot fails instead of being written.
 */

const region = 'ap-northeast-1'
const lbArn = `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/app/alb-demo/50dc6c495c0c9188`
const tgArn = `arn:aws:elasticloadbalancing:${region}:123456789012:targetgroup/default/73e2d6bc24d8a067`

const imageChangePlan: Plan = {
  changed: true,
  warnings: [
    'service.loadBalancers[0].targetGroupArn was arn:aws:elasticloadbalancing:ap-northeast-1:xxxxxxxxxxxx:targetgroup/default/zzzzzzzzzzzzzzzz; using the managed target group ' +
      tgArn
  ],
  steps: [
    {
      resource: 'load-balancer',
      name: 'alb-demo',
      action: 'none',
      changes: [],
      arn: lbArn,
      calls: [],
      operations: []
    },
    {
      resource: 'target-group',
      name: 'default',
      action: 'none',
      changes: [],
      arn: tgArn,
      calls: [],
      operations: []
    },
    { resource: 'listener', name: 'HTTP:80', action: 'none', changes: [], calls: [], operations: [] },
    {
      resource: 'task-definition',
      name: 'ecscompose-ecs-app',
      action: 'update',
      reason: 'differs from the latest ACTIVE revision (22): a new revision is registered',
      calls: ['RegisterTaskDefinition'],
      operations: [],
      changes: [
        { field: 'containerDefinitions[app].image', from: 'inokara/ecs-app:1.0', to: 'inokara/ecs-app:1.1' },
        // As planTaskDefinition hands them over: redactTaskDefinition turned the values into fingerprints.
        {
          field: 'containerDefinitions[app].environment[DB_PASSWORD].value',
          from: fingerprint('hunter2'),
          to: fingerprint('hunter3')
        }
      ]
    },
    {
      resource: 'service',
      name: 'ecs-simple-service-elb',
      action: 'update',
      calls: ['UpdateService'],
      operations: [],
      changes: [
        {
          field: 'taskDefinition',
          from: `arn:aws:ecs:${region}:123456789012:task-definition/ecscompose-ecs-app:22`,
          to: '(new revision)'
        }
      ]
    }
  ]
}

const base: SummaryData = {
  cluster: 'ecs-demo',
  serviceName: 'ecs-simple-service-elb',
  region,
  outcome: 'success',
  plan: imageChangePlan,
  applied: {
    loadBalancerArn: lbArn,
    dnsName: 'alb-demo-1234567890.ap-northeast-1.elb.amazonaws.com',
    url: 'http://alb-demo-1234567890.ap-northeast-1.elb.amazonaws.com',
    targetGroupArn: tgArn,
    listenerArn: `arn:aws:elasticloadbalancing:${region}:123456789012:listener/app/alb-demo/50dc6c495c0c9188/f2f7dc8efc522ab2`,
    serviceArn: `arn:aws:ecs:${region}:123456789012:service/ecs-demo/ecs-simple-service-elb`,
    taskDefinitionArn: `arn:aws:ecs:${region}:123456789012:task-definition/ecscompose-ecs-app:23`,
    deploymentId: 'ecs-svc/1234567890123456789'
  },
  targets: [
    {
      targetGroupArn: tgArn,
      descriptions: [
        { Target: { Id: 'i-0a1b2c3d4e5f60001', Port: 32768 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-0a1b2c3d4e5f60002', Port: 32771 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: 'i-0a1b2c3d4e5f60001', Port: 32769 },
          TargetHealth: {
            State: 'draining',
            Reason: 'Target.DeregistrationInProgress',
            Description: 'Target deregistration is in progress'
          }
        }
      ]
    }
  ],
  timeline: [
    { atMs: 0, line: '0/2 healthy · deployment IN_PROGRESS · running 0/2' },
    {
      atMs: 41000,
      line: '0/2 healthy · 2 initial (Elb.InitialHealthChecking) · deployment IN_PROGRESS · running 2/2'
    },
    { atMs: 98000, line: '2/2 healthy · deployment COMPLETED · running 2/2' }
  ],
  timings: [
    { stage: 'inputs', ms: 12 },
    { stage: 'discover', ms: 410 },
    { stage: 'plan', ms: 3 },
    { stage: 'apply', ms: 820 },
    { stage: 'watch', ms: 98000 }
  ]
}

describe('job summary', () => {
  test('success: plan, URL, target health, links, timeline and timings', () => {
    const md = renderSummary(base)
    expect(md).toContain('**URL:** http://alb-demo-1234567890')
    expect(md).toContain('| target-group | default | none | — |')
    expect(md).toContain('#TargetGroup:targetGroupArn=' + tgArn)
    expect(md).toMatchSnapshot()
  })

  test('failure: the diagnosis comes first, then the rollback, then the rest', () => {
    const md = renderSummary({
      ...base,
      outcome: 'failure',
      failure: {
        title: 'Targets fail their health check: GET /health answered 404; the matcher expects 200',
        details: [
          'target group default checks HTTP GET /health on traffic-port every 30 s, unhealthy after 3 failures',
          '2 tasks were stopped by ECS: Task failed ELB health checks in (target-group ' + tgArn + ')',
          'check: does the app serve /health? (the seed app serves /hostname)'
        ]
      },
      rollback: 'succeeded: the service runs ecscompose-ecs-app:22 again, all targets healthy'
    })
    const first = md.indexOf('[!CAUTION]')
    expect(first).toBeGreaterThan(0)
    expect(first).toBeLessThan(md.indexOf('### Plan'))
    expect(md.indexOf('**Rollback:**')).toBeLessThan(md.indexOf('### Plan'))
    expect(md).toMatchSnapshot()
  })

  test('secret values never appear, in the summary, the log plan or the plan output', () => {
    const texts = [renderSummary(base), renderPlanText(imageChangePlan), planJson(imageChangePlan)]
    for (const t of texts) {
      expect(t).not.toContain('hunter2')
      expect(t).not.toContain('hunter3')
      expect(t).toContain('DB_PASSWORD')
    }
  })

  test('table cells cannot be broken by pipes or HTML in names', () => {
    const md = renderSummary({ ...base, serviceName: 'a|b<script>' })
    expect(md).toContain('a\\|b&lt;script&gt;')
    expect(md).not.toContain('<script>')
  })
})
