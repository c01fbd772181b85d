/**
 * Job summaries as a deploy produces them (an image change behind an existing ALB; a health-check failure
 * whose rollback did not come back; a dry run; a teardown; a preview), for the summary's tests and for
 * scripts/render-summary.ts, which renders them for a person to look at.
 */
import type { Plan } from '../src/model/plan.js'
import type { SummaryData } from '../src/report/summary.js'
import { fingerprint } from '../src/model/redact.js'
import { formatDiagnosis } from '../src/watch/format.js'
import type { Diagnosis } from '../src/watch/types.js'

export const region = 'ap-northeast-1'
export const lbArn = `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/app/alb-demo/50dc6c495c0c9188`
export const tgArn = `arn:aws:elasticloadbalancing:${region}:123456789012:targetgroup/default/73e2d6bc24d8a067`

export const imageChangePlan: Plan = {
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

export const base: SummaryData = {
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

export const listenerArn = `arn:aws:elasticloadbalancing:${region}:123456789012:listener/app/alb-demo/50dc6c495c0c9188/f2f7dc8efc522ab2`
export const redirectArn = `arn:aws:elasticloadbalancing:${region}:123456789012:listener/app/alb-demo/50dc6c495c0c9188/0a0b0c0d0e0f0a0b`
export const deployDiagnosis: Diagnosis = {
  kind: 'health-check',
  title: 'Targets fail the load balancer health check',
  cause: 'GET /health answered 404; the matcher expects 200',
  evidence: [
    'target i-0a1b2c3d4e5f60001:32768 unhealthy: Target.ResponseCodeMismatch (404)',
    'task 3f1c stopped: Task failed ELB health checks in (target-group default)'
  ],
  hint: 'does the app serve /health? (the seed app serves /hostname)'
}
// What the rollback's own watch saw: one observation again, one new.
export const rollbackDiagnosis: Diagnosis = {
  ...deployDiagnosis,
  evidence: [
    deployDiagnosis.evidence[0],
    'service event: (service ecs-simple-service-elb) is unable to place a task'
  ]
}
export const rollbackSummary = `did not succeed: ${formatDiagnosis(rollbackDiagnosis)}`
/** The message as RolloutFailed carries it: the diagnosis, then the "Rollback …" line and its diagnosis. */
export const rolloutMessage = `${formatDiagnosis(deployDiagnosis)}\nRollback ${rollbackSummary}`
const [title, ...details] = rolloutMessage.split('\n')
export const failedRollback: SummaryData = {
  ...base,
  outcome: 'failure',
  // What the watch saw last: the new tasks' targets failing the check, the old ones drained.
  targets: [
    {
      targetGroupArn: tgArn,
      descriptions: [
        {
          Target: { Id: 'i-0a1b2c3d4e5f60001', Port: 32768 },
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.ResponseCodeMismatch',
            Description: 'Health checks failed with these codes: [404]'
          }
        },
        {
          Target: { Id: 'i-0a1b2c3d4e5f60002', Port: 32771 },
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.ResponseCodeMismatch',
            Description: 'Health checks failed with these codes: [404]'
          }
        }
      ]
    }
  ],
  timeline: [
    { atMs: 0, line: '0/2 healthy · deployment IN_PROGRESS · running 0/2' },
    { atMs: 38000, line: '0/2 healthy · 2 unhealthy (Target.ResponseCodeMismatch) · running 2/2' },
    { atMs: 131000, line: 'rollback: service back on ecscompose-ecs-app:22 · 0/2 healthy' }
  ],
  timings: base.timings.map(t => (t.stage === 'watch' ? { ...t, ms: 184000 } : t)),
  // The message as RolloutFailed carries it: the diagnosis, then the "Rollback …" line and its diagnosis.
  failure: { title, details },
  rollback: rollbackSummary,
  rolledBack: {
    ok: false,
    restored: [
      'service ecs-simple-service-elb runs ecscompose-ecs-app:22',
      'target group default: HealthCheckPath /'
    ],
    kept: ['registered ecscompose-ecs-app:23: kept for inspection']
  }
}

export const ruleArn = `arn:aws:elasticloadbalancing:${region}:123456789012:listener-rule/app/alb-demo/50dc6c495c0c9188/f2f7dc8efc522ab2/9d0e1f2a3b4c5d6e`

export const teardownBase: SummaryData = {
  ...base,
  serviceName: 'web-pr-7',
  action: 'teardown',
  plan: undefined,
  applied: undefined,
  targets: undefined,
  timeline: undefined,
  timings: [
    { stage: 'inputs', ms: 9 },
    { stage: 'teardown', ms: 2300 }
  ]
}
export const removedByTeardown = [
  'service web-pr-7',
  `listener rule ${ruleArn} (priority 1007)`,
  'target group web-pr-7',
  'task definition web-pr-7:3'
]

/** One of each kind a person meets, by file name. */
export const summaryExamples: Record<string, SummaryData> = {
  success: { ...base, applied: { ...base.applied, listenerArn, redirectListenerArn: redirectArn } },
  'failure-rollback': failedRollback,
  'dry-run': {
    ...base,
    outcome: 'dry-run',
    applied: undefined,
    targets: undefined,
    timeline: undefined,
    timings: base.timings.filter(t => ['inputs', 'discover', 'plan'].includes(t.stage))
  },
  teardown: { ...teardownBase, removed: removedByTeardown },
  preview: {
    ...base,
    serviceName: 'ecs-simple-service-elb-pr-7',
    preview: 'pr-7',
    plan: undefined,
    timeline: undefined,
    applied: {
      ...base.applied,
      url: 'https://pr-7.preview.example.com/',
      listenerArn,
      listenerRuleArn: ruleArn
    }
  }
}
