import { deepEqual } from '../model/diff.js'
import { readDocumentInput, type DocumentInput } from './parse-document.js'
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
import { parseAttributes } from './validate-attributes.js'
import { validateListener } from './validate-listener.js'
import { parseTestListener } from './validate-deployment-strategy.js'
import { LIFECYCLE_STAGES } from '../model/deployment-strategy.js'
import { validateLoadBalancer } from './validate-load-balancer.js'
import { serviceDocument } from './validate-service.js'
import { validateTargetGroup } from './validate-target-group.js'

/**
 * The action's inputs, declared once: per input its action.yml name, description, default and parser.
 * RawInputs, INPUT_NAMES, ACTION_DEFAULTS and the parsed values' types all follow from this table, the
 * runner's values are read by walking it (readInputs), and unit tests hold action.yml and README's inputs
 * table to it. Adding an input: a row here, its entry in action.yml and README, and the code that uses it.
 */

/** What a parser has besides the text. */
export interface ParseContext {
  /** The input's action.yml name: every InputError names it. */
  input: string
  /** Where relative file paths point. */
  cwd: string
  /** The folders file inputs may be read from (see ReadDocumentOptions.roots). */
  roots: readonly string[]
  /** Masks a value in the job log; parseRequest also keeps it out of its own messages. */
  setSecret: (value: string) => void
}

export interface InputSpec<Raw extends string | boolean, Name extends string, T> {
  /** The name in action.yml, in a workflow's `with:` and in `INPUT_…` environment variables. */
  name: Name
  /** action.yml's description of the input, word for word. */
  description: string
  /**
   * action.yml's default, applied here too: outside a runner nothing fills defaults in, and an input set
   * to '' means "as declared". Required inputs have none in action.yml; '' here.
   */
  default: Raw
  required: boolean
  /**
   * 'value': the text is a secret, masked before any input is parsed. 'within': the value may hold
   * secrets, which its parser masks; it is parsed before the other inputs, so that no message about them
   * can quote one.
   */
  secret?: 'value' | 'within'
  /** The input checked on its own; rules that relate inputs to each other come after (buildRequest). */
  parse: (raw: Raw, ctx: ParseContext) => T
}

/** A text input: required, or with a default ('' unless given). */
function textInput<Name extends string, T>(spec: {
  name: Name
  description: string
  required?: true
  default?: string
  secret?: 'value' | 'within'
  parse: (raw: string, ctx: ParseContext) => T
}): InputSpec<string, Name, T> {
  return { ...spec, default: spec.default ?? '', required: spec.required ?? false }
}

/** A boolean input: the runner's getBooleanInput reads it (true/True/TRUE, false/False/FALSE). */
function flagInput<Name extends string>(spec: {
  name: Name
  description: string
  default: boolean
}): InputSpec<boolean, Name, boolean> {
  return { ...spec, required: false, parse: value => value }
}

const DEFAULT_LISTENER = '{"Port": 80, "Protocol": "HTTP"}'

const readDocument = (
  text: string,
  ctx: ParseContext,
  opts: { allowReference?: boolean } = {}
): DocumentInput =>
  readDocumentInput({
    input: ctx.input,
    text,
    cwd: ctx.cwd,
    roots: ctx.roots,
    allowReference: opts.allowReference ?? false
  })

