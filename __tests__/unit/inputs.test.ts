import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import {
  ACTION_DEFAULTS,
  INPUT_NAMES,
  InputError,
  parseRequest,
  readInputs,
  withDefaults,
  type RawInputs
} from '../../src/inputs/index.js'
import { toActionInputs, toInputEnv } from '../../test-support/inputs.js'
import type { DeployRequest } from '../../src/model/request.js'
import {
  SEED_PASTED_TG_ARN,
  seedAlb,
  seedRequest,
  seedService,
  seedTargetGroup,
  seedTaskDefinition
} from '../fixtures/seed.js'
import { fargateInputs, seedInputs } from '../../test-support/fixtures.js'

const repoRoot = path.resolve(import.meta.dirname, '../..')

/** The seed's files, byte for byte as the walkthrough wrote them (odd spacing included). */
const SEED_FILES = {
  'alb.json':
    '{\n    "Name": "alb-demo", \n    "Subnets": [\n        "subnet-12345678",\n        "subnet-abcdefgh"\n    ], \n    "SecurityGroups": [\n        "sg-12345678"\n    ] \n}\n',
  'target-group.json':
    '{\n    "Name": "default", \n    "Protocol": "HTTP", \n    "Port": 80, \n    "VpcId": "vpc-xxxxxxxx",\n    "HealthCheckPath": "/hostname", \n    "HealthCheckIntervalSeconds": 30, \n    "HealthCheckTimeoutSeconds": 15, \n    "HealthyThresholdCount": 3, \n    "UnhealthyThresholdCount": 3, \n    "Matcher": {\n        "HttpCode": "200"\n    }\n}\n',
  'ecs-simple-service-elb.json': `{\n    "serviceName": "ecs-simple-service-elb",\n    "taskDefinition": "ecscompose-ecs-app:22",\n    "loadBalancers": [\n        {\n            "targetGroupArn": "${SEED_PASTED_TG_ARN}",\n            "containerName": "app",\n            "containerPort": 4567\n        }\n    ],\n    "desiredCount": 2,\n    "role": "ecsServiceRole"\n}\n`
}

const workspace = mkdtempSync(path.join(tmpdir(), 'inputs-'))
mkdirSync(path.join(workspace, 'deploy'))
for (const [name, text] of Object.entries(SEED_FILES))
  writeFileSync(path.join(workspace, 'deploy', name), text)

const noSecrets = () => {}
const parse = (raw: Partial<RawInputs>, opts: { cwd?: string; setSecret?: (v: string) => void } = {}) =>
  parseRequest(withDefaults(raw), {
    cwd: opts.cwd ?? workspace,
    env: {},
    setSecret: opts.setSecret ?? noSecrets
  })

const errorOf = (fn: () => unknown): InputError => {
  try {
    fn()
  } catch (err) {
    if (err instanceof InputError) return err
    throw err
  }
  throw new Error('expected an InputError')
}

/**
 * What the seed's walk must become: the files unchanged, the cluster filled in, action.yml's defaults, the
 * service's task definition as a reference and no region (none given).
 */
const seedWalkRequest = (): DeployRequest =>
  seedRequest({
    region: undefined,
    service: { ...seedService(), cluster: 'ecs-demo' },
    taskDefinition: { kind: 'reference', ref: 'ecscompose-ecs-app:22' }
  })

