import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import {
  ContinueServiceDeploymentCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type DeploymentConfiguration,
  type ServiceDeployment
} from '@aws-sdk/client-ecs'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { EmulatorControl } from '../../test-support/emulator-client.js'
import { until } from './ecs-harness.js'

const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers'
const HOOK_ROLE = 'arn:aws:iam::123456789012:role/ecsLambdaHookRole'
const CLUSTER = 'ecs-demo'
const NAME = 'web'

let emu: Emulator
let ecs: ECSClient
let elb: ElasticLoadBalancingV2Client
let control: EmulatorControl

beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0.02 })
  const common = {
    endpoint: emu.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    maxAttempts: 1
  }
  ecs = new ECSClient(common)
  elb = new ElasticLoadBalancingV2Client(common)
  control = new EmulatorControl(emu.url)
})
afterAll(async () => {
  ecs.destroy()
  elb.destroy()
  await emu.stop()
})
beforeEach(async () => {
  await emu.reset()
})

interface Env {
  blue: string
  green: string
  productionRule: string
  testRule: string
  production: string
  test: string
}

/** An ALB with a production listener (80) and a test listener (9000), each with a rule forwarding to blue. */
async function network(): Promise<Env> {
  const lb = (
    await elb.send(
      new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: ['subnet-12345678', 'subnet-abcdefgh'] })
    )
  ).LoadBalancers![0]
  const tg = async (name: string) =>
    (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: 'HTTP',
          Port: 80,
          VpcId: lb.VpcId,
          TargetType: 'instance',
          HealthCheckPath: '/hostname',
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 2,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 2
        })
      )
    ).TargetGroups![0].TargetGroupArn!
  const blue = await tg('web-blue')
  const green = await tg('web-green')
  const listenerWithRule = async (port: number) => {
    const listener = (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: port,
          Protocol: 'HTTP',
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }]
        })
      )
    ).Listeners![0]
    const rule = (
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 1,
          Conditions: [{ Field: 'path-pattern', Values: ['/*'] }],
          Actions: [{ Type: 'forward', TargetGroupArn: blue }]
        })
      )
    ).Rules![0].RuleArn!
    return { rule, url: await control.localUrlFor(lb.DNSName!, port) }
  }
  const prod = await listenerWithRule(80)
  const test = await listenerWithRule(9000)
  return { blue, green, productionRule: prod.rule, testRule: test.rule, production: prod.url, test: test.url }
}

const register = async (image: string) =>
  (
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'app', image, memory: 128, portMappings: [{ containerPort: 4567 }] }]
      })
    )
  ).taskDefinition!.taskDefinitionArn!

function serviceInput(env: Env, config: DeploymentConfiguration, withTest = true): CreateServiceCommandInput {
  return {
    cluster: CLUSTER,
    serviceName: NAME,
    taskDefinition: 'web:1',
    desiredCount: 2,
    loadBalancers: [
      {
        targetGroupArn: env.blue,
        containerName: 'app',
        containerPort: 4567,
        advancedConfiguration: {
          alternateTargetGroupArn: env.green,
          productionListenerRule: env.productionRule,
          ...(withTest ? { testListenerRule: env.testRule } : {}),
          roleArn: ROLE
        }
      }
    ],
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      ...config
    }
  }
}

const describeService = async () =>
  (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [NAME] }))).services![0]

/** The newest service deployment, described. */
async function latest(): Promise<ServiceDeployment> {
  const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: NAME }))
  const arn = list.serviceDeployments![0].serviceDeploymentArn!
  return (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })))
    .serviceDeployments![0]
}

const steady = () =>
  until(
    async () => {
      const s = await describeService()
      return s.deployments?.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s
    },
    30000,
    'a steady service'
  )

