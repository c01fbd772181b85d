import { createHash } from 'node:crypto'
import { isPlainObject } from './diff.js'

/**
 * The one redaction path for task definition content that leaves the process (log, `plan` output, job
 * summary, PR comment, deployment description). The values of `environment` are never printed, whatever
 * the variable is called: a name does not say whether its value is a secret (DATABASE_URL holds a
 * password as often as DB_PASSWORD does), and an old value read back from AWS is as secret as a new one.
 * Both sides of a comparison go through redactTaskDefinition before they are diffed, so every shape of
 * change (a value changed, a variable added or removed, a container renamed, created or removed, a whole
 * list dropped) carries names and fingerprints only.
 *
 * `secrets[].valueFrom` and `secretOptions[].valueFrom` are ARNs of Secrets Manager / SSM parameters, not
 * the secret itself: they stay readable, so a reviewer sees which parameter a container reads.
 */

/** Names that announce a secret: their values are also registered with the runner's log masking. */
export const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL|PRIVATE|AUTH)/i

/**
 * Shorter values are not registered with the runner: it would replace every occurrence of e.g. "1" or
 * "on" in the log with ***, garbling it. They are still never printed, because of the redaction.
 */
export const MIN_MASKED_LENGTH = 4

/**
 * How a hidden value prints: `sha256:` and the first 8 hex digits of the SHA-256 of its text, so that a
 * change is visible (the two sides differ) and a person can check a value they know
 * (`printf %s "$VALUE" | sha256sum | cut -c1-8`). 32 bits confirm a guess of a guessable value; they do not
 * reveal a value — secrets belong in `secrets`, which only name an ARN.
 */
export function fingerprint(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8)}`
}

/**
 * A copy of a task definition (RegisterTaskDefinition input, DescribeTaskDefinition answer or their
 * normalized form, also wrapped as `{ taskDefinition }`) with every environment value replaced by its
 * fingerprint. Anything that is not a task definition is returned as it is.
 */
export function redactTaskDefinition<T>(td: T): T {
  if (!isPlainObject(td)) return td
  if (isPlainObject(td.taskDefinition))
    return { ...td, taskDefinition: redactTaskDefinition(td.taskDefinition) }
  if (!Array.isArray(td.containerDefinitions)) return td
  return { ...td, containerDefinitions: td.containerDefinitions.map(redactContainer) } as T
}

function redactContainer(c: unknown): unknown {
  if (!isPlainObject(c) || !Array.isArray(c.environment)) return c
  return {
    ...c,
    environment: c.environment.map(e =>
      isPlainObject(e) && e.value !== undefined ? { ...e, value: fingerprint(e.value) } : e
    )
  }
}

/**
 * The values of a task definition to register with the runner's log masking (core.setSecret): every
 * string and number inside the value of an environment variable whose name looks secret, also nested in
 * a list or object given by mistake, at least MIN_MASKED_LENGTH characters long. Booleans are left out:
 * masking "true" would hide every "true" in the log and protect nothing (two possible values); they are
 * never printed either way. Used for the inputs and for the revisions read from AWS alike.
 */
export function maskableValues(td: unknown): string[] {
  const root = isPlainObject(td) && isPlainObject(td.taskDefinition) ? td.taskDefinition : td
  if (!isPlainObject(root) || !Array.isArray(root.containerDefinitions)) return []
  const out = new Set<string>()
  for (const c of root.containerDefinitions) {
    if (!isPlainObject(c) || !Array.isArray(c.environment)) continue
    for (const e of c.environment) {
      if (!isPlainObject(e) || typeof e.name !== 'string' || !SECRET_NAME.test(e.name)) continue
      for (const s of scalars(e.value)) if (s.length >= MIN_MASKED_LENGTH) out.add(s)
    }
  }
  return [...out]
}

/** Every string and number inside a value, as text; a string also as JSON would quote it. */
function scalars(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(scalars)
  if (isPlainObject(value)) return Object.values(value).flatMap(scalars)
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value).slice(1, -1)
    return quoted === value ? [value] : [value, quoted]
  }
  if (typeof value === 'number' || typeof value === 'bigint') return [String(value)]
  return []
}
