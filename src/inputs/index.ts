import * as core from '@actions/core'
import type { DeployRequest, ListenerRuleRequest, TaskDefinitionRequest } from '../model/request.js'
import { InputError } from './errors.js'
import { applyImages } from './images.js'
import { knownNetworkMode } from './network-mode.js'
import { INPUT_KEYS, INPUTS, parseInputs, withDefaults, type ParsedInputs, type RawInputs } from './table.js'
import { validateCombination, validateDaemon } from './validate-combination.js'
import { validateListenerRule } from './validate-listener-rule.js'
import { validatePreview } from './validate-preview.js'
import { validateService, type ServiceInput } from './validate-service.js'
import { validateDeploymentStrategy } from './validate-deployment-strategy.js'
import { catchAllRule, isNativeStrategy } from '../model/deployment-strategy.js'
import { validateTaskDefinition } from './validate-task-definition.js'
import { MIN_MASKED_LENGTH } from '../model/redact.js'

export { InputError } from './errors.js'
export {
  ACTION_DEFAULTS,
  INPUT_NAMES,
  INPUTS,
  withDefaults,
  type InputKey,
  type InputName,
  type RawInputs
} from './table.js'

/** Reads every input once, as the table declares them, and turns them into a DeployRequest. */
export function readInputs(): DeployRequest {
  return parseRequest(readRawInputs())
}

/** The runner's values of every input in the table (booleans through getBooleanInput). */
export function readRawInputs(): RawInputs {
  const raw: Record<string, string | boolean> = {}
  for (const key of INPUT_KEYS) {
    const spec = INPUTS[key]
    raw[key] =
      typeof spec.default === 'boolean' ? readFlag(spec.name, spec.default) : core.getInput(spec.name)
  }
  return raw as RawInputs
}

/** getBooleanInput's error names neither the value nor the accepted words in our style; empty: default. */
function readFlag(name: string, fallback: boolean): boolean {
  try {
    return core.getBooleanInput(name)
  } catch {
    const text = core.getInput(name)
    // Outside a runner nothing fills action.yml's defaults in; empty means "as declared there".
    if (text === '') return fallback
    throw new InputError(
      name,
      undefined,
      `must be true or false (or True/TRUE/False/FALSE), got ${JSON.stringify(text)}`
    )
  }
}

export interface ParseOptions {
  /**
   * Where relative file paths point, and the workspace file inputs must be in (besides RUNNER_TEMP);
   * default GITHUB_WORKSPACE, else the process's directory.
   */
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Masks a value in the job log; default core.setSecret. */
  setSecret?: (value: string) => void
}

/**
 * The inputs, checked and combined into one DeployRequest, or an InputError naming the input and field.
 * Makes no AWS call; its only effects are reading the files the inputs name and masking secret values.
 */
export function parseRequest(rawInputs: RawInputs, opts: ParseOptions = {}): DeployRequest {
  const registered: string[] = []
  const setSecret = (value: string): void => {
    // Masking "1" or "on" would garble every line that holds them; such values are never printed anyway.
    if (value.length < MIN_MASKED_LENGTH) return
    registered.push(value)
    ;(opts.setSecret ?? core.setSecret)(value)
  }
  try {
    return buildRequest(rawInputs, { ...opts, setSecret })
  } catch (error) {
    // A refused value may be a secret (a number where text is due): the runner masks the log, but the
    // job summary and the message itself must not hold it either.
    if (!(error instanceof InputError)) throw error
    const detail = registered.reduce((text, secret) => text.split(secret).join('***'), error.detail)
    if (detail === error.detail) throw error
    throw new InputError(error.input, error.field, detail)
  }
}

