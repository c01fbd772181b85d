import type {
  CanaryConfiguration,
  DeploymentConfiguration,
  DeploymentLifecycleHook,
  LinearConfiguration
} from '@aws-sdk/client-ecs'
import { isNativeStrategy, LIFECYCLE_STAGES, type WaitUntil } from '../model/deployment-strategy.js'
import type { ListenerRequest } from '../model/request.js'
import { InputError, show } from './errors.js'
import type { DocumentInput } from './parse-document.js'
import type { ServiceInput } from './validate-service.js'
import { validateListener } from './validate-listener.js'

/*
 * ECS's native strategies (BLUE_GREEN, LINEAR, CANARY), checked before any AWS call. Ranges are those of
 * the ECS API reference (LinearConfiguration, CanaryConfiguration, DeploymentConfiguration,
 * DeploymentLifecycleHook).
 */

const SERVICE = 'service'
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/
/** PAUSE hooks cannot be configured at these stages (DeploymentLifecycleHook.lifecycleStages). */
const NO_PAUSE_STAGES = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT']
/** The stages a hook may run at: every lifecycle stage but SCALE_UP, BAKE_TIME and CLEAN_UP. */
const HOOK_STAGES: string[] = LIFECYCLE_STAGES.filter(
  s => s !== 'SCALE_UP' && s !== 'BAKE_TIME' && s !== 'CLEAN_UP'
)
const BAKE_MINUTES = { min: 0, max: 1440 }

/** test-listener: a CreateListener shape whose default action the action owns (a 404, the test rule routes). */
export function parseTestListener(doc: DocumentInput, input: string): ListenerRequest | undefined {
  if (doc.kind === 'empty') return undefined
  if (
    doc.kind === 'document' &&
    doc.value &&
    typeof doc.value === 'object' &&
    'DefaultActions' in doc.value
  ) {
    throw new InputError(
      input,
      'DefaultActions',
      'is managed by the action (a 404 for what no rule matches; the test rule ECS shifts serves the new revision): leave it out'
    )
  }
  return validateListener(doc, input)
}

export interface StrategyContext {
  service: ServiceInput
  /** Whether the action manages a target group (it then creates the alternate one). */
  targetGroupGiven: boolean
  listener: ListenerRequest
  testListener?: ListenerRequest
  waitUntil: WaitUntil
  preview: boolean
}

/** The inputs that only mean something under a native strategy, and the strategy's own settings. */
export function validateDeploymentStrategy(ctx: StrategyContext): void {
  const config = ctx.service.deploymentConfiguration
  const strategy = config?.strategy ?? 'ROLLING'
  if (config) checkConfiguration(config)
  // A preview deploys ROLLING whatever the base's strategy (applyPreview): these inputs are the base's.
  if (ctx.preview) return
  if (!isNativeStrategy(config)) {
    if (ctx.testListener) {
      throw new InputError(
        'test-listener',
        undefined,
        `needs a BLUE_GREEN, LINEAR or CANARY deploymentConfiguration.strategy in the service input (it is ${strategy}): only ECS's own strategies shift test traffic`
      )
    }
    if (ctx.waitUntil !== 'complete') {
      throw new InputError(
        'wait-until',
        undefined,
        `names the lifecycle stage ${ctx.waitUntil}, but the service deploys ${strategy}: only BLUE_GREEN, LINEAR and CANARY deployments have lifecycle stages`
      )
    }
    return
  }
  if (!ctx.targetGroupGiven) {
    throw new InputError(
      'target-group',
      undefined,
      `is required with deploymentConfiguration.strategy ${strategy}: the action creates the alternate target group from it`
    )
  }
  const lbs = ctx.service.loadBalancers ?? []
  if (lbs.length === 0) {
    throw new InputError(
      SERVICE,
      'loadBalancers[0].advancedConfiguration.roleArn',
      `is required with deploymentConfiguration.strategy ${strategy}: the infrastructure role ECS uses to move the listener rules' weights (see the README's IAM section)`
    )
  }
  lbs.forEach((lb, i) => {
    const roleArn = lb.advancedConfiguration?.roleArn
    const field = `loadBalancers[${i}].advancedConfiguration.roleArn`
    if (roleArn === undefined) {
      throw new InputError(
        SERVICE,
        field,
        `is required with deploymentConfiguration.strategy ${strategy}: the infrastructure role ECS uses to move the listener rules' weights (see the README's IAM section)`
      )
    }
    if (!ROLE_ARN.test(roleArn)) {
      throw new InputError(
        SERVICE,
        field,
        `must be an IAM role ARN (arn:aws:iam::123456789012:role/…), got ${show(roleArn)}`
      )
    }
  })
  if (ctx.testListener && ctx.testListener.Port === ctx.listener.Port) {
    throw new InputError(
      'test-listener',
      'Port',
      `is ${ctx.testListener.Port}, the production listener's port: the test listener needs a port of its own (e.g. 9000)`
    )
  }
}