/** The hostnames (one per task) that answer `n` requests to a listener; non-200 answers as `status:N`. */
async function hosts(url: string, n = 30): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/hostname`)
    const body = (await res.text()).trim()
    out.push(res.status === 200 ? body : `status:${res.status}`)
  }
  return out
}

/** Creates the service on v1 and returns the hostnames of its (blue) tasks. */
async function started(env: Env, config: DeploymentConfiguration, withTest = true): Promise<Set<string>> {
  await register('example/web:v1')
  await ecs.send(new CreateServiceCommand(serviceInput(env, config, withTest)))
  await steady()
  const blue = new Set(await hosts(env.production, 20))
  expect(blue.size).toBe(2)
  return blue
}

const deployV2 = async (image = 'example/web:v2') => {
  await register(image)
  await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: NAME, taskDefinition: 'web:2' }))
}

const weightsOf = async (ruleArn: string) => {
  const rule = (await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules![0]
  const forward = rule.Actions!.find(a => a.Type === 'forward')!
  return Object.fromEntries(
    (forward.ForwardConfig?.TargetGroups ?? []).map(g => [g.TargetGroupArn, g.Weight])
  )
}

const stageReached = (stage: string) =>
  until(
    async () => {
      const d = await latest()
      return d.lifecycleStage === stage && d
    },
    30000,
    `lifecycle stage ${stage}`
  )

const finished = (status: string) =>
  until(
    async () => {
      const d = await latest()
      return d.status === status && d
    },
    40000,
    `service deployment ${status}`
  )

describe('BLUE_GREEN', () => {
  test('the test listener serves green while production serves blue; then production serves only green and the target groups swap roles', async () => {
    const env = await network()
    const blue = await started(env, {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
    })
    await deployV2()
    const paused = await stageReached('POST_TEST_TRAFFIC_SHIFT')
    expect(paused.status).toBe('IN_PROGRESS')
    const hook = paused.lifecycleHookDetails!.find(h => h.status === 'AWAITING_ACTION')!
    expect(hook).toMatchObject({ targetType: 'PAUSE', timeoutAction: 'ROLLBACK' })
    expect(hook.hookId).toMatch(/^ecs-pause-/)
    expect(paused.targetServiceRevision).toMatchObject({
      requestedProductionTrafficWeight: 0,
      requestedTestTrafficWeight: 100
    })
    const onTest = new Set(await hosts(env.test))
    const onProduction = new Set(await hosts(env.production))
    expect([...onProduction].every(h => blue.has(h))).toBe(true)
    expect(onTest.size).toBe(2)
    expect([...onTest].some(h => blue.has(h))).toBe(false)
    expect(await weightsOf(env.productionRule)).toEqual({ [env.blue]: 100, [env.green]: 0 })
    expect(await weightsOf(env.testRule)).toEqual({ [env.blue]: 0, [env.green]: 100 })

    await ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: paused.serviceDeploymentArn,
        hookId: hook.hookId,
        action: 'CONTINUE'
      })
    )
    const baking = await stageReached('BAKE_TIME')
    expect(baking.targetServiceRevision?.requestedProductionTrafficWeight).toBe(100)
    expect([...new Set(await hosts(env.production))].every(h => onTest.has(h))).toBe(true)
    const done = await finished('SUCCESSFUL')
    expect(done.lifecycleStage).toBe('CLEAN_UP')
    expect(new Set(await hosts(env.production))).toEqual(onTest)
    const svc = await steady()
    expect(svc.taskDefinition).toMatch(/web:2$/)
    expect(svc.loadBalancers![0]).toMatchObject({
      targetGroupArn: env.green,
      advancedConfiguration: { alternateTargetGroupArn: env.blue, productionListenerRule: env.productionRule }
    })
    expect(await weightsOf(env.productionRule)).toEqual({ [env.blue]: 0, [env.green]: 100 })
  }, 90000)

  test('a second deployment goes to the other target group: the roles swap back', async () => {
    const env = await network()
    await started(env, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }, false)
    await deployV2()
    await finished('SUCCESSFUL')
    await steady()
    await register('example/web:v3')
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: NAME, taskDefinition: 'web:3' }))
    await until(
      async () =>
        (await latest()).status === 'SUCCESSFUL' &&
        (await describeService()).taskDefinition?.endsWith('web:3')
    )
    const svc = await steady()
    expect(svc.loadBalancers![0].targetGroupArn).toBe(env.blue)
    expect(await weightsOf(env.productionRule)).toEqual({ [env.blue]: 100, [env.green]: 0 })
  }, 90000)

  test('PAUSE hook answered ROLLBACK: production and test traffic go back to blue, green stops', async () => {
    const env = await network()
    const blue = await started(env, {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
    })
    await deployV2()
    const paused = await stageReached('POST_TEST_TRAFFIC_SHIFT')
    const hook = paused.lifecycleHookDetails!.find(h => h.status === 'AWAITING_ACTION')!
    await ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: paused.serviceDeploymentArn,
        hookId: hook.hookId,
        action: 'ROLLBACK'
      })
    )
    const done = await finished('ROLLBACK_SUCCESSFUL')
    expect(done.rollback?.reason).toMatch(/ContinueServiceDeployment/)
    expect(new Set(await hosts(env.production))).toEqual(blue)
    expect(new Set(await hosts(env.test))).toEqual(blue)
    const svc = await steady()
    expect(svc.taskDefinition).toMatch(/web:1$/)
    expect(svc.loadBalancers![0].targetGroupArn).toBe(env.blue)
    // A hook no longer awaiting action cannot be continued.
    await expect(
      ecs.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: paused.serviceDeploymentArn,
          hookId: hook.hookId
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidParameterException' })
  }, 90000)

  test('a Lambda hook answering FAILED rolls back before production sees green', async () => {
    const env = await network()
    const blue = await started(env, {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [
        {
          targetType: 'AWS_LAMBDA',
          hookTargetArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:validate-green',
          roleArn: HOOK_ROLE,
          lifecycleStages: ['POST_SCALE_UP']
        }
      ]
    })
    await control.hooks({ function: '*validate-green', hookStatus: 'FAILED' })
    await deployV2()
    const done = await finished('ROLLBACK_SUCCESSFUL')
    expect(done.lifecycleHookDetails).toEqual([
      expect.objectContaining({
        targetType: 'AWS_LAMBDA',
        targetArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:validate-green',
        status: 'FAILED'
      })
    ])
    const { invocations } = await control.hookInvocations()
    expect(invocations).toEqual([
      expect.objectContaining({ lifecycleStage: 'POST_SCALE_UP', answered: 'FAILED' })
    ])
    expect(new Set(await hosts(env.production))).toEqual(blue)
  }, 90000)

  test('StopServiceDeployment ROLLBACK during bake time sends production back to blue', async () => {
    const env = await network()
    const blue = await started(env, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 60 }, false)
    await deployV2()
    const baking = await stageReached('BAKE_TIME')
    expect([...new Set(await hosts(env.production))].some(h => blue.has(h))).toBe(false)
    await ecs.send(
      new StopServiceDeploymentCommand({
        serviceDeploymentArn: baking.serviceDeploymentArn,
        stopType: 'ROLLBACK'
      })
    )
    expect((await latest()).status).toMatch(/^ROLLBACK_/)
    await finished('ROLLBACK_SUCCESSFUL')
    expect(new Set(await hosts(env.production))).toEqual(blue)
    expect(await weightsOf(env.productionRule)).toEqual({ [env.blue]: 100, [env.green]: 0 })
  }, 90000)

  test('a green image failing its health checks: the circuit breaker rolls back, production answers 200 from blue throughout', async () => {
    const env = await network()
    const blue = await started(env, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 }, false)
    await control.images({ image: '*:broken', healthStatus: 500 })
    await deployV2('example/web:broken')
    const seen: string[] = []
    let done: ServiceDeployment | undefined
    while (!done) {
      seen.push(...(await hosts(env.production, 5)))
      const d = await latest()
      if (d.status === 'ROLLBACK_SUCCESSFUL') done = d
      else expect(['IN_PROGRESS', 'ROLLBACK_IN_PROGRESS']).toContain(d.status)
    }
    expect(seen.every(h => blue.has(h))).toBe(true)
    expect(done.statusReason).toMatch(/circuit breaker/)
    expect(done.deploymentCircuitBreaker?.status).toBe('TRIGGERED')
    expect((await steady()).taskDefinition).toMatch(/web:1$/)
  }, 120000)
})

describe('re-runs and stops', () => {
  test('after the swap, an UpdateService re-sending the original orientation of the pair is no change', async () => {
    const env = await network()
    await started(env, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }, false)
    await deployV2()
    await finished('SUCCESSFUL')
    const before = await steady()
    const original = serviceInput(env, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }, false)
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: NAME,
        taskDefinition: 'web:2',
        loadBalancers: original.loadBalancers
      })
    )
    const after = await describeService()
    expect(after.deployments!.map(d => d.id)).toEqual(before.deployments!.map(d => d.id))
    expect(after.loadBalancers![0].targetGroupArn).toBe(env.green)
  }, 90000)

  test('StopServiceDeployment ABORT stops a blue/green deployment where it stands', async () => {
    const env = await network()
    const blue = await started(env, {
      strategy: 'BLUE_GREEN',
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_SCALE_UP'] }]
    })
    await deployV2()
    const paused = await stageReached('POST_SCALE_UP')
    await ecs.send(
      new StopServiceDeploymentCommand({
        serviceDeploymentArn: paused.serviceDeploymentArn,
        stopType: 'ABORT'
      })
    )
    const stopped = await finished('STOPPED')
    expect(stopped.stoppedAt).toBeInstanceOf(Date)
    expect(stopped.lifecycleStage).toBe('POST_SCALE_UP')
    expect(new Set(await hosts(env.production))).toEqual(blue)
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: paused.serviceDeploymentArn }))
    ).rejects.toMatchObject({ name: 'ConflictException' })
  }, 90000)

  test('StopServiceDeployment ROLLBACK of a rolling deployment rolls back to the last completed revision', async () => {
    const env = await network()
    await started(env, {}, false)
    await control.images({ image: '*:slow', startDelaySeconds: 600 })
    await deployV2('example/web:slow')
    const rolling = await latest()
    expect(rolling.status).toBe('IN_PROGRESS')
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: rolling.serviceDeploymentArn }))
    await until(
      async () => {
        const [d] = (
          await ecs.send(
            new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [rolling.serviceDeploymentArn!] })
          )
        ).serviceDeployments!
        return d.status === 'ROLLBACK_SUCCESSFUL' && d
      },
      30000,
      'ROLLBACK_SUCCESSFUL'
    )
    expect((await steady()).taskDefinition).toMatch(/web:1$/)
  }, 90000)
})

describe('LINEAR and CANARY', () => {
  /** Waits for a production weight step, then checks what production serves at it. */
  async function atWeight(env: Env, blue: Set<string>, weight: number): Promise<void> {
    await until(
      async () => (await latest()).targetServiceRevision?.requestedProductionTrafficWeight === weight,
      30000,
      `production weight ${weight}`
    )
    expect(await weightsOf(env.productionRule)).toEqual({ [env.blue]: 100 - weight, [env.green]: weight })
    const seen = await hosts(env.production, 60)
    expect(seen.some(h => blue.has(h))).toBe(true)
    expect(seen.some(h => !blue.has(h))).toBe(true)
  }

  test('LINEAR shifts production in steps of stepPercent, each baked before the next', async () => {
    const env = await network()
    const blue = await started(
      env,
      {
        strategy: 'LINEAR',
        bakeTimeInMinutes: 0,
        linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 3 }
      },
      false
    )
    await deployV2()
    await atWeight(env, blue, 50)
    await finished('SUCCESSFUL')
    expect((await hosts(env.production)).some(h => blue.has(h))).toBe(false)
  }, 90000)

  test('CANARY shifts canaryPercent first, then the rest after the canary bake time', async () => {
    const env = await network()
    const blue = await started(
      env,
      {
        strategy: 'CANARY',
        bakeTimeInMinutes: 0,
        canaryConfiguration: { canaryPercent: 30, canaryBakeTimeInMinutes: 3 }
      },
      false
    )
    await deployV2()
    await atWeight(env, blue, 30)
    await finished('SUCCESSFUL')
    expect((await hosts(env.production)).some(h => blue.has(h))).toBe(false)
  }, 90000)
})

describe('validation', () => {
  test('a traffic-shifting strategy needs advancedConfiguration with roleArn, and percentages in range', async () => {
    const env = await network()
    await register('example/web:v1')
    const input = serviceInput(env, { strategy: 'BLUE_GREEN' })
    const noRole = {
      ...input,
      loadBalancers: [
        {
          ...input.loadBalancers![0],
          advancedConfiguration: {
            alternateTargetGroupArn: env.green,
            productionListenerRule: env.productionRule
          }
        }
      ]
    }
    await expect(ecs.send(new CreateServiceCommand(noRole))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('roleArn')
    })
    await expect(
      ecs.send(
        new CreateServiceCommand(
          serviceInput(env, { strategy: 'LINEAR', linearConfiguration: { stepPercent: 2 } })
        )
      )
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('stepPercent')
    })
    await expect(
      ecs.send(
        new CreateServiceCommand(
          serviceInput(env, { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 100.5 } })
        )
      )
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('canaryPercent')
    })
    const otherRule = {
      ...input,
      loadBalancers: [
        {
          ...input.loadBalancers![0],
          advancedConfiguration: {
            ...input.loadBalancers![0].advancedConfiguration,
            productionListenerRule: `${env.productionRule}x`
          }
        }
      ]
    }
    await expect(ecs.send(new CreateServiceCommand(otherRule))).rejects.toMatchObject({
      name: 'InvalidParameterException'
    })
    expect((await control.mutatingCalls()).filter(c => c.operation === 'CreateService')).toEqual([])
  })

  test('the infrastructure role is passed to ecs.amazonaws.com: without iam:PassRole, CreateService is denied', async () => {
    const env = await network()
    await register('example/web:v1')
    await control.iam({
      Statement: [
        { Effect: 'Allow', Action: ['ecs:*', 'elasticloadbalancing:*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }
        }
      ]
    })
    await expect(
      ecs.send(new CreateServiceCommand(serviceInput(env, { strategy: 'BLUE_GREEN' })))
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('iam:PassRole')
    })
    await control.iam({
      Statement: [
        { Effect: 'Allow', Action: ['ecs:*', 'elasticloadbalancing:*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: ROLE,
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs.amazonaws.com' } }
        }
      ]
    })
    await ecs.send(new CreateServiceCommand(serviceInput(env, { strategy: 'BLUE_GREEN' })))
  })
})
