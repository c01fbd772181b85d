import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs'
import { describe, expect, test } from '@jest/globals'
import { deepEqual, diff, isSubset } from '../../src/model/diff.js'
import { fingerprint, redactTaskDefinition } from '../../src/model/redact.js'
import { normalizeTaskDefinition } from '../../src/aws/normalize/task-definition.js'
import { seedTaskDefinition } from '../fixtures/seed.js'

/** The seed's definition as DescribeTaskDefinition answers it after registering it. */
function describedSeed(): TaskDefinition {
  return {
    taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/ecscompose-ecs-app:22',
    family: 'ecscompose-ecs-app',
    revision: 22,
    status: 'ACTIVE',
    networkMode: 'bridge',
    volumes: [],
    placementConstraints: [],
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
    compatibilities: ['EC2'],
    registeredAt: new Date('2016-08-13T00:00:00Z'),
    registeredBy: 'arn:aws:iam::123456789012:user/kappa',
    containerDefinitions: [
      {
        name: 'app',
        image: 'inokara/ecs-app:latest',
        cpu: 0,
        memory: 128,
        essential: true,
        portMappings: [{ containerPort: 4567, hostPort: 0, protocol: 'tcp' }],
        environment: [],
        mountPoints: [],
        volumesFrom: [],
        systemControls: []
      }
    ]
  }
}

type Edit = (td: RegisterTaskDefinitionCommandInput & { family: string }) => void

const container = (td: RegisterTaskDefinitionCommandInput) => td.containerDefinitions![0]!

describe('task definition normalizer: what AWS fills in is not a difference', () => {
  test('the seed file equals its described revision', () => {
    expect(normalizeTaskDefinition(seedTaskDefinition())).toEqual(normalizeTaskDefinition(describedSeed()))
  })

  test.each<[string, Edit]>([
    ['networkMode omitted (bridge on EC2)', td => delete td.networkMode],
    ['essential omitted (true)', td => delete container(td).essential],
    ['cpu 0', td => void (container(td).cpu = 0)],
    [
      'empty environment, mountPoints, volumes',
      td => Object.assign(container(td), { environment: [], mountPoints: [] })
    ],
    ['protocol tcp', td => void (container(td).portMappings = [{ containerPort: 4567, protocol: 'tcp' }])],
    [
      'hostPort 0 in bridge mode',
      td => void (container(td).portMappings = [{ containerPort: 4567, hostPort: 0 }])
    ],
    ['task cpu as "0.25 vCPU"', td => void (td.cpu = '0.25 vCPU')],
    [
      'a container health check without interval, timeout, retries (30, 5, 3)',
      td => void (container(td).healthCheck = { command: ['CMD', 'true'] })
    ]
  ])('%s', (_title, edit) => {
    const request = seedTaskDefinition()
    edit(request)
    const described = describedSeed()
    if (request.cpu) described.cpu = '256'
    if (container(request).healthCheck) {
      described.containerDefinitions![0]!.healthCheck = {
        command: ['CMD', 'true'],
        interval: 30,
        timeout: 5,
        retries: 3
      }
    }
    expect(deepEqual(normalizeTaskDefinition(request), normalizeTaskDefinition(described))).toBe(true)
  })

  test('awsvpc: hostPort equal to containerPort is the default', () => {
    const request = { ...seedTaskDefinition(), networkMode: 'awsvpc' as const }
    const described = { ...describedSeed(), networkMode: 'awsvpc' as const }
    described.containerDefinitions![0]!.portMappings = [
      { containerPort: 4567, hostPort: 4567, protocol: 'tcp' }
    ]
    expect(normalizeTaskDefinition(request)).toEqual(normalizeTaskDefinition(described))
  })

  test('environment order does not matter', () => {
    const a = seedTaskDefinition()
    container(a).environment = [
      { name: 'B', value: '2' },
      { name: 'A', value: '1' }
    ]
    const b = seedTaskDefinition()
    container(b).environment = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' }
    ]
    expect(normalizeTaskDefinition(a)).toEqual(normalizeTaskDefinition(b))
  })

  test.each<[string, Edit]>([
    ['image', td => void (container(td).image = 'inokara/ecs-app:v2')],
    [
      'fixed host port in bridge mode',
      td => void (container(td).portMappings = [{ containerPort: 4567, hostPort: 8080 }])
    ],
    ['an environment variable', td => void (container(td).environment = [{ name: 'A', value: '1' }])],
    ['essential false', td => void (container(td).essential = false)],
    ['network mode host', td => void (td.networkMode = 'host')],
    [
      'a health check with 5 retries',
      td => void (container(td).healthCheck = { command: ['CMD', 'true'], retries: 5 })
    ]
  ])('a real change is a difference: %s', (_title, edit) => {
    const request = seedTaskDefinition()
    edit(request)
    expect(deepEqual(normalizeTaskDefinition(request), normalizeTaskDefinition(describedSeed()))).toBe(false)
  })
})

describe('diff', () => {
  test('containers and environment are matched by name; redacted, no environment value shows', () => {
    const from = {
      containerDefinitions: [
        { name: 'sidecar', image: 's:1' },
        {
          name: 'app',
          image: 'a:1',
          environment: [
            { name: 'DB_PASSWORD', value: 'old-pass' },
            { name: 'LOG_LEVEL', value: 'info' }
          ],
          secrets: [{ name: 'API', valueFrom: 'arn:aws:ssm:::parameter/a' }]
        }
      ]
    }
    const to = {
      containerDefinitions: [
        {
          name: 'app',
          image: 'a:2',
          environment: [
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'DB_PASSWORD', value: 'new-pass' }
          ],
          secrets: [{ name: 'API', valueFrom: 'arn:aws:ssm:::parameter/b' }]
        },
        { name: 'sidecar', image: 's:1' }
      ]
    }
    const changes = diff(redactTaskDefinition(from), redactTaskDefinition(to))
    expect(changes).toEqual([
      { field: 'containerDefinitions[app].image', from: 'a:1', to: 'a:2' },
      {
        field: 'containerDefinitions[app].environment[LOG_LEVEL].value',
        from: fingerprint('info'),
        to: fingerprint('debug')
      },
      {
        field: 'containerDefinitions[app].environment[DB_PASSWORD].value',
        from: fingerprint('old-pass'),
        to: fingerprint('new-pass')
      },
      // An ARN names where the secret is, it is not the secret: a reviewer sees which one is read.
      {
        field: 'containerDefinitions[app].secrets[API].valueFrom',
        from: 'arn:aws:ssm:::parameter/a',
        to: 'arn:aws:ssm:::parameter/b'
      }
    ])
    expect(JSON.stringify(changes)).not.toMatch(/pass|info|debug/)
  })

  test('subset mode ignores fields only the actual side has (AWS defaults)', () => {
    expect(
      diff(
        { HealthCheckPath: '/', HealthCheckPort: 'traffic-port' },
        { HealthCheckPath: '/x' },
        { subset: true }
      )
    ).toEqual([{ field: 'HealthCheckPath', from: '/', to: '/x' }])
  })

  test.each<[unknown, unknown, boolean]>([
    [{ a: 1 }, { a: 1, b: 2 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ m: { HttpCode: '200' } }, { m: { HttpCode: '200', GrpcCode: '12' } }, true],
    [[], undefined, true],
    [['x'], ['x', 'y'], false],
    [undefined, 5, true],
    [{ a: [{ b: 1 }] }, { a: [{ b: 1, c: 2 }] }, true]
  ])('isSubset(%j, %j) = %s', (desired, actual, expected) => {
    expect(isSubset(desired, actual)).toBe(expected)
  })
})
