import path from 'node:path'
import { repoRoot } from './run-action.js'

/** Inputs that replay the seed's walk with its own files. */
export const seedInputs = (overrides: Record<string, string> = {}): Record<string, string> => ({
  cluster: 'ecs-demo',
  'load-balancer': path.join(repoRoot, 'examples/seed/alb.json'),
  'target-group': path.join(repoRoot, 'examples/seed/target-group.json'),
  'task-definition': path.join(repoRoot, 'examples/seed/task-definition.json'),
  service: path.join(repoRoot, 'examples/seed/ecs-simple-service-elb.json'),
  'poll-interval-seconds': '1',
  'wait-for-minutes': '2',
  ...overrides
})

/** The seed's task definition with another image (an image change). */
export const seedTaskDefinition = (image = 'inokara/ecs-app:latest', extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    family: 'ecscompose-ecs-app',
    networkMode: 'bridge',
    containerDefinitions: [
      { name: 'app', image, memory: 128, essential: true, portMappings: [{ containerPort: 4567 }], ...extra }
    ]
  })

/** A Fargate service on awsvpc with ip targets, in the second (realistic) VPC. */
export const fargateInputs = (overrides: Record<string, string> = {}): Record<string, string> => ({
  cluster: 'ecs-demo',
  'load-balancer': JSON.stringify({
    Name: 'alb-fargate',
    Subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
    SecurityGroups: ['sg-0123456789abcdef0']
  }),
  'target-group': JSON.stringify({
    Name: 'web-ip',
    Protocol: 'HTTP',
    Port: 8080,
    TargetType: 'ip',
    HealthCheckPath: '/hostname',
    HealthCheckIntervalSeconds: 10,
    HealthyThresholdCount: 2,
    Matcher: { HttpCode: '200' }
  }),
  'task-definition': JSON.stringify({
    family: 'web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    containerDefinitions: [{ name: 'web', image: 'example/web:1.0', portMappings: [{ containerPort: 8080 }] }]
  }),
  service: JSON.stringify({
    serviceName: 'web',
    launchType: 'FARGATE',
    desiredCount: 3,
    loadBalancers: [{ containerName: 'web', containerPort: 8080 }],
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
        securityGroups: ['sg-0fedcba9876543210'],
        assignPublicIp: 'DISABLED'
      }
    }
  }),
  'poll-interval-seconds': '1',
  'wait-for-minutes': '2',
  ...overrides
})