export const INPUTS = {
  cluster: textInput({
    name: 'cluster',
    description: 'Name or ARN of the ECS cluster the service runs in.',
    required: true,
    parse: (text, c) => parseCluster({ input: c.input, text })
  }),
  service: textInput({
    name: 'service',
    description:
      'The service: a file path, or inline JSON/YAML, in the CreateService input shape (aws ecs create-service --cli-input-json). The target group ARN in loadBalancers[] is filled in by the action.',
    required: true,
    parse: (text, c) => serviceDocument(readDocument(text, c))
  }),
  taskDefinition: textInput({
    name: 'task-definition',
    description:
      "A task definition file (RegisterTaskDefinition input, or DescribeTaskDefinition output) registered only when it changed, or an existing family, family:revision or ARN. Empty: the service JSON's own taskDefinition.",
    secret: 'within',
    parse: (text, c) => {
      const doc = readDocument(text, c, { allowReference: true })
      if (doc.kind === 'document') registerTaskDefinitionSecrets(doc.value, c.setSecret)
      return doc
    }
  }),
  images: textInput({
    name: 'images',
    description:
      'Container images to set in the task definition before it is compared and registered: container=image lines or a YAML/JSON map (e.g. app=123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:sha). With a file, replaces a separate render step; with an existing family (its latest revision), family:revision or ARN, that revision with these images is registered into its family unless the latest already is the same.',
    // Checked against the task definition's containers once both are read.
    parse: text => text
  }),
  loadBalancer: textInput({
    name: 'load-balancer',
    description:
      'The Application Load Balancer: a file path or inline JSON/YAML in the CreateLoadBalancer input shape (created or updated), or the name or ARN of an existing load balancer to reuse. Empty: the service has no load balancer.',
    parse: (text, c) => validateLoadBalancer(readDocument(text, c, { allowReference: true }))
  }),
  targetGroup: textInput({
    name: 'target-group',
    description:
      "The target group: a file path or inline JSON/YAML in the CreateTargetGroup input shape. VpcId defaults to the load balancer's VPC.",
    parse: (text, c) => validateTargetGroup(readDocument(text, c))
  }),
  loadBalancerAttributes: textInput({
    name: 'load-balancer-attributes',
    description:
      'Load balancer attributes to hold (ModifyLoadBalancerAttributes), e.g. idle_timeout.timeout_seconds: 120: a YAML/JSON map or key=value lines. Keys left out keep their values. Only with a load balancer the action manages.',
    parse: (text, c) => parseAttributes({ input: c.input, text, kind: 'load balancer' })
  }),
  targetGroupAttributes: textInput({
    name: 'target-group-attributes',
    description:
      'Target group attributes to hold (ModifyTargetGroupAttributes), e.g. deregistration_delay.timeout_seconds: 30 (AWS waits 300 s by default before a replaced task is gone): a YAML/JSON map or key=value lines. Keys left out keep their values.',
    parse: (text, c) => parseAttributes({ input: c.input, text, kind: 'target group' })
  }),
  listener: textInput({
    name: 'listener',
    description:
      'The listener: inline JSON/YAML or a file in the CreateListener input shape (Port, Protocol, Certificates, SslPolicy, DefaultActions). Without DefaultActions it forwards to the target group.',
    default: DEFAULT_LISTENER,
    parse: (text, c) => {
      const doc = readDocument(text, c)
      return { request: validateListener(doc), given: !sameDocument(doc, DEFAULT_LISTENER) }
    }
  }),
  listenerRule: textInput({
    name: 'listener-rule',
    description:
      'Route to the service by a rule on the listener instead of its default action: inline JSON/YAML or a file with Conditions (CreateRule shape) and optionally Priority. The listener is then shared and only its rule is managed.',
    // Checked once its priority range (listener-rule-priority-range) is read.
    parse: (text, c) => readDocument(text, c)
  }),
  listenerRulePriorityRange: textInput({
    name: 'listener-rule-priority-range',
    description:
      'Band of priorities (from-to) in which rule priorities are allocated when listener-rule has no Priority.',
    default: '1000-1999',
    parse: (text, c) => parsePriorityRange({ input: c.input, text })
  }),
  redirectHttpToHttps: flagInput({
    name: 'redirect-http-to-https',
    description: 'With an HTTPS listener, also keep an HTTP listener on port 80 that redirects to it.',
    default: false
  }),
  testListener: textInput({
    name: 'test-listener',
    description:
      'With a BLUE_GREEN, LINEAR or CANARY deploymentConfiguration.strategy in the service input: a second listener on the same load balancer, in the CreateListener input shape (e.g. {"Port": 9000, "Protocol": "HTTP"}), whose rule ECS points at the new revision before production traffic moves (the test URL). Empty: no test traffic stage.',
    parse: (text, c) => parseTestListener(readDocument(text, c), c.input)
  }),
  desiredCount: textInput({
    name: 'desired-count',
    description:
      "Number of tasks; overrides the service JSON's desiredCount. Empty: the service JSON's value (1 when absent).",
    parse: (text, c) => parseOptionalInteger({ input: c.input, text, min: 0, max: 5000 })
  }),
  forceNewDeployment: flagInput({
    name: 'force-new-deployment',
    description: 'Start a new deployment even when nothing changed (e.g. to pull a moved image tag).',
    default: false
  }),
  tags: textInput({
    name: 'tags',
    description:
      'Tags for everything the action creates, also added or changed (never removed) on its existing load balancer, target group and service: a YAML/JSON map or key=value lines.',
    parse: (text, c) => parseTags({ input: c.input, text })
  }),
  waitForServiceStability: flagInput({
    name: 'wait-for-service-stability',
    description: 'Wait until the deployment is complete and every target is healthy.',
    default: true
  }),
  waitUntil: textInput({
    name: 'wait-until',
    description:
      'Under a BLUE_GREEN, LINEAR or CANARY strategy: complete (the deployment succeeded), or a lifecycle stage (e.g. POST_TEST_TRAFFIC_SHIFT, BAKE_TIME): the step succeeds once the deployment reaches it, so a long bake need not hold a runner.',
    default: 'complete',
    parse: (text, c) =>
      parseChoice({ input: c.input, text, choices: ['complete', ...LIFECYCLE_STAGES] as const })
  }),
  waitForMinutes: textInput({
    name: 'wait-for-minutes',
    description: 'How long to wait for the rollout before failing.',
    default: '10',
    parse: (text, c) => parseInteger({ input: c.input, text, min: 1, max: 360 })
  }),
  pollIntervalSeconds: textInput({
    name: 'poll-interval-seconds',
    description: 'Seconds between two looks at the service and its targets while waiting.',
    default: '5',
    parse: (text, c) => parseInteger({ input: c.input, text, min: 1, max: 300 })
  }),
  rollbackOnFailure: flagInput({
    name: 'rollback-on-failure',
    description:
      'When the rollout fails, return the service to the task definition it ran before and wait for it.',
    default: true
  }),
  newServiceOnFailure: textInput({
    name: 'new-service-on-failure',
    description:
      'When the first deployment of a service this run created fails: keep (leave it for inspection) or scale-to-zero (not for a DAEMON service, which has no desired count).',
    default: 'keep',
    parse: (text, c) => parseChoice({ input: c.input, text, choices: ['keep', 'scale-to-zero'] as const })
  }),
  dryRun: flagInput({
    name: 'dry-run',
    description: 'Describe and plan only: print what would change, make no mutating call.',
    default: false
  }),
  summary: flagInput({
    name: 'summary',
    description: 'Write a job summary.',
    default: true
  }),
  adoptExisting: flagInput({
    name: 'adopt-existing',
    description:
      'Allow modifying a target group, listener, listener rule or service that exists without any ownership tag (made by hand or another tool). Never one another stack or preview tagged, nor, in a preview, the shared listener.',
    default: false
  }),
  previewId: textInput({
    name: 'preview-id',
    description:
      'Deploy a PR preview environment with this id: per-preview service, target group and listener rule on the shared load balancer and listener. Defaults to pr-<number> in a pull_request event when preview-routing is set.',
    // Read with preview-routing and the pull request event (validatePreview).
    parse: text => text
  }),
  previewRouting: textInput({
    name: 'preview-routing',
    description:
      'How a preview is routed on the shared listener: host (Host header from preview-host-template) or path (/<id>/*). Empty: no preview.',
    parse: (text, c) =>
      text.trim() === ''
        ? undefined
        : parseChoice({ input: c.input, text, choices: ['host', 'path'] as const })
  }),
  previewHostTemplate: textInput({
    name: 'preview-host-template',
    description: 'Host name of a preview for preview-routing host; {id} is replaced by the preview id.',
    default: '{id}.preview.example.com',
    parse: text => text
  }),
  promote: textInput({
    name: 'promote',
    description:
      "continue or rollback: instead of deploying, act on the service's deployment paused by a PAUSE lifecycle hook (ContinueServiceDeployment, with the same cluster and service inputs) and watch it to the end. Empty: deploy.",
    parse: (text, c) =>
      text.trim() === ''
        ? undefined
        : parseChoice({ input: c.input, text, choices: ['continue', 'rollback'] as const })
  }),
  delete: flagInput({
    name: 'delete',
    description:
      "Tear down instead of deploying: the preview's listener rule, service, target group and the task definition revisions it registered (only resources carrying its ownership and preview tags). The shared load balancer and listener stay. Without a preview, refused unless delete-base-stack is true. With dry-run: lists what would be removed, removes nothing.",
    default: false
  }),
  deleteBaseStack: flagInput({
    name: 'delete-base-stack',
    description:
      'Confirms delete: true without a preview (no preview-routing / preview-id): remove the base stack itself (its resources carrying its ownership tag and no preview tag). Refused with a preview or without delete.',
    default: false
  }),
  githubToken: textInput({
    name: 'github-token',
    description:
      'Token for the GitHub side: a deployment with the preview URL and one PR comment kept up to date. Empty: skipped.',
    secret: 'value',
    parse: text => text.trim() || undefined
  }),
  awsRegion: textInput({
    name: 'aws-region',
    description: 'AWS region. Empty: AWS_REGION / AWS_DEFAULT_REGION from the environment.',
    parse: (text, c) => parseRegion({ input: c.input, text })
  }),
  maxAttempts: textInput({
    name: 'max-attempts',
    description: 'Attempts per AWS call, including retries of throttled calls (SDK standard retry mode).',
    default: '8',
    parse: (text, c) => parseInteger({ input: c.input, text, min: 1, max: 20 })
  })
}

