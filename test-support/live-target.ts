import { randomBytes } from 'node:crypto'
import {
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTaskDefinitionsCommand
} from '@aws-sdk/client-ecs'
import {
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'

/**
 * Where the live suite (__tests__/live) runs its scenarios: the emulator it starts itself, or a real AWS
 * account, and only when the environment opts in completely (ECS_ALB_DEPLOY_LIVE=1, an account allow-list,
 * a region and the network to use). Everything here is named after one prefix per run and tagged with it.
 */

/** The tag every resource of a live run carries (value: the run's prefix); the clean-up matches it. */
export const LIVE_RUN_TAG = 'ecs-alb-deploy:live-run'
/** Every run's prefix starts so (the clean-up policy's tag condition names it). */
export const LIVE_PREFIX_STEM = 'eadl-'

interface Common {
  /** Unique per run: the load balancer, target groups, service and task definition family start with it. */
  prefix: string
  cluster: string
  subnets: string[]
  securityGroups: string[]
  assignPublicIp: 'ENABLED' | 'DISABLED'
  scheme: 'internal' | 'internet-facing'
  /** The image deployed first, and the one the image change moves to. */
  images: [string, string]
  /** A container (image and fields) whose health check fails: the rollback scenario. */
  failing: { image: string; container: Record<string, unknown> }
  healthCheckPath: string
  executionRoleArn?: string
  pollIntervalSeconds: number
  waitForMinutes: number
}

export interface EmulatorTarget extends Common {
  kind: 'emulator'
}

export interface AwsTarget extends Common {
  kind: 'aws'
  region: string
  /** The only accounts the suite may touch (ECS_ALB_DEPLOY_LIVE_ACCOUNTS). */
  accounts: string[]
}

export type LiveTarget = EmulatorTarget | AwsTarget

/** `eadl-` and 8 random base-36 characters: short enough for ELBv2's 32-character names with suffixes. */
export const newRunPrefix = (): string =>
  LIVE_PREFIX_STEM +
  [...randomBytes(8)]
    .map(b => (b % 36).toString(36))
    .join('')
    .slice(0, 8)

const csv = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map(x => x.trim())
    .filter(Boolean)

const NGINX = 'public.ecr.aws/nginx/nginx'

/**
 * The target the environment names. Without ECS_ALB_DEPLOY_LIVE=1: the emulator (its seeded VPC, subnets
 * and security groups). With it: AWS, and every other variable it needs must be set, or this throws; it
 * never falls back to the emulator then, so a misconfigured scheduled run fails instead of passing on
 * the emulator.
 */
export function liveTarget(env: NodeJS.ProcessEnv, prefix: string): LiveTarget {
  if (env.ECS_ALB_DEPLOY_LIVE !== '1') {
    return {
      kind: 'emulator',
      prefix,
      cluster: 'ecs-demo',
      subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      securityGroups: ['sg-0123456789abcdef0'],
      assignPublicIp: 'DISABLED',
      scheme: 'internal',
      images: [`${NGINX}:stable`, `${NGINX}:mainline`],
      // The emulator's images are told how to behave (POST /_emulator/images): this one answers 500.
      failing: { image: `${NGINX}:broken`, container: {} },
      healthCheckPath: '/hostname',
      pollIntervalSeconds: 1,
      waitForMinutes: 3
    }
  }
  const missing: string[] = []
  const need = (name: string): string => {
    const v = env[name]?.trim()
    if (!v) missing.push(name)
    return v ?? ''
  }
  const region = need('AWS_REGION')
  const accounts = csv(need('ECS_ALB_DEPLOY_LIVE_ACCOUNTS'))
  const cluster = need('ECS_ALB_DEPLOY_LIVE_CLUSTER')
  const subnets = csv(need('ECS_ALB_DEPLOY_LIVE_SUBNETS'))
  const securityGroups = csv(need('ECS_ALB_DEPLOY_LIVE_SECURITY_GROUPS'))
  if (missing.length)
    throw new Error(`ECS_ALB_DEPLOY_LIVE=1 needs ${missing.join(', ')} (see README, "Live suite")`)
  const badAccounts = accounts.filter(a => !/^\d{12}$/.test(a))
  if (badAccounts.length)
    throw new Error(`ECS_ALB_DEPLOY_LIVE_ACCOUNTS: not 12-digit account ids: ${badAccounts.join(', ')}`)
  if (subnets.length < 2)
    throw new Error('ECS_ALB_DEPLOY_LIVE_SUBNETS: an ALB needs two subnets in different zones')
  const assignPublicIp = env.ECS_ALB_DEPLOY_LIVE_ASSIGN_PUBLIC_IP?.trim() || 'ENABLED'
  if (assignPublicIp !== 'ENABLED' && assignPublicIp !== 'DISABLED')
    throw new Error('ECS_ALB_DEPLOY_LIVE_ASSIGN_PUBLIC_IP: ENABLED or DISABLED')
  const first = env.ECS_ALB_DEPLOY_LIVE_IMAGE?.trim() || `${NGINX}:stable`
  const second = env.ECS_ALB_DEPLOY_LIVE_IMAGE_2?.trim() || `${NGINX}:mainline`
  return {
    kind: 'aws',
    region,
    accounts,
    prefix,
    cluster,
    subnets,
    securityGroups,
    assignPublicIp,
    scheme: 'internal',
    images: [first, second],
    // The same image, told to serve nothing: every health check is refused, as a broken release would be.
    failing: { image: second, container: { entryPoint: ['sh', '-c'], command: ['sleep 3600'] } },
    healthCheckPath: '/',
    executionRoleArn: env.ECS_ALB_DEPLOY_LIVE_EXECUTION_ROLE_ARN?.trim() || undefined,
    pollIntervalSeconds: 10,
    waitForMinutes: 15
  }
}

/**
 * The account the credentials act in, read from what ECS answers for a service name in the cluster (a
 * name resolves in the caller's own account, and a missing service is still answered with its ARN): no
 * STS client needed, and only ecs:DescribeServices, which the action's policy already allows.
 */
export async function callerAccount(ecs: ECSClient, cluster: string, service: string): Promise<string> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))
  const arn = out.services?.[0]?.serviceArn ?? out.failures?.[0]?.arn ?? ''
  const account = arn.split(':')[4] ?? ''
  if (!/^\d{12}$/.test(account)) throw new Error(`cannot tell the account from ECS's answer (${arn})`)
  return account
}

