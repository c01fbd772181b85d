/**
 * The part of `@actions/core` the action uses (inputs, log lines, annotations, groups, masks, outputs, the job
 * summary), written out with the same wire format as @actions/core 3. Importing `@actions/core` itself
 * evaluates its OIDC client, hence `@actions/http-client` and undici, plus `@actions/exec` for `platform`:
 * about 30 ms of a 170 ms cold start that the action never uses (bench/RESULTS.md, "Cold start").
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync, existsSync } from 'node:fs'
import { access, appendFile, constants } from 'node:fs/promises'
import { EOL } from 'node:os'

/** Like @actions/core's `toCommandValue`: strings as they are, anything else as JSON. */
const commandValue = (value: unknown): string =>
  value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')

const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

/** `::command key=value,…::message` on stdout; empty property values are left out, as core does. */
function issueCommand(command: string, message: unknown, properties: Record<string, string> = {}): void {
  const props = Object.entries(properties)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',')
  process.stdout.write(`::${command}${props ? ` ${props}` : ''}::${escapeData(commandValue(message))}${EOL}`)
}

const messageOf = (message: string | Error): string =>
  message instanceof Error ? message.toString() : message

export interface InputOptions {
  required?: boolean
  trimWhitespace?: boolean
}

export function getInput(name: string, options?: InputOptions): string {
  const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || ''
  if (options?.required && !value) throw new Error(`Input required and not supplied: ${name}`)
  return options?.trimWhitespace === false ? value : value.trim()
}

/** YAML 1.2 core-schema booleans only, with @actions/core's error text. */
export function getBooleanInput(name: string, options?: InputOptions): boolean {
  const value = getInput(name, options)
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new TypeError(
    `Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
      `Support boolean input list: \`true | True | TRUE | false | False | FALSE\``
  )
}

export function info(message: string): void {
  process.stdout.write(message + EOL)
}

export function warning(message: string | Error): void {
  issueCommand('warning', messageOf(message))
}

export function notice(message: string | Error): void {
  issueCommand('notice', messageOf(message))
}

export function error(message: string | Error): void {
  issueCommand('error', messageOf(message))
}

export function setFailed(message: string | Error): void {
  process.exitCode = 1
  error(message)
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', secret)
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', name)
  try {
    return await fn()
  } finally {
    issueCommand('endgroup', '')
  }
}

/** A random heredoc delimiter, so that no value can end the entry early (as @actions/core does). */
function keyValueMessage(key: string, value: unknown): string {
  const delimiter = `ghadelimiter_${randomUUID()}`
  const text = commandValue(value)
  if (key.includes(delimiter))
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`)
  if (text.includes(delimiter)) {
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`)
  }
  return `${key}<<${delimiter}${EOL}${text}${EOL}${delimiter}`
}

/** Written as a const so that __tests__/unit/action-yml.test.ts sees its only call site, in report/outputs.ts. */
export const setOutput = (name: string, value: unknown): void => {
  const file = process.env.GITHUB_OUTPUT || ''
  if (!file) {
    process.stdout.write(EOL)
    issueCommand('set-output', commandValue(value), { name })
    return
  }
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`)
  appendFileSync(file, `${keyValueMessage(name, value)}${EOL}`, { encoding: 'utf8' })
}

/** Appends markdown to the job summary (GITHUB_STEP_SUMMARY), with @actions/core's errors. */
export async function appendSummary(markdown: string): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (!file) {
    throw new Error(
      'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.'
    )
  }
  try {
    await access(file, constants.R_OK | constants.W_OK)
  } catch {
    throw new Error(
      `Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`
    )
  }
  await appendFile(file, markdown, { encoding: 'utf8' })
}