export type InputKey = keyof typeof INPUTS

/** The inputs as the runner hands them over: text, except the booleans. */
export type RawInputs = { [K in InputKey]: (typeof INPUTS)[K]['default'] }

/** Each input parsed on its own, by its row's parser. */
export type ParsedInputs = { [K in InputKey]: ReturnType<(typeof INPUTS)[K]['parse']> }

/** The keys in action.yml's order. */
export const INPUT_KEYS = Object.keys(INPUTS) as InputKey[]

/** The name each input has in action.yml (and in `INPUT_…` environment variables). */
export const INPUT_NAMES = Object.fromEntries(INPUT_KEYS.map(key => [key, INPUTS[key].name])) as {
  [K in InputKey]: (typeof INPUTS)[K]['name']
}

export type InputName = (typeof INPUT_NAMES)[InputKey]

/** Every input as action.yml declares its default. */
export const ACTION_DEFAULTS = Object.fromEntries(
  INPUT_KEYS.map(key => [key, INPUTS[key].default])
) as RawInputs

/** Some inputs given, the rest as action.yml declares them; '' counts as not given. */
export function withDefaults(partial: Partial<RawInputs>): RawInputs {
  const merged: Record<string, string | boolean> = { ...ACTION_DEFAULTS }
  for (const key of INPUT_KEYS) {
    const value = partial[key]
    if (value !== undefined && value !== '') merged[key] = value
  }
  return merged as RawInputs
}

