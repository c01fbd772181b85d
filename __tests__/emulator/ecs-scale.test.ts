import { afterAll, beforeAll, expect, test } from '@jest/globals'
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import { Scheduler } from '../../emulator/ecs/scheduler.js'
import { startEcsHarness, until, type EcsHarness } from './ecs-harness.js'

// Time every scheduler tick: the scheduler must stay cheap however many tasks it runs.
const tickMs: number[] = []
const tick = Scheduler.prototype.tick
Scheduler.prototype.tick = function (this: Scheduler, ...args: Parameters<Scheduler['tick']>) {
  const t0 = performance.now()
  tick.apply(this, args)
  tickMs.push(performance.now() - t0)
}

const tg = (n: string) =>
  `arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/${n}/0123456789abcdef`

let h: EcsHarness
beforeAll(async () => {
  h = await startEcsHarness(0.05)
  for (const n of ['a', 'b'])
    h.elb.addTargetGroup({ arn: tg(n), healthCheckIntervalSeconds: 30, healthCheckTimeoutSeconds: 20 })
  await h.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'big',
      containerDefinitions: [
        {
          name: 'app',
          image: 'example/app:1',
          memory: 64,
          portMappings: [{ containerPort: 4567 }, { containerPort: 9090 }]
        }
      ]
    })
  )
})
afterAll(async () => {
  await h.stop()
})

test('one service of 500 tasks in 2 target groups and 10 more services, without hogging the event loop', async () => {
  await h.ecs.send(
    new CreateServiceCommand({
      cluster: 'ecs-demo',
      serviceName: 'big',
      taskDefinition: 'big',
      desiredCount: 500,
      // Not about health here: a health check slowed by a loaded CI machine must not restart the rollout.
      healthCheckGracePeriodSeconds: 3600,
      loadBalancers: [
        { targetGroupArn: tg('a'), containerName: 'app', containerPort: 4567 },
        { targetGroupArn: tg('b'), containerName: 'app', containerPort: 9090 }
      ]
    })
  )
  for (let i = 0; i < 10; i++) {
    await h.ecs.send(
      new CreateServiceCommand({
        cluster: 'ecs-demo',
        serviceName: `small-${i}`,
        taskDefinition: 'big',
        desiredCount: 5
      })
    )
  }
  const done = await until(
    async () => {
      const s = (await h.ecs.send(new DescribeServicesCommand({ cluster: 'ecs-demo', services: ['big'] })))
        .services![0]
      return s.deployments?.[0].rolloutState === 'COMPLETED' && s
    },
    90000,
    '500 tasks COMPLETED'
  )
  expect(done.runningCount).toBe(500)
  expect(h.elb.healthy(tg('a'))).toBe(500)
  expect(h.elb.healthy(tg('b'))).toBe(500)
  // One tick walks 550 tasks: a few milliseconds, not a busy loop (the tick that launches 550 tasks is the longest).
  tickMs.sort((a, b) => a - b)
  const median = tickMs[Math.floor(tickMs.length / 2)]
  expect(median).toBeLessThan(5)
  expect(tickMs[tickMs.length - 1]).toBeLessThan(250)

  const pages: string[] = []
  let nextToken: string | undefined
  do {
    const out = await h.ecs.send(new ListTasksCommand({ cluster: 'ecs-demo', serviceName: 'big', nextToken }))
    pages.push(...out.taskArns!)
    nextToken = out.nextToken
  } while (nextToken)
  expect(new Set(pages).size).toBe(500)
  const described = await h.ecs.send(
    new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: pages.slice(0, 100) })
  )
  expect(described.tasks).toHaveLength(100)
  const dump = JSON.stringify(h.module.dump())
  expect(dump).toContain('"serviceName":"small-9"')
}, 120000)