describe('the seed walk', () => {
  const inline = Object.fromEntries(Object.entries(SEED_FILES).map(([k, v]) => [k, v]))
  test.each([
    ['inline', inline['alb.json'], inline['target-group.json'], inline['ecs-simple-service-elb.json']],
    ['relative paths', 'deploy/alb.json', 'deploy/target-group.json', 'deploy/ecs-simple-service-elb.json'],
    [
      'absolute paths',
      path.join(workspace, 'deploy/alb.json'),
      path.join(workspace, 'deploy/target-group.json'),
      path.join(workspace, 'deploy/ecs-simple-service-elb.json')
    ]
  ])('its files parse unchanged (%s)', (_how, loadBalancer, targetGroup, service) => {
    expect(parse({ cluster: 'ecs-demo', loadBalancer, targetGroup, service })).toEqual(seedWalkRequest())
  })

  test('relative paths resolve against GITHUB_WORKSPACE when no cwd is given', () => {
    const raw = withDefaults({
      cluster: 'ecs-demo',
      service: 'deploy/ecs-simple-service-elb.json',
      loadBalancer: 'deploy/alb.json',
      targetGroup: 'deploy/target-group.json'
    })
    const request = parseRequest(raw, { env: { GITHUB_WORKSPACE: workspace }, setSecret: noSecrets })
    expect(request).toEqual(seedWalkRequest())
  })

  test('the repository copy of the seed (examples/seed) parses, with its task definition file', () => {
    const request = parse(
      {
        cluster: 'ecs-demo',
        loadBalancer: 'examples/seed/alb.json',
        targetGroup: 'examples/seed/target-group.json',
        service: 'examples/seed/ecs-simple-service-elb.json',
        taskDefinition: 'examples/seed/task-definition.json'
      },
      { cwd: repoRoot }
    )
    expect(request.taskDefinition).toEqual({
      kind: 'register',
      input: seedTaskDefinition(),
      source: 'examples/seed/task-definition.json'
    })
    // The placeholder ARN the user pasted stays: the action replaces it with the managed target group's.
    expect(request.service.loadBalancers?.[0].targetGroupArn).toBe(SEED_PASTED_TG_ARN)
  })

  // The e2e suite runs dist/index.js with these fixtures: they must get past the inputs stage.
  const byInputName = (inputs: Record<string, string>): Partial<RawInputs> => {
    const keyOf = Object.fromEntries(Object.entries(INPUT_NAMES).map(([k, v]) => [v, k]))
    return Object.fromEntries(Object.entries(inputs).map(([name, v]) => [keyOf[name], v]))
  }
  test.each([
    ['seedInputs', seedInputs()],
    ['fargateInputs', fargateInputs()]
  ])('the e2e fixture %s parses', (_name, inputs) => {
    const request = parse(byInputName(inputs), { cwd: repoRoot })
    expect(request.cluster).toBe('ecs-demo')
    expect(request.wait.pollIntervalSeconds).toBe(1)
  })
})

describe('documents', () => {
  test.each([
    [
      'YAML block',
      'Name: default\nProtocol: HTTP\nPort: 80\nVpcId: vpc-xxxxxxxx\nHealthCheckPath: /hostname\nHealthCheckIntervalSeconds: 30\nHealthCheckTimeoutSeconds: 15\nHealthyThresholdCount: 3\nUnhealthyThresholdCount: 3\nMatcher:\n  HttpCode: "200"\n'
    ],
    [
      'YAML flow',
      '{Name: default, Protocol: HTTP, Port: 80, VpcId: vpc-xxxxxxxx, HealthCheckPath: /hostname, HealthCheckIntervalSeconds: 30, HealthCheckTimeoutSeconds: 15, HealthyThresholdCount: 3, UnhealthyThresholdCount: 3, Matcher: {HttpCode: "200"}}'
    ],
    ['JSON on one line', JSON.stringify(seedTargetGroup())]
  ])('inline %s', (_how, targetGroup) => {
    const request = parse({
      cluster: 'ecs-demo',
      loadBalancer: 'alb-demo',
      targetGroup,
      service: SEED_FILES['ecs-simple-service-elb.json']
    })
    expect(request.targetGroup).toEqual(seedTargetGroup())
  })

  test('a malformed file is reported with its path, line and column', () => {
    writeFileSync(
      path.join(workspace, 'deploy', 'broken.json'),
      '{\n  "Name": "default",\n  "Port": 80\n  "Protocol": "HTTP"\n}\n'
    )
    const e = errorOf(() =>
      parse({
        cluster: 'ecs-demo',
        loadBalancer: 'alb-demo',
        targetGroup: 'deploy/broken.json',
        service: SEED_FILES['ecs-simple-service-elb.json']
      })
    )
    expect(e.input).toBe('target-group')
    expect(e.message).toMatch(
      /^Input "target-group": deploy\/broken\.json is not valid JSON at line 4, column 3: /
    )
  })

  test('a malformed YAML file is reported with its path, line and column', () => {
    writeFileSync(path.join(workspace, 'deploy', 'broken.yml'), 'Name: default\nPort: 80\n  Protocol: HTTP\n')
    const e = errorOf(() =>
      parse({
        cluster: 'ecs-demo',
        loadBalancer: 'alb-demo',
        targetGroup: 'deploy/broken.yml',
        service: SEED_FILES['ecs-simple-service-elb.json']
      })
    )
    expect(e.message).toMatch(/deploy\/broken\.yml is not valid YAML at line \d, column \d+/)
  })

  test('a document that is not an object is refused', () => {
    const e = errorOf(() => parse({ cluster: 'ecs-demo', service: '[1, 2]' }))
    expect(e.message).toBe('Input "service": the inline value must hold a JSON/YAML object, got a list')
  })
})