/** Every input through its row's parser: secrets first (see InputSpec.secret), then in the table's order. */
export function parseInputs(opts: {
  raw: RawInputs
  cwd: string
  roots: readonly string[]
  setSecret: (value: string) => void
}): ParsedInputs {
  for (const key of INPUT_KEYS) {
    const value = String(opts.raw[key]).trim()
    if (INPUTS[key].secret === 'value' && value !== '') opts.setSecret(value)
  }
  const order = [
    ...INPUT_KEYS.filter(key => INPUTS[key].secret === 'within'),
    ...INPUT_KEYS.filter(key => INPUTS[key].secret !== 'within')
  ]
  const parsed: Record<string, unknown> = {}
  for (const key of order) {
    // Each row's parser takes the raw type its default has; the table's types keep the two together.
    const parse = INPUTS[key].parse as (raw: string | boolean, ctx: ParseContext) => unknown
    parsed[key] = parse(opts.raw[key], {
      input: INPUTS[key].name,
      cwd: opts.cwd,
      roots: opts.roots,
      setSecret: opts.setSecret
    })
  }
  return parsed as ParsedInputs
}

/**
 * Whether a parsed document says the same as this JSON text, whatever the key order or formatting. Keys
 * compare by code point (deepEqual): a locale-aware compare would load ICU's collator before the first
 * AWS request, several milliseconds of the start.
 */
function sameDocument(doc: DocumentInput, json: string): boolean {
  return doc.kind === 'document' && deepEqual(doc.value, JSON.parse(json))
}