/** Throws, before anything is created, unless the credentials act in an allowed account. */
export async function assertAllowedAccount(opts: {
  ecs: ECSClient
  cluster: string
  service: string
  accounts: string[]
}): Promise<string> {
  const account = await callerAccount(opts.ecs, opts.cluster, opts.service)
  if (!opts.accounts.includes(account))
    throw new Error(
      `the credentials act in account ${account}, which is not in ECS_ALB_DEPLOY_LIVE_ACCOUNTS: nothing was created`
    )
  return account
}

const errorName = (e: unknown): string => (e as { name?: string })?.name ?? String(e)

/**
 * Removes what a run may have left once the action's own teardown ran: the service and revisions (if that
 * teardown failed), and what the action never deletes — the load balancer and its listeners — and then
 * the target groups. Only resources named after the prefix AND tagged with it. Returns what it could not
 * remove (empty: nothing is left).
 */
export async function sweepRun(opts: {
  ecs: ECSClient
  elbv2: ElasticLoadBalancingV2Client
  cluster: string
  prefix: string
}): Promise<string[]> {
  const { ecs, elbv2, cluster, prefix } = opts
  const failed: string[] = []
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn()
    } catch (e) {
      failed.push(`${what}: ${errorName(e)} ${(e as Error)?.message ?? ''}`.trim())
    }
  }
  const taggedWithRun = async (arns: string[]): Promise<string[]> => {
    if (!arns.length) return []
    const out: string[] = []
    // DescribeTags takes at most 20 ARNs.
    for (let i = 0; i < arns.length; i += 20) {
      const { TagDescriptions } = await elbv2.send(
        new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) })
      )
      for (const d of TagDescriptions ?? [])
        if (d.Tags?.some(t => t.Key === LIVE_RUN_TAG && t.Value === prefix)) out.push(d.ResourceArn!)
    }
    return out
  }

  const services = [`${prefix}-web`, `${prefix}-web-live`]
  const described = await ecs.send(new DescribeServicesCommand({ cluster, services, include: ['TAGS'] }))
  for (const s of described.services ?? []) {
    const ours = s.tags?.some(t => t.key === LIVE_RUN_TAG && t.value === prefix)
    if (s.status === 'ACTIVE' && ours)
      await attempt(`service ${s.serviceName}`, () =>
        ecs.send(new DeleteServiceCommand({ cluster, service: s.serviceName, force: true }))
      )
  }

  const lbs = await elbv2
    .send(new DescribeLoadBalancersCommand({ Names: [prefix] }))
    .then(r => r.LoadBalancers ?? [])
    .catch(() => [])
  for (const lbArn of await taggedWithRun(lbs.map(l => l.LoadBalancerArn!))) {
    const { Listeners } = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))
    for (const l of Listeners ?? [])
      await attempt(`listener ${l.ListenerArn}`, () =>
        elbv2.send(new DeleteListenerCommand({ ListenerArn: l.ListenerArn }))
      )
    await attempt(`load balancer ${lbArn}`, () =>
      elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }))
    )
  }

  const groups: string[] = []
  for (let marker: string | undefined, first = true; first || marker; first = false) {
    const page = await elbv2.send(new DescribeTargetGroupsCommand({ Marker: marker }))
    groups.push(
      ...(page.TargetGroups ?? [])
        .filter(g => g.TargetGroupName?.startsWith(`${prefix}-`))
        .map(g => g.TargetGroupArn!)
    )
    marker = page.NextMarker
  }
  for (const arn of await taggedWithRun(groups)) {
    // A target group is in use until its load balancer's listeners are gone, which takes a moment on AWS.
    await attempt(`target group ${arn}`, async () => {
      for (let i = 0; ; i++) {
        try {
          return await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }))
        } catch (e) {
          if (errorName(e) !== 'ResourceInUseException' || i >= 12) throw e
          await new Promise(r => setTimeout(r, 5000))
        }
      }
    })
  }

  for (const family of [`${prefix}-web`, `${prefix}-web-live`]) {
    const { taskDefinitionArns } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE' })
    )
    for (const arn of (taskDefinitionArns ?? []).filter(a => a.split('/')[1]?.split(':')[0] === family))
      await attempt(`task definition ${arn}`, () =>
        ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }))
      )
  }
  return failed
}