function checkConfiguration(config: DeploymentConfiguration): void {
  const strategy = config.strategy ?? 'ROLLING'
  if (config.linearConfiguration) {
    if (strategy !== 'LINEAR') notFor('linearConfiguration', 'LINEAR', strategy)
    checkLinear(config.linearConfiguration)
  }
  if (config.canaryConfiguration) {
    if (strategy !== 'CANARY') notFor('canaryConfiguration', 'CANARY', strategy)
    checkCanary(config.canaryConfiguration)
  }
  config.lifecycleHooks?.forEach((hook, i) => checkHook(hook, i, strategy))
}

function notFor(field: string, wanted: string, strategy: string): never {
  throw new InputError(
    SERVICE,
    `deploymentConfiguration.${field}`,
    `only applies to strategy ${wanted}, but the strategy is ${strategy}`
  )
}

function checkLinear(c: LinearConfiguration): void {
  const at = 'deploymentConfiguration.linearConfiguration'
  checkPercent(`${at}.stepPercent`, c.stepPercent, 3)
  checkMinutes(`${at}.stepBakeTimeInMinutes`, c.stepBakeTimeInMinutes)
}

function checkCanary(c: CanaryConfiguration): void {
  const at = 'deploymentConfiguration.canaryConfiguration'
  checkPercent(`${at}.canaryPercent`, c.canaryPercent, 0.1)
  checkMinutes(`${at}.canaryBakeTimeInMinutes`, c.canaryBakeTimeInMinutes)
}

/** A multiple of 0.1 from `min` to 100.0. */
function checkPercent(field: string, value: unknown, min: number): void {
  if (value === undefined) return
  const tenths = typeof value === 'number' ? Math.round(value * 10) : NaN
  if (typeof value !== 'number' || Math.abs(tenths - value * 10) > 1e-6 || value < min || value > 100) {
    throw new InputError(
      SERVICE,
      field,
      `must be a multiple of 0.1 from ${min.toFixed(1)} to 100.0, got ${show(value)}`
    )
  }
}

function checkMinutes(field: string, value: unknown): void {
  if (value === undefined) return
  if (
    !Number.isInteger(value) ||
    (value as number) < BAKE_MINUTES.min ||
    (value as number) > BAKE_MINUTES.max
  ) {
    throw new InputError(
      SERVICE,
      field,
      `must be a whole number of minutes from ${BAKE_MINUTES.min} to ${BAKE_MINUTES.max}, got ${show(value)}`
    )
  }
}

function checkHook(hook: DeploymentLifecycleHook, i: number, strategy: string): void {
  const at = `deploymentConfiguration.lifecycleHooks[${i}]`
  const fail = (field: string, message: string): never => {
    throw new InputError(SERVICE, `${at}.${field}`, message)
  }
  if (strategy === 'ROLLING') {
    fail('lifecycleStages', 'lifecycle hooks need a BLUE_GREEN, LINEAR or CANARY strategy')
  }
  const type = hook.targetType ?? 'AWS_LAMBDA'
  if (type !== 'AWS_LAMBDA' && type !== 'PAUSE') {
    fail('targetType', `must be "AWS_LAMBDA" or "PAUSE", got ${show(hook.targetType)}`)
  }
  const stages = hook.lifecycleStages ?? []
  if (stages.length === 0) fail('lifecycleStages', 'is required: the stages at which the hook runs')
  stages.forEach((stage, j) => {
    if (!HOOK_STAGES.includes(stage)) {
      fail(`lifecycleStages[${j}]`, `must be one of ${HOOK_STAGES.join(', ')}, got ${show(stage)}`)
    }
    if (type === 'PAUSE' && NO_PAUSE_STAGES.includes(stage)) {
      fail(
        `lifecycleStages[${j}]`,
        `a PAUSE hook cannot be at ${stage} (only AWS_LAMBDA hooks run there); e.g. POST_TEST_TRAFFIC_SHIFT pauses once the test listener serves the new revision`
      )
    }
  })
  if (type === 'AWS_LAMBDA') {
    if (!LAMBDA_ARN.test(hook.hookTargetArn ?? '')) {
      fail(
        'hookTargetArn',
        `must be a Lambda function ARN for an AWS_LAMBDA hook, got ${show(hook.hookTargetArn)}`
      )
    }
    if (!ROLE_ARN.test(hook.roleArn ?? '')) {
      fail('roleArn', `must be the IAM role ARN ECS invokes the function with, got ${show(hook.roleArn)}`)
    }
  }
}