/** Each input parsed on its own (the table), then the rules that relate them, then the request. */
function buildRequest(
  rawInputs: RawInputs,
  opts: ParseOptions & { setSecret: (value: string) => void }
): DeployRequest {
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? env.GITHUB_WORKSPACE ?? process.cwd()
  // File inputs come from the workspace or the runner's temp folder only (parse-document.ts).
  const roots = [cwd, ...(env.RUNNER_TEMP ? [env.RUNNER_TEMP] : [])]
  const input = parseInputs({ raw: withDefaults(rawInputs), cwd, roots, setSecret: opts.setSecret })

  const preview = validatePreview({
    id: input.previewId,
    routing: input.previewRouting,
    hostTemplate: input.previewHostTemplate,
    env
  })
  // A teardown job whose preview inputs came out empty must not fall back to removing production.
  if (input.delete && !preview && !input.deleteBaseStack) {
    throw new InputError(
      'delete',
      undefined,
      'is true without a preview (preview-routing is empty), so it would remove the base stack itself: set delete-base-stack: true to confirm that'
    )
  }
  if (input.deleteBaseStack && (!input.delete || preview)) {
    throw new InputError(
      'delete-base-stack',
      undefined,
      input.delete
        ? 'confirms removing the base stack, but a preview is set (only the preview would be removed): drop one of them'
        : 'only confirms delete: true, which is not set'
    )
  }

  const listenerRule = validateListenerRule(input.listenerRule, input.listenerRulePriorityRange)
  const service = input.service
  if (input.promote && (input.delete || input.dryRun)) {
    throw new InputError(
      INPUTS.promote.name,
      undefined,
      `acts on a paused deployment; it does not go with ${input.delete ? 'delete' : 'dry-run'}: true`
    )
  }

  // promote acts on a deployment that exists: only the cluster and the service's name are read.
  const taskDefinition: TaskDefinitionRequest = input.promote
    ? { kind: 'reference', ref: service.taskDefinition ?? '' }
    : validateDeployInputs({ input, service, listenerRule, preview: preview !== undefined })
  const request: DeployRequest = {
    cluster: input.cluster,
    service: { ...service, cluster: input.cluster },
    taskDefinition,
    listener: input.listener.request,
    redirectHttpToHttps: input.redirectHttpToHttps,
    waitUntil: input.waitUntil,
    forceNewDeployment: input.forceNewDeployment,
    tags: input.tags,
    wait: {
      enabled: input.waitForServiceStability,
      minutes: input.waitForMinutes,
      pollIntervalSeconds: input.pollIntervalSeconds,
      rollbackOnFailure: input.rollbackOnFailure,
      newServiceOnFailure: input.newServiceOnFailure
    },
    dryRun: input.dryRun,
    summary: input.summary,
    adoptExisting: input.adoptExisting,
    maxAttempts: input.maxAttempts,
    delete: input.delete,
    deleteBaseStack: input.deleteBaseStack
  }
  if (input.awsRegion !== undefined) request.region = input.awsRegion
  if (input.loadBalancer) request.loadBalancer = input.loadBalancer
  if (input.targetGroup) request.targetGroup = input.targetGroup
  if (input.loadBalancerAttributes) request.loadBalancerAttributes = input.loadBalancerAttributes
  if (input.targetGroupAttributes) request.targetGroupAttributes = input.targetGroupAttributes
  if (listenerRule) request.listenerRule = listenerRule
  else if (isNativeStrategy(service.deploymentConfiguration) && !preview) {
    // ECS shifts the weights of a listener RULE, never of a listener's default action: without a
    // listener-rule input, the service gets a catch-all rule evaluated after every other one.
    request.listenerRule = catchAllRule()
  }
  if (input.testListener) request.testListener = input.testListener
  if (input.promote) request.promote = input.promote
  if (input.desiredCount !== undefined) request.desiredCount = input.desiredCount
  if (preview) request.preview = { ...preview, priorityRange: input.listenerRulePriorityRange }
  if (input.githubToken) request.githubToken = input.githubToken
  return request
}

/**
 * What a deploy reads besides the service name: the task definition (with images), how the inputs fit
 * together, the service file and its strategy. Returns the task definition request.
 */
function validateDeployInputs(opts: {
  input: ParsedInputs
  service: ServiceInput
  listenerRule: ListenerRuleRequest | undefined
  preview: boolean
}): TaskDefinitionRequest {
  const { input, service, listenerRule, preview } = opts
  const taskDefinition = applyImages({
    text: input.images,
    taskDefinition: validateTaskDefinition(input.taskDefinition, service.taskDefinition)
  })
  const networkMode = knownNetworkMode({ taskDefinition, service })
  // How the inputs fit together first: a misplaced input explains more than what follows from it.
  validateCombination({
    loadBalancer: input.loadBalancer,
    targetGroup: input.targetGroup,
    loadBalancerAttributes: input.loadBalancerAttributes !== undefined,
    targetGroupAttributes: input.targetGroupAttributes !== undefined,
    listenerGiven: input.listener.given,
    listener: input.listener.request,
    listenerRule,
    redirectHttpToHttps: input.redirectHttpToHttps,
    service,
    networkMode,
    preview
  })
  if (preview && taskDefinition.kind === 'reference' && taskDefinition.images) {
    throw new InputError(
      INPUTS.images.name,
      undefined,
      `with a preview needs the task-definition input as a document: a preview registers into its own family (<family>-<id>), never into the shared family of ${taskDefinition.ref}`
    )
  }
  validateDaemon({
    service,
    desiredCountInput: input.desiredCount,
    newServiceOnFailure: input.newServiceOnFailure
  })
  validateService(service, {
    cluster: input.cluster,
    targetGroupGiven: input.targetGroup !== undefined,
    taskDefinition,
    networkMode
  })
  validateDeploymentStrategy({
    service,
    targetGroupGiven: input.targetGroup !== undefined,
    listener: input.listener.request,
    testListener: input.testListener,
    waitUntil: input.waitUntil,
    preview
  })
  return taskDefinition
}