describe('task definitions', () => {
  const described = {
    taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/ecscompose-ecs-app:22',
    ...seedTaskDefinition(),
    revision: 22,
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
    compatibilities: ['EC2'],
    registeredAt: '2024-01-01T00:00:00.000Z',
    registeredBy: 'arn:aws:iam::123456789012:user/me'
  }
  test.each([
    ['DescribeTaskDefinition output', { taskDefinition: described }, seedTaskDefinition()],
    ['its inner object', described, seedTaskDefinition()],
    [
      'output with tags',
      { taskDefinition: described, tags: [{ key: 'team', value: 'web' }] },
      { ...seedTaskDefinition(), tags: [{ key: 'team', value: 'web' }] }
    ]
  ])('%s is accepted, read-only fields dropped', (_how, doc, expected) => {
    const request = parse({
      cluster: 'ecs-demo',
      service: SEED_FILES['ecs-simple-service-elb.json'],
      loadBalancer: 'alb-demo',
      targetGroup: SEED_FILES['target-group.json'],
      taskDefinition: JSON.stringify(doc)
    })
    expect(request.taskDefinition).toEqual({ kind: 'register', input: expected, source: 'inline' })
  })

  test.each([
    ['ecscompose-ecs-app:22'],
    ['ecscompose-ecs-app'],
    ['arn:aws:ecs:ap-northeast-1:123456789012:task-definition/ecscompose-ecs-app:22']
  ])('%s is a reference', ref => {
    const request = parse({
      cluster: 'ecs-demo',
      service: SEED_FILES['ecs-simple-service-elb.json'],
      loadBalancer: 'alb-demo',
      targetGroup: SEED_FILES['target-group.json'],
      taskDefinition: ref
    })
    expect(request.taskDefinition).toEqual({ kind: 'reference', ref })
  })
})

