import * as core from '@actions/core'
import type { DeployRequest } from '../model/request.js'
import { InputError } from './errors.js'
import { readDocumentInput, type DocumentInput } from './parse-document.js'
import { knownNetworkMode } from './network-mode.js'
import { ACTION_DEFAULTS, INPUT_NAMES, withDefaults, type RawInputs } from './raw-inputs.js'
import { validatePreview } from './validate-preview.js'
import {
  parseChoice,
  parseCluster,
  parseInteger,
  parseOptionalInteger,
  parsePriorityRange,
  parseRegion,
  parseTags
} from './scalars.js'
import { registerTaskDefinitionSecrets } from './secrets.js'
import { validateCombination } from './validate-combination.js'
import { validateListener } from './validate-listener.js'
import { validateListenerRule } from './validate-listener-rule.js'
import { validateLoadBalancer } from './validate-load-balancer.js'
import { serviceDocument, validateService } from './validate-service.js'
import { validateTargetGroup } from './validate-target-group.js'
import { parseAttributes } from './validate-attributes.js'
import { validateTaskDefinition } from './validate-task-definition.js'
import { applyImages } from './images.js'

export { InputError } from './errors.js'
export {
  ACTION_DEFAULTS,
  INPUT_NAMES,
  toActionInputs,
  toInputEnv,
  withDefaults,
  type RawInputs
} from './raw-inputs.js'

/**
 * Reads every input once (booleans through getBooleanInput) and turns them into a DeployRequest. The
 * names are spelled out so that the action.yml contract test sees every input read.
 */
export function readInputs(): DeployRequest {
  return parseRequest({
    cluster: core.getInput('cluster'),
    service: core.getInput('service'),
    taskDefinition: core.getInput('task-definition'),
    images: core.getInput('images'),
    loadBalancer: core.getInput('load-balancer'),
    targetGroup: core.getInput('target-group'),
    loadBalancerAttributes: core.getInput('load-balancer-attributes'),
    targetGroupAttributes: core.getInput('target-group-attributes'),
    listener: core.getInput('listener'),
    listenerRule: core.getInput('listener-rule'),
    listenerRulePriorityRange: core.getInput('listener-rule-priority-range'),
    redirectHttpToHttps: flag('redirectHttpToHttps', () => core.getBooleanInput('redirect-http-to-https')),
    desiredCount: core.getInput('desired-count'),
    forceNewDeployment: flag('forceNewDeployment', () => core.getBooleanInput('force-new-deployment')),
    tags: core.getInput('tags'),
    waitForServiceStability: flag('waitForServiceStability', () =>
      core.getBooleanInput('wait-for-service-stability')
    ),
    waitForMinutes: core.getInput('wait-for-minutes'),
    pollIntervalSeconds: core.getInput('poll-interval-seconds'),
    rollbackOnFailure: flag('rollbackOnFailure', () => core.getBooleanInput('rollback-on-failure')),
    newServiceOnFailure: core.getInput('new-service-on-failure'),
    dryRun: flag('dryRun', () => core.getBooleanInput('dry-run')),
    summary: flag('summary', () => core.getBooleanInput('summary')),
    adoptExisting: flag('adoptExisting', () => core.getBooleanInput('adopt-existing')),
    previewId: core.getInput('preview-id'),
    previewRouting: core.getInput('preview-routing'),
    previewHostTemplate: core.getInput('preview-host-template'),
    delete: flag('delete', () => core.getBooleanInput('delete')),
    deleteBaseStack: flag('deleteBaseStack', () => core.getBooleanInput('delete-base-stack')),
    githubToken: core.getInput('github-token'),
    awsRegion: core.getInput('aws-region'),
    maxAttempts: core.getInput('max-attempts')
  })
}

type BooleanKey = { [K in keyof RawInputs]: RawInputs[K] extends boolean ? K : never }[keyof RawInputs]

/** getBooleanInput's error names neither the value nor the accepted words in our style; empty: default. */
function flag(key: BooleanKey, read: () => boolean): boolean {
  try {
    return read()
  } catch {
    const name = INPUT_NAMES[key]
    const text = core.getInput(name)
    // Outside a runner nothing fills action.yml's defaults in; empty means "as declared there".
    if (text === '') return ACTION_DEFAULTS[key]
    throw new InputError(
      name,
      undefined,
      `must be true or false (or True/TRUE/False/FALSE), got ${JSON.stringify(text)}`
    )
  }
}

