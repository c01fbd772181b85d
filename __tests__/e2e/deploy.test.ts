/**
 * The bundled action (dist/index.js), run as a GitHub runner runs it, against the local emulator over
 * real HTTP. Each test asserts the outputs, the emulator's resulting state and its call log.
 */
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs'
import { useEmulator } from '../../test-support/use-emulator.js'
import { repoRoot, runAction, type ActionRun } from '../../test-support/run-action.js'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fargateInputs, seedInputs, seedTaskDefinition } from '../../test-support/fixtures.js'

const seedTaskDefinitionFile = () =>
  JSON.parse(readFileSync(path.join(repoRoot, 'examples/seed/task-definition.json'), 'utf8')) as {
    containerDefinitions: { memory?: number }[]
  }

const suite = useEmulator({ timeScale: 0.01 })

const deploy = (inputs: Record<string, string>, env?: Record<string, string>) =>
  runAction({ inputs, endpoint: suite.emulator.url, env })

const expectSuccess = (run: ActionRun) => {
  if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`)
}

const hostnames = async (url: string, n: number, init?: RequestInit): Promise<string[]> => {
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(await (await fetch(`${url}/hostname`, init)).text())
  return out
}

interface TargetHealthDump {
  Targets?: { id: string; port: number; health?: { state: string } }[]
}

describe('seed walk', () => {
  test('first deploy creates everything in order and serves /hostname from different tasks', async () => {
    const run = await deploy(seedInputs())
    expectSuccess(run)
    const o = run.outputs
    expect(o['dns-name']).toMatch(/^alb-demo-\d+\.ap-northeast-1\.elb\.amazonaws\.com$/)
    expect(o.url).toBe(`http://${o['dns-name']}`)
    expect(o['load-balancer-arn']).toMatch(/:loadbalancer\/app\/alb-demo\//)
    expect(o['target-group-arn']).toMatch(/:targetgroup\/default\//)
    expect(o['listener-arn']).toMatch(/:listener\/app\/alb-demo\//)
    expect(o['service-arn']).toBe(
      'arn:aws:ecs:ap-northeast-1:123456789012:service/ecs-demo/ecs-simple-service-elb'
    )
    expect(o['task-definition-arn']).toMatch(/:task-definition\/ecscompose-ecs-app:1$/)
    expect(o['deployment-id']).toMatch(/^ecs-svc\/\d+$/)
    expect(o.changed).toBe('true')
    // The seed's hand-pasted placeholder ARN is replaced, and the user is told.
    expect(run.stdout).toMatch(/zzzzzzzzzzzzzzzz/)

    const mutating = (await suite.control.mutatingCalls()).map(c => c.operation)
    expect(mutating).toEqual([
      'RegisterTaskDefinition',
      'CreateLoadBalancer',
      'CreateTargetGroup',
      'CreateListener',
      'CreateService'
    ])
    const create = (await suite.control.calls()).find(c => c.operation === 'CreateService')!
    const params = create.params as { loadBalancers: { targetGroupArn: string }[]; clientToken?: string }
    expect(params.loadBalancers[0].targetGroupArn).toBe(o['target-group-arn'])
    expect(params.clientToken).toBeTruthy()

    const local = await suite.control.localUrlFor(o['dns-name'])
    const names = await hostnames(local, 3)
    for (const n of names) expect(n).toMatch(/^[0-9a-f]{12}$/)
    expect(new Set(names).size).toBeGreaterThanOrEqual(2)
    expect(run.summary).toContain('deployed')
  })

  test('identical re-run makes zero mutating calls and few reads', async () => {
    expectSuccess(await deploy(seedInputs()))
    const before = (await suite.control.calls()).at(-1)!.seq
    const again = await deploy(seedInputs())
    expectSuccess(again)
    const calls = await suite.control.calls(before)
    expect(calls.filter(c => c.mutating)).toEqual([])
    expect(again.outputs.changed).toBe('false')
    expect(calls.length).toBeLessThanOrEqual(10)
  })

  test('image change: one RegisterTaskDefinition and one UpdateService, then a healthy rollout', async () => {
    expectSuccess(await deploy(seedInputs()))
    const before = (await suite.control.calls()).at(-1)!.seq
    const run = await deploy(seedInputs({ 'task-definition': seedTaskDefinition('inokara/ecs-app:v2') }))
    expectSuccess(run)
    const mutating = (await suite.control.mutatingCalls(before)).map(c => c.operation)
    expect(mutating).toEqual(['RegisterTaskDefinition', 'UpdateService'])
    expect(run.outputs['task-definition-arn']).toMatch(/ecscompose-ecs-app:2$/)
    const state = (await suite.control.state()) as { elbv2: { targetGroups: TargetHealthDump[] } }
    const live = state.elbv2.targetGroups
      .flatMap(tg => tg.Targets ?? [])
      .filter(t => t.health?.state === 'healthy')
    expect(live.length).toBe(2)
  })
})

