import { INPUT_NAMES, type InputKey, type RawInputs } from '../src/inputs/index.js'

/** Inputs keyed by their action.yml names, as a workflow's `with:` (or runAction) has them. */
export function toActionInputs(raw: Partial<RawInputs>): Record<string, string> {
  const inputs: Record<string, string> = {}
  for (const key of Object.keys(raw) as InputKey[]) {
    const value = raw[key]
    if (value !== undefined) inputs[INPUT_NAMES[key]] = String(value)
  }
  return inputs
}

/** The same inputs as `INPUT_…` environment variables, as a runner (or an e2e test) sets them. */
export function toInputEnv(raw: Partial<RawInputs>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(toActionInputs(raw)).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])
  )
}