describe('load balancer, listener and rule', () => {
  const base = {
    cluster: 'ecs-demo',
    service: SEED_FILES['ecs-simple-service-elb.json'],
    targetGroup: SEED_FILES['target-group.json']
  }
  const arn =
    'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/alb-demo/0123456789abcdef'
  test.each([
    ['alb-demo', { kind: 'reuse', name: 'alb-demo' }],
    [arn, { kind: 'reuse', arn }],
    [SEED_FILES['alb.json'], { kind: 'manage', input: seedAlb() }]
  ])('load-balancer %s', (loadBalancer, expected) => {
    expect(parse({ ...base, loadBalancer }).loadBalancer).toEqual(expected)
  })

  test('no load balancer at all: a service without one', () => {
    const service = JSON.stringify({ serviceName: 'worker', taskDefinition: 'worker:3', desiredCount: 1 })
    const request = parse({ cluster: 'ecs-demo', service })
    expect(request.loadBalancer).toBeUndefined()
    expect(request.targetGroup).toBeUndefined()
  })

  test('a load balancer needs the target-group input, even when the service names a target group ARN', () => {
    const tgArn =
      'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/default/0123456789abcdef'
    const service = JSON.stringify({
      ...seedService(),
      loadBalancers: [{ targetGroupArn: tgArn, containerName: 'app', containerPort: 4567 }]
    })
    const e = errorOf(() => parse({ cluster: 'ecs-demo', loadBalancer: 'alb-demo', service }))
    expect({ input: e.input, field: e.field }).toEqual({ input: 'target-group', field: undefined })
    expect(e.message).toMatch(/^Input "target-group": is required with a load-balancer input/)
  })

  const cert = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/12345678-1234-1234-1234-123456789012'
  test('an HTTPS listener with its certificate, plus the HTTP redirect', () => {
    const listener = `Port: 443\nProtocol: HTTPS\nSslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06\nCertificates:\n  - CertificateArn: ${cert}\n`
    const request = parse({ ...base, loadBalancer: 'alb-demo', listener, redirectHttpToHttps: true })
    expect(request.listener).toEqual({
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: cert }]
    })
    expect(request.redirectHttpToHttps).toBe(true)
  })

  test('a listener with a fixed-response default action', () => {
    const listener = JSON.stringify({
      Port: 8080,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } }
      ]
    })
    expect(parse({ ...base, loadBalancer: 'alb-demo', listener }).listener.DefaultActions).toHaveLength(1)
  })

  test.each([
    [
      'path (config)',
      '{"Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/app/*", "/app"]}}]}',
      {
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/app/*', '/app'] } }],
        priorityRange: [1000, 1999]
      }
    ],
    [
      'path (legacy Values) with priority',
      'Conditions:\n  - Field: path-pattern\n    Values: ["/api/*"]\nPriority: 10\n',
      {
        Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
        Priority: 10,
        priorityRange: [1000, 1999]
      }
    ],
    [
      'host',
      '{"Conditions": [{"Field": "host-header", "HostHeaderConfig": {"Values": ["app.example.com"]}}]}',
      {
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['app.example.com'] } }],
        priorityRange: [1000, 1999]
      }
    ],
    [
      'host and path and a header',
      JSON.stringify({
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com'] } },
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/a/*'] } },
          { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-canary', Values: ['1'] } }
        ]
      }),
      {
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com'] } },
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/a/*'] } },
          { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-canary', Values: ['1'] } }
        ],
        priorityRange: [1000, 1999]
      }
    ]
  ])('listener-rule by %s', (_how, listenerRule, expected) => {
    expect(parse({ ...base, loadBalancer: 'alb-demo', listenerRule }).listenerRule).toEqual(expected)
  })

  test('the priority range comes from its input', () => {
    const listenerRule = '{"Conditions": [{"Field": "path-pattern", "Values": ["/x"]}]}'
    const request = parse({
      ...base,
      loadBalancer: 'alb-demo',
      listenerRule,
      listenerRulePriorityRange: '20-30'
    })
    expect(request.listenerRule?.priorityRange).toEqual([20, 30])
  })
})

describe('plain inputs', () => {
  const base = { cluster: 'ecs-demo', service: '{"serviceName": "worker", "taskDefinition": "worker:3"}' }
  test.each<[string, Partial<RawInputs>, Partial<DeployRequest>]>([
    ['desired-count', { desiredCount: '0' }, { desiredCount: 0 }],
    ['desired-count with spaces', { desiredCount: ' 3 ' }, { desiredCount: 3 }],
    ['aws-region', { awsRegion: 'ap-northeast-1' }, { region: 'ap-northeast-1' }],
    ['max-attempts', { maxAttempts: '3' }, { maxAttempts: 3 }],
    [
      'cluster ARN',
      { cluster: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/ecs-demo' },
      { cluster: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/ecs-demo' }
    ],
    [
      'tags as lines',
      { tags: 'team=web\n# a comment\n\nenv = prod\nnote=a=b' },
      {
        tags: [
          { Key: 'team', Value: 'web' },
          { Key: 'env', Value: 'prod' },
          { Key: 'note', Value: 'a=b' }
        ]
      }
    ],
    [
      'tags as a YAML map',
      { tags: 'team: web\ncost-center: 1234' },
      {
        tags: [
          { Key: 'team', Value: 'web' },
          { Key: 'cost-center', Value: '1234' }
        ]
      }
    ],
    ['tags as JSON', { tags: '{"team": "web"}' }, { tags: [{ Key: 'team', Value: 'web' }] }],
    [
      'flags',
      {
        dryRun: true,
        forceNewDeployment: true,
        adoptExisting: true,
        summary: false,
        delete: true,
        deleteBaseStack: true
      },
      {
        dryRun: true,
        forceNewDeployment: true,
        adoptExisting: true,
        summary: false,
        delete: true,
        deleteBaseStack: true
      }
    ],
    [
      'preview by path',
      { previewId: 'pr-7', previewRouting: 'path' },
      {
        preview: {
          id: 'pr-7',
          routing: 'path',
          hostTemplate: '{id}.preview.example.com',
          priorityRange: [1000, 1999]
        }
      }
    ],
    ['github-token', { githubToken: 'ghs_abc' }, { githubToken: 'ghs_abc' }]
  ])('%s', (_name, raw, expected) => {
    const needsAlb = raw.previewRouting !== undefined
    const full = needsAlb
      ? {
          ...base,
          loadBalancer: 'alb-demo',
          targetGroup: SEED_FILES['target-group.json'],
          service: SEED_FILES['ecs-simple-service-elb.json']
        }
      : base
    expect(parse({ ...full, ...raw })).toEqual(expect.objectContaining(expected))
  })

  test('desired-count goes to the request; the service JSON keeps its own', () => {
    const request = parse({
      ...base,
      service: SEED_FILES['ecs-simple-service-elb.json'],
      loadBalancer: 'alb-demo',
      targetGroup: SEED_FILES['target-group.json'],
      desiredCount: '5'
    })
    expect(request.desiredCount).toBe(5)
    expect(request.service.desiredCount).toBe(2)
  })

  test('a DAEMON service takes new-service-on-failure: keep (scale-to-zero is in the bad-input corpus)', () => {
    const service = '{"serviceName": "agent", "taskDefinition": "agent:3", "schedulingStrategy": "DAEMON"}'
    expect(
      parse({ cluster: 'ecs-demo', service, newServiceOnFailure: 'keep' }).wait.newServiceOnFailure
    ).toBe('keep')
  })

  test('the service JSON may name the same cluster, by name or ARN', () => {
    const service = JSON.stringify({
      serviceName: 'w',
      taskDefinition: 'w:1',
      cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/ecs-demo'
    })
    expect(parse({ cluster: 'ecs-demo', service }).service.cluster).toBe('ecs-demo')
  })

  test('the preview id defaults to the pull request number', () => {
    const eventPath = path.join(workspace, 'event.json')
    writeFileSync(eventPath, JSON.stringify({ number: 42, pull_request: { number: 42 } }))
    const raw = withDefaults({
      ...base,
      loadBalancer: 'alb-demo',
      targetGroup: SEED_FILES['target-group.json'],
      service: SEED_FILES['ecs-simple-service-elb.json'],
      previewRouting: 'host'
    })
    const env = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath }
    expect(parseRequest(raw, { cwd: workspace, env, setSecret: noSecrets }).preview?.id).toBe('pr-42')
    expect(errorOf(() => parseRequest(raw, { cwd: workspace, env: {}, setSecret: noSecrets })).input).toBe(
      'preview-id'
    )
  })
})

describe('secrets', () => {
  test('secret-looking environment values and the GitHub token are masked; ARNs, short and plain values are not', () => {
    const masked: string[] = []
    const taskDefinition = JSON.stringify({
      ...seedTaskDefinition(),
      containerDefinitions: [
        {
          ...seedTaskDefinition().containerDefinitions?.[0],
          environment: [
            { name: 'DB_PASSWORD', value: 'hunter2' },
            { name: 'api_token', value: 'tok-123' },
            { name: 'AWS_SECRET_ACCESS_KEY', value: 'abc/def' },
            { name: 'PRIVATE_NOTE', value: 'p' },
            { name: 'PORT', value: '4567' },
            { name: 'LOG_LEVEL', value: 'debug' }
          ],
          secrets: [{ name: 'DB_URL', valueFrom: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/db-url' }]
        }
      ]
    })
    parse(
      {
        cluster: 'ecs-demo',
        service: SEED_FILES['ecs-simple-service-elb.json'],
        loadBalancer: 'alb-demo',
        targetGroup: SEED_FILES['target-group.json'],
        taskDefinition,
        githubToken: 'ghs_secret'
      },
      { setSecret: v => masked.push(v) }
    )
    expect(masked.sort()).toEqual(
      [
        'hunter2',
        'tok-123',
        'abc/def',
        // 'p' is too short to mask (it would garble the log) and an ARN is a reference, not a secret.
        'ghs_secret'
      ].sort()
    )
  })

  test('values are masked even when the task definition is then refused', () => {
    const masked: string[] = []
    const taskDefinition = JSON.stringify({
      family: 'x',
      containerDefinitions: [{ name: 'a', environment: [{ name: 'API_KEY', value: 'k-123' }] }]
    })
    const e = errorOf(() =>
      parse(
        { cluster: 'ecs-demo', service: '{"serviceName": "x"}', taskDefinition },
        { setSecret: v => masked.push(v) }
      )
    )
    expect(e.field).toBe('containerDefinitions[0].image')
    expect(masked).toEqual(['k-123'])
  })

  test('a secret written as a list, an object or a number is masked scalar by scalar, and never quoted', () => {
    const masked: string[] = []
    const environment = [
      { name: 'DB_PASSWORD', value: ['pw-in-a-list', 12345678] },
      { name: 'API_TOKEN', value: { nested: 'tok-in-an-object' } },
      { name: 'AUTH_ENABLED', value: true }
    ]
    const taskDefinition = JSON.stringify({
      ...seedTaskDefinition(),
      containerDefinitions: [{ ...seedTaskDefinition().containerDefinitions?.[0], environment }]
    })
    const e = errorOf(() =>
      parse(
        { cluster: 'ecs-demo', service: '{"serviceName": "x"}', taskDefinition },
        { setSecret: v => masked.push(v) }
      )
    )
    expect(masked.sort()).toEqual(['12345678', 'pw-in-a-list', 'tok-in-an-object'])
    expect(e.field).toBe('containerDefinitions[0].environment[0].value')
    expect(e.message).toContain('must be a string, got a list (value not shown)')
  })

  test('no message quotes an environment value, whatever the variable is called', () => {
    const bad: unknown[] = [['postgres://u:S3cr3tPw@db/app'], 'DATABASE_URL=postgres://u:S3cr3tPw@db/app']
    for (const environment of [[{ name: 'DATABASE_URL', value: bad[0] }], [bad[1]], bad[1]]) {
      const taskDefinition = JSON.stringify({
        ...seedTaskDefinition(),
        containerDefinitions: [{ ...seedTaskDefinition().containerDefinitions?.[0], environment }]
      })
      const e = errorOf(() => parse({ cluster: 'ecs-demo', service: '{"serviceName": "x"}', taskDefinition }))
      expect(e.message).toMatch(/environment/)
      expect(e.message).not.toContain('S3cr3tPw')
    }
  })
})

describe('readInputs', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k]
    Object.assign(process.env, saved)
  })
  const setInputs = (raw: Partial<RawInputs>) => Object.assign(process.env, toInputEnv(raw))

  test('reads INPUT_* variables; empty ones take action.yml defaults', () => {
    process.env.GITHUB_WORKSPACE = workspace
    setInputs({
      cluster: 'ecs-demo',
      service: 'deploy/ecs-simple-service-elb.json',
      loadBalancer: 'deploy/alb.json',
      targetGroup: 'deploy/target-group.json'
    })
    expect(readInputs()).toEqual(seedWalkRequest())
  })

  test('reads booleans in the forms getBooleanInput accepts', () => {
    process.env.GITHUB_WORKSPACE = workspace
    setInputs({
      cluster: 'ecs-demo',
      service: 'deploy/ecs-simple-service-elb.json',
      loadBalancer: 'deploy/alb.json',
      targetGroup: 'deploy/target-group.json'
    })
    process.env['INPUT_DRY-RUN'] = 'TRUE'
    process.env['INPUT_WAIT-FOR-SERVICE-STABILITY'] = 'False'
    const request = readInputs()
    expect(request.dryRun).toBe(true)
    expect(request.wait.enabled).toBe(false)
  })

  test.each([['dry-run'], ['rollback-on-failure'], ['redirect-http-to-https'], ['delete']])(
    'a non-boolean %s is an InputError naming it',
    name => {
      setInputs({ cluster: 'ecs-demo', service: '{"serviceName": "w", "taskDefinition": "w:1"}' })
      process.env[`INPUT_${name.toUpperCase()}`] = 'yes'
      const e = errorOf(() => readInputs())
      expect({ input: e.input, field: e.field }).toEqual({ input: name, field: undefined })
      expect(e.message).toBe(`Input "${name}": must be true or false (or True/TRUE/False/FALSE), got "yes"`)
    }
  )
})

describe('action.yml', () => {
  const action = parseYaml(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>
  }
  test('toActionInputs names inputs as action.yml does', () => {
    expect(toActionInputs({ targetGroup: '{}', dryRun: true, desiredCount: undefined })).toEqual({
      'target-group': '{}',
      'dry-run': 'true'
    })
  })
  test('declares exactly the inputs RawInputs has', () => {
    expect(Object.values(INPUT_NAMES).sort()).toEqual(Object.keys(action.inputs).sort())
  })
  test('its defaults are the ones ACTION_DEFAULTS mirrors', () => {
    const mirrored = Object.fromEntries(
      Object.entries(ACTION_DEFAULTS).map(([k, v]) => [INPUT_NAMES[k as keyof RawInputs], String(v)])
    )
    const declared = Object.fromEntries(
      Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? ''])
    )
    expect(mirrored).toEqual(declared)
  })
})
