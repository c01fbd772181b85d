import { maskableValues } from '../model/redact.js'

/**
 * Registers with the runner the values in a task definition that must never show in a log (see
 * maskableValues: environment values whose names look secret, however they were written). Walks the
 * document before it is validated, because an error message may quote a value. Every environment value,
 * secret-looking or not, is also kept out of the plan by redactTaskDefinition; the ARNs in `secrets` are
 * references, not secrets, and stay readable.
 */
export function registerTaskDefinitionSecrets(doc: unknown, setSecret: (value: string) => void): void {
  for (const value of maskableValues(doc)) setSecret(value)
}