describe('other shapes', () => {
  test('awsvpc / Fargate service with ip targets', async () => {
    const run = await deploy(fargateInputs())
    expectSuccess(run)
    const tg = (await suite.control.calls()).find(c => c.operation === 'CreateTargetGroup')!
    // VpcId was not given: it comes from the load balancer's subnets.
    expect((tg.params as { VpcId?: string }).VpcId).toBe('vpc-0a1b2c3d4e5f60718')
    const health = (await suite.control.calls()).filter(c => c.operation === 'DescribeTargetHealth')
    expect(health.length).toBeGreaterThan(0)
    const local = await suite.control.localUrlFor(run.outputs['dns-name'])
    expect(new Set(await hostnames(local, 6)).size).toBe(3)
  })

  test('two services on one shared listener, routed by path rules', async () => {
    const shared = {
      'load-balancer': JSON.stringify({
        Name: 'shared-alb',
        Subnets: ['subnet-12345678', 'subnet-abcdefgh'],
        SecurityGroups: ['sg-12345678']
      })
    }
    const svc = (name: string, pathPattern: string) =>
      seedInputs({
        ...shared,
        'target-group': JSON.stringify({
          Name: `tg-${name}`,
          Protocol: 'HTTP',
          Port: 80,
          HealthCheckPath: '/hostname',
          HealthCheckIntervalSeconds: 10,
          HealthyThresholdCount: 2
        }),
        'task-definition': JSON.stringify({
          family: name,
          containerDefinitions: [
            { name: 'app', image: `example/${name}:1`, memory: 128, portMappings: [{ containerPort: 4567 }] }
          ]
        }),
        service: JSON.stringify({
          serviceName: name,
          desiredCount: 1,
          loadBalancers: [{ containerName: 'app', containerPort: 4567 }]
        }),
        'listener-rule': JSON.stringify({ Conditions: [{ Field: 'path-pattern', Values: [pathPattern] }] })
      })
    const a = await deploy(svc('api', '/hostname'))
    expectSuccess(a)
    const b = await deploy(svc('web', '/web/*'))
    expectSuccess(b)
    expect(a.outputs['listener-arn']).toBe(b.outputs['listener-arn'])
    expect(a.outputs['listener-rule-arn']).not.toBe(b.outputs['listener-rule-arn'])
    const creates = (await suite.control.mutatingCalls()).map(c => c.operation)
    expect(creates.filter(o => o === 'CreateLoadBalancer')).toHaveLength(1)
    expect(creates.filter(o => o === 'CreateListener')).toHaveLength(1)
    expect(creates.filter(o => o === 'CreateRule')).toHaveLength(2)
    const local = await suite.control.localUrlFor(a.outputs['dns-name'])
    expect((await fetch(`${local}/hostname`)).status).toBe(200)
    // Not matched by any rule: the shared listener's own default (404), not one of the services.
    expect((await fetch(`${local}/elsewhere`)).status).toBe(404)
  })

  test('HTTPS listener with a certificate and an HTTP → HTTPS redirect', async () => {
    const run = await deploy(
      seedInputs({
        listener: JSON.stringify({
          Port: 443,
          Protocol: 'HTTPS',
          Certificates: [
            {
              CertificateArn:
                'arn:aws:acm:ap-northeast-1:123456789012:certificate/1a2b3c4d-0000-1111-2222-333344445555'
            }
          ],
          SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06'
        }),
        'redirect-http-to-https': 'true'
      })
    )
    expectSuccess(run)
    expect(run.outputs.url).toBe(`https://${run.outputs['dns-name']}`)
    const listeners = await suite.control.listeners()
    expect(listeners.map(l => `${l.protocol}:${l.port}`).sort()).toEqual(['HTTP:80', 'HTTPS:443'])
    const http = listeners.find(l => l.port === 80)!
    const res = await fetch(`${http.localUrl}/hostname`, { redirect: 'manual' })
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toMatch(/^https:\/\/.*:443\/hostname$/)
  })
})

describe('the seed experiment', () => {
  test('a task stopped mid-way: its target drains, the service replaces it, the deploy still ends healthy', async () => {
    let stopped = false
    const runP = runAction({
      inputs: seedInputs({ 'desired-count': '3' }),
      endpoint: suite.emulator.url,
      onStdout: () => {
        if (stopped) return
        stopped = true
        // Let the first tasks come up, then stop one container, as the seed did.
        setTimeout(() => {
          suite.control
            .stopTasks({ cluster: 'ecs-demo', service: 'ecs-simple-service-elb', count: 1, mode: 'app-down' })
            .catch(() => {})
        }, 1500)
      }
    })
    const run = await runP
    expectSuccess(run)
    const state = (await suite.control.state()) as { elbv2: { targetGroups: TargetHealthDump[] } }
    const healthy = state.elbv2.targetGroups
      .flatMap(tg => tg.Targets ?? [])
      .filter(t => t.health?.state === 'healthy')
    expect(healthy.length).toBe(3)
  })
})