export interface ParseOptions {
  /** Where relative file paths point; default GITHUB_WORKSPACE, else the process's directory. */
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

function buildRequest(
  rawInputs: RawInputs,
  opts: ParseOptions & { setSecret: (value: string) => void }
): DeployRequest {
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? env.GITHUB_WORKSPACE ?? process.cwd()
  const raw = withDefaults(rawInputs)
  // Masked before anything else is read: any later input may be the one that fails.
  const githubToken = raw.githubToken.trim()
  if (githubToken) opts.setSecret(githubToken)

  const read = (key: keyof RawInputs, allowReference = false): DocumentInput =>
    readDocumentInput({ input: INPUT_NAMES[key], text: raw[key] as string, cwd, allowReference })
  // The task definition first: its secret values are masked before any message could quote one.
  const taskDefinitionDoc = read('taskDefinition', true)
  if (taskDefinitionDoc.kind === 'document') {
    registerTaskDefinitionSecrets(taskDefinitionDoc.value, opts.setSecret)
  }

  const cluster = parseCluster({ input: 'cluster', text: raw.cluster })
  const desiredCount = parseOptionalInteger({
    input: 'desired-count',
    text: raw.desiredCount,
    min: 0,
    max: 5000
  })
  const minutes = parseInteger({ input: 'wait-for-minutes', text: raw.waitForMinutes, min: 1, max: 360 })
  const pollIntervalSeconds = parseInteger({
    input: 'poll-interval-seconds',
    text: raw.pollIntervalSeconds,
    min: 1,
    max: 300
  })
  const maxAttempts = parseInteger({ input: 'max-attempts', text: raw.maxAttempts, min: 1, max: 20 })
  const priorityRange = parsePriorityRange({
    input: 'listener-rule-priority-range',
    text: raw.listenerRulePriorityRange
  })
  const newServiceOnFailure = parseChoice({
    input: 'new-service-on-failure',
    text: raw.newServiceOnFailure,
    choices: ['keep', 'scale-to-zero'] as const
  })
  const region = parseRegion({ input: 'aws-region', text: raw.awsRegion })
  const tags = parseTags({ input: 'tags', text: raw.tags })
  const preview = validatePreview({
    id: raw.previewId,
    routing: raw.previewRouting,
    hostTemplate: raw.previewHostTemplate,
    env
  })
  // A teardown job whose preview inputs came out empty must not fall back to removing production.
  if (raw.delete && !preview && !raw.deleteBaseStack) {
    throw new InputError(
      'delete',
      undefined,
      'is true without a preview (preview-routing is empty), so it would remove the base stack itself: set delete-base-stack: true to confirm that'
    )
  }
  if (raw.deleteBaseStack && (!raw.delete || preview)) {
    throw new InputError(
      'delete-base-stack',
      undefined,
      raw.delete
        ? 'confirms removing the base stack, but a preview is set (only the preview would be removed): drop one of them'
        : 'only confirms delete: true, which is not set'
    )
  }

  const loadBalancer = validateLoadBalancer(read('loadBalancer', true))
  const targetGroup = validateTargetGroup(read('targetGroup'))
  const loadBalancerAttributes = parseAttributes({
    input: INPUT_NAMES.loadBalancerAttributes,
    text: raw.loadBalancerAttributes,
    kind: 'load balancer'
  })
  const targetGroupAttributes = parseAttributes({
    input: INPUT_NAMES.targetGroupAttributes,
    text: raw.targetGroupAttributes,
    kind: 'target group'
  })
  const listenerDoc = read('listener')
  const listener = validateListener(listenerDoc)
  const listenerRule = validateListenerRule(read('listenerRule'), priorityRange)
  const service = serviceDocument(read('service'))
  const taskDefinition = applyImages({
    text: raw.images,
    taskDefinition: validateTaskDefinition(taskDefinitionDoc, service.taskDefinition)
  })
  const networkMode = knownNetworkMode({ taskDefinition, service })
  // How the inputs fit together first: a misplaced input explains more than what follows from it.
  validateCombination({
    loadBalancer,
    targetGroup,
    loadBalancerAttributes: loadBalancerAttributes !== undefined,
    targetGroupAttributes: targetGroupAttributes !== undefined,
    listenerGiven: !sameDocument(listenerDoc, ACTION_DEFAULTS.listener),
    listener,
    listenerRule,
    redirectHttpToHttps: raw.redirectHttpToHttps,
    service,
    networkMode,
    preview: preview !== undefined
  })
  if (preview && taskDefinition.kind === 'reference' && taskDefinition.images) {
    throw new InputError(
      INPUT_NAMES.images,
      undefined,
      `with a preview needs the task-definition input as a document: a preview registers into its own family (<family>-<id>), never into the shared family of ${taskDefinition.ref}`
    )
  }
  validateService(service, {
    cluster,
    targetGroupGiven: targetGroup !== undefined,
    taskDefinition,
    networkMode
  })

  const request: DeployRequest = {
    cluster,
    service: { ...service, cluster },
    taskDefinition,
    listener,
    redirectHttpToHttps: raw.redirectHttpToHttps,
    forceNewDeployment: raw.forceNewDeployment,
    tags,
    wait: {
      enabled: raw.waitForServiceStability,
      minutes,
      pollIntervalSeconds,
      rollbackOnFailure: raw.rollbackOnFailure,
      newServiceOnFailure
    },
    dryRun: raw.dryRun,
    summary: raw.summary,
    adoptExisting: raw.adoptExisting,
    maxAttempts,
    delete: raw.delete,
    deleteBaseStack: raw.deleteBaseStack
  }
  if (region !== undefined) request.region = region
  if (loadBalancer) request.loadBalancer = loadBalancer
  if (targetGroup) request.targetGroup = targetGroup
  if (loadBalancerAttributes) request.loadBalancerAttributes = loadBalancerAttributes
  if (targetGroupAttributes) request.targetGroupAttributes = targetGroupAttributes
  if (listenerRule) request.listenerRule = listenerRule
  if (desiredCount !== undefined) request.desiredCount = desiredCount
  if (preview) request.preview = { ...preview, priorityRange }
  if (githubToken) request.githubToken = githubToken
  return request
}

/** Whether a parsed document says the same as this JSON text, whatever the key order or formatting. */
function sameDocument(doc: DocumentInput, json: string): boolean {
  const canonical = (v: unknown): string =>
    JSON.stringify(v, (_k, x: unknown) =>
      x && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
        : x
    )
  return doc.kind === 'document' && canonical(doc.value) === canonical(JSON.parse(json))
}
