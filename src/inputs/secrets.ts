import { isPlainObject } from './schema.js'

const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|KEY|CREDENTIAL|PRIVATE)/i

/**
 * Registers with the runner the values in a task definition that must never show in a log: environment
 * values whose names look secret, and the ARNs behind `secrets`/`secretOptions` (not secret themselves,
 * but masking them costs nothing). Walks the document before it is validated, because an error message
 * may quote a value.
 */
export function registerTaskDefinitionSecrets(doc: unknown, setSecret: (value: string) => void): void {
  const root = isPlainObject(doc) && isPlainObject(doc.taskDefinition) ? doc.taskDefinition : doc
  if (!isPlainObject(root) || !Array.isArray(root.containerDefinitions)) return
  for (const c of root.containerDefinitions) {
    if (!isPlainObject(c)) continue
    for (const e of list(c.environment)) {
      const value = e.value
      if (
        typeof e.name === 'string' &&
        SECRET_NAME.test(e.name) &&
        (typeof value === 'string' || typeof value === 'number')
      ) {
        if (String(value) !== '') setSecret(String(value))
      }
    }
    const secretOptions = isPlainObject(c.logConfiguration) ? list(c.logConfiguration.secretOptions) : []
    for (const s of [...list(c.secrets), ...secretOptions]) {
      if (typeof s.valueFrom === 'string' && s.valueFrom !== '') setSecret(s.valueFrom)
    }
  }
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : []
}
