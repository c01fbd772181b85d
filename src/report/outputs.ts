import * as core from '@actions/core'

/** Every output the action sets; a unit test checks this list against action.yml both ways. */
export const OUTPUT_NAMES = [
  'dns-name',
  'url',
  'load-balancer-arn',
  'target-group-arn',
  'listener-arn',
  'listener-rule-arn',
  'service-arn',
  'task-definition-arn',
  'deployment-id',
  'service-deployment-arn',
  'lifecycle-stage',
  'test-url',
  'hook-id',
  'changed',
  'plan'
] as const

export type OutputName = (typeof OUTPUT_NAMES)[number]
export type Outputs = Partial<Record<OutputName, string | undefined>>

/** Sets the outputs that have a value; the only place the action calls core.setOutput. */
export function setOutputs(outputs: Outputs): void {
  for (const name of OUTPUT_NAMES) {
    const value = outputs[name]
    if (value !== undefined) core.setOutput(name, value)
  }
}
