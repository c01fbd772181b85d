/** The action's inputs as the runner hands them over: text, except the booleans. */
export interface RawInputs {
  cluster: string
  service: string
  taskDefinition: string
  images: string
  loadBalancer: string
  targetGroup: string
  loadBalancerAttributes: string
  targetGroupAttributes: string
  listener: string
  listenerRule: string
  listenerRulePriorityRange: string
  redirectHttpToHttps: boolean
  desiredCount: string
  forceNewDeployment: boolean
  tags: string
  waitForServiceStability: boolean
  waitForMinutes: string
  pollIntervalSeconds: string
  rollbackOnFailure: boolean
  newServiceOnFailure: string
  dryRun: boolean
  summary: boolean
  adoptExisting: boolean
  previewId: string
  previewRouting: string
  previewHostTemplate: string
  delete: boolean
  deleteBaseStack: boolean
  githubToken: string
  awsRegion: string
  maxAttempts: string
}

/** The name each input has in action.yml (and in `INPUT_…` environment variables). */
export const INPUT_NAMES = {
  cluster: 'cluster',
  service: 'service',
  taskDefinition: 'task-definition',
  images: 'images',
  loadBalancer: 'load-balancer',
  targetGroup: 'target-group',
  loadBalancerAttributes: 'load-balancer-attributes',
  targetGroupAttributes: 'target-group-attributes',
  listener: 'listener',
  listenerRule: 'listener-rule',
  listenerRulePriorityRange: 'listener-rule-priority-range',
  redirectHttpToHttps: 'redirect-http-to-https',
  desiredCount: 'desired-count',
  forceNewDeployment: 'force-new-deployment',
  tags: 'tags',
  waitForServiceStability: 'wait-for-service-stability',
  waitForMinutes: 'wait-for-minutes',
  pollIntervalSeconds: 'poll-interval-seconds',
  rollbackOnFailure: 'rollback-on-failure',
  newServiceOnFailure: 'new-service-on-failure',
  dryRun: 'dry-run',
  summary: 'summary',
  adoptExisting: 'adopt-existing',
  previewId: 'preview-id',
  previewRouting: 'preview-routing',
  previewHostTemplate: 'preview-host-template',
  delete: 'delete',
  deleteBaseStack: 'delete-base-stack',
  githubToken: 'github-token',
  awsRegion: 'aws-region',
  maxAttempts: 'max-attempts'
} as const satisfies Record<keyof RawInputs, string>

export type InputName = (typeof INPUT_NAMES)[keyof RawInputs]

/**
 * The defaults declared in action.yml, mirrored so that an input set to '' (or a run of dist/index.js
 * outside a runner, where nothing fills defaults in) behaves as if it were left out. A unit test reads
 * action.yml and fails when the two disagree: action.yml stays the one place a default is decided.
 */
export const ACTION_DEFAULTS: RawInputs = {
  cluster: '',
  service: '',
  taskDefinition: '',
  images: '',
  loadBalancer: '',
  targetGroup: '',
  loadBalancerAttributes: '',
  targetGroupAttributes: '',
  listener: '{"Port": 80, "Protocol": "HTTP"}',
  listenerRule: '',
  listenerRulePriorityRange: '1000-1999',
  redirectHttpToHttps: false,
  desiredCount: '',
  forceNewDeployment: false,
  tags: '',
  waitForServiceStability: true,
  waitForMinutes: '10',
  pollIntervalSeconds: '5',
  rollbackOnFailure: true,
  newServiceOnFailure: 'keep',
  dryRun: false,
  summary: true,
  adoptExisting: false,
  previewId: '',
  previewRouting: '',
  previewHostTemplate: '{id}.preview.example.com',
  delete: false,
  deleteBaseStack: false,
  githubToken: '',
  awsRegion: '',
  maxAttempts: '8'
}

/** Some inputs given, the rest as action.yml declares them; '' counts as not given. */
export function withDefaults(partial: Partial<RawInputs>): RawInputs {
  const merged: RawInputs = { ...ACTION_DEFAULTS }
  for (const key of Object.keys(partial) as (keyof RawInputs)[]) {
    const value = partial[key]
    if (value === undefined || value === '') continue
    ;(merged as unknown as Record<string, unknown>)[key] = value
  }
  return merged
}

/** The same inputs keyed by their action.yml names, as a workflow's `with:` (or test-support's runAction) has them. */
export function toActionInputs(raw: Partial<RawInputs>): Record<string, string> {
  const inputs: Record<string, string> = {}
  for (const key of Object.keys(raw) as (keyof RawInputs)[]) {
    const value = raw[key]
    if (value !== undefined) inputs[INPUT_NAMES[key]] = String(value)
  }
  return inputs
}

/** The same inputs as `INPUT_…` environment variables, as a runner (or an e2e test) sets them. */
export function toInputEnv(raw: Partial<RawInputs>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const key of Object.keys(raw) as (keyof RawInputs)[]) {
    const value = raw[key]
    if (value === undefined) continue
    env[`INPUT_${INPUT_NAMES[key].toUpperCase()}`] = String(value)
  }
  return env
}