describe('load balancer and target group attributes', () => {
  const TG_ATTRIBUTES = 'deregistration_delay.timeout_seconds: 5\nstickiness.enabled: true'
  const LB_ATTRIBUTES = 'idle_timeout.timeout_seconds=120'

  const sdk = () =>
    new ElasticLoadBalancingV2Client({
      endpoint: suite.emulator.url,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }
    })
  const attributesOf = async (run: ActionRun) => {
    const elbv2 = sdk()
    try {
      const [tg, lb] = await Promise.all([
        elbv2.send(
          new DescribeTargetGroupAttributesCommand({ TargetGroupArn: run.outputs['target-group-arn'] })
        ),
        elbv2.send(
          new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: run.outputs['load-balancer-arn'] })
        )
      ])
      const map = (list?: { Key?: string; Value?: string }[]) =>
        Object.fromEntries((list ?? []).map(a => [a.Key, a.Value]))
      return { tg: map(tg.Attributes), lb: map(lb.Attributes) }
    } finally {
      elbv2.destroy()
    }
  }

  test('set right after creation, then held: a re-run reads them and changes nothing', async () => {
    const inputs = seedInputs({
      'target-group-attributes': TG_ATTRIBUTES,
      'load-balancer-attributes': LB_ATTRIBUTES
    })
    const first = await deploy(inputs)
    expectSuccess(first)
    expect((await suite.control.mutatingCalls()).map(c => c.operation)).toEqual([
      'RegisterTaskDefinition',
      'CreateLoadBalancer',
      'ModifyLoadBalancerAttributes',
      'CreateTargetGroup',
      'ModifyTargetGroupAttributes',
      'CreateListener',
      'CreateService'
    ])
    const attributes = await attributesOf(first)
    expect(attributes.tg).toMatchObject({
      'deregistration_delay.timeout_seconds': '5',
      'stickiness.enabled': 'true',
      'stickiness.type': 'lb_cookie'
    })
    expect(attributes.lb['idle_timeout.timeout_seconds']).toBe('120')

    const before = (await suite.control.calls()).at(-1)!.seq
    const again = await deploy(inputs)
    expectSuccess(again)
    const calls = await suite.control.calls(before)
    expect(calls.filter(c => c.mutating)).toEqual([])
    expect(calls.map(c => c.operation)).toEqual(
      expect.arrayContaining(['DescribeTargetGroupAttributes', 'DescribeLoadBalancerAttributes'])
    )
    expect(again.outputs.changed).toBe('false')
  })

  test('one attribute changed: one ModifyTargetGroupAttributes with that key alone, no new deployment', async () => {
    expectSuccess(await deploy(seedInputs({ 'target-group-attributes': TG_ATTRIBUTES })))
    const before = (await suite.control.calls()).at(-1)!.seq
    const run = await deploy(
      seedInputs({
        'target-group-attributes': 'deregistration_delay.timeout_seconds: 5\nstickiness.enabled: false'
      })
    )
    expectSuccess(run)
    const mutating = await suite.control.mutatingCalls(before)
    expect(mutating.map(c => c.operation)).toEqual(['ModifyTargetGroupAttributes'])
    expect(JSON.stringify(mutating[0].params)).toContain('stickiness.enabled')
    expect(JSON.stringify(mutating[0].params)).not.toContain('deregistration_delay')
    expect((await attributesOf(run)).tg['stickiness.enabled']).toBe('false')
    expect(run.stdout).toContain('Attributes[stickiness.enabled]')
  })

  test('a key the inputs leave out is not reset', async () => {
    expectSuccess(await deploy(seedInputs({ 'target-group-attributes': TG_ATTRIBUTES })))
    const before = (await suite.control.calls()).at(-1)!.seq
    const run = await deploy(
      seedInputs({ 'target-group-attributes': 'deregistration_delay.timeout_seconds: 5' })
    )
    expectSuccess(run)
    expect(await suite.control.mutatingCalls(before)).toEqual([])
    expect((await attributesOf(run)).tg['stickiness.enabled']).toBe('true')
  })
})

describe('what AWS fills in', () => {
  test('a container health check without interval, timeout and retries is registered once, not on every run', async () => {
    const inputs = seedInputs({
      'task-definition': seedTaskDefinition('inokara/ecs-app:latest', {
        healthCheck: { command: ['CMD', 'true'] }
      })
    })
    expectSuccess(await deploy(inputs))
    const before = (await suite.control.calls()).at(-1)!.seq
    expectSuccess(await deploy(inputs))
    expect(await suite.control.mutatingCalls(before)).toEqual([])
  })
})

describe('images', () => {
  test('sets the image in the task definition file: registered once, then nothing to do', async () => {
    expectSuccess(await deploy(seedInputs()))
    const before = (await suite.control.calls()).at(-1)!.seq
    const run = await deploy(seedInputs({ images: 'app=inokara/ecs-app:v3' }))
    expectSuccess(run)
    const mutating = await suite.control.mutatingCalls(before)
    expect(mutating.map(c => c.operation)).toEqual(['RegisterTaskDefinition', 'UpdateService'])
    const registered = mutating[0].params as { containerDefinitions: { name: string; image: string }[] }
    expect(registered.containerDefinitions.map(c => [c.name, c.image])).toEqual([
      ['app', 'inokara/ecs-app:v3']
    ])

    const again = (await suite.control.calls()).at(-1)!.seq
    const rerun = await deploy(seedInputs({ images: 'app: inokara/ecs-app:v3' }))
    expectSuccess(rerun)
    expect(await suite.control.mutatingCalls(again)).toEqual([])
    expect(rerun.outputs['task-definition-arn']).toBe(run.outputs['task-definition-arn'])
  })

  test('sets the image in an existing revision: registered into its family once, whichever revision is named', async () => {
    expectSuccess(await deploy(seedInputs()))
    const before = (await suite.control.calls()).at(-1)!.seq
    const byFamily = seedInputs({ 'task-definition': 'ecscompose-ecs-app', images: 'app=inokara/ecs-app:v5' })
    const run = await deploy(byFamily)
    expectSuccess(run)
    const mutating = await suite.control.mutatingCalls(before)
    expect(mutating.map(c => c.operation)).toEqual(['RegisterTaskDefinition', 'UpdateService'])
    const registered = mutating[0].params as {
      family: string
      containerDefinitions: { name: string; image: string; memory?: number }[]
      tags?: { key: string; value: string }[]
    }
    expect(registered.family).toBe('ecscompose-ecs-app')
    expect(registered.containerDefinitions.map(c => [c.name, c.image])).toEqual([
      ['app', 'inokara/ecs-app:v5']
    ])
    // The rest is revision 1's, as described: memory from the seed's file, the ownership tag kept.
    expect(registered.containerDefinitions[0].memory).toBe(
      seedTaskDefinitionFile().containerDefinitions[0].memory
    )
    expect(registered.tags?.map(t => t.key)).toContain('ecs-alb-deploy:stack')
    expect(run.outputs['task-definition-arn']).toMatch(/ecscompose-ecs-app:2$/)

    for (const taskDefinition of ['ecscompose-ecs-app', 'ecscompose-ecs-app:1']) {
      const seq = (await suite.control.calls()).at(-1)!.seq
      const again = await deploy({ ...byFamily, 'task-definition': taskDefinition })
      expectSuccess(again)
      expect({ taskDefinition, mutating: await suite.control.mutatingCalls(seq) }).toEqual({
        taskDefinition,
        mutating: []
      })
      expect(again.outputs['task-definition-arn']).toBe(run.outputs['task-definition-arn'])
    }
  })

  test("teardown deregisters the family's revisions this stack registered, and no other", async () => {
    expectSuccess(await deploy(seedInputs()))
    const byFamily = seedInputs({ 'task-definition': 'ecscompose-ecs-app', images: 'app=inokara/ecs-app:v6' })
    expectSuccess(await deploy(byFamily))
    // A revision someone else registered into the same family, without this stack's tag.
    const ecs = new ECSClient({
      endpoint: suite.emulator.url,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }
    })
    try {
      const file = seedTaskDefinitionFile() as unknown as RegisterTaskDefinitionCommandInput
      await ecs.send(new RegisterTaskDefinitionCommand({ ...file, family: 'ecscompose-ecs-app' }))
      const run = await deploy({ ...byFamily, delete: 'true', 'delete-base-stack': 'true' })
      expectSuccess(run)
      const left = await ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: 'ecscompose-ecs-app', status: 'ACTIVE' })
      )
      expect(left.taskDefinitionArns?.map(a => a.split('/')[1])).toEqual(['ecscompose-ecs-app:3'])
      const deregistered = (await suite.control.mutatingCalls())
        .filter(c => c.operation === 'DeregisterTaskDefinition')
        .map(c => (c.params as { taskDefinition: string }).taskDefinition.split('/')[1])
      expect(deregistered.sort()).toEqual(['ecscompose-ecs-app:1', 'ecscompose-ecs-app:2'])
    } finally {
      ecs.destroy()
    }
  })
})
