import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, resolve, sep } from 'node:path'
import { parseDocument } from 'yaml'
import { InputError } from './errors.js'

/** What a document-valued input turned out to be. */
export type DocumentInput =
  | { kind: 'empty' }
  /** `source` is `inline` or the path as the user wrote it (for messages and the plan). */
  | { kind: 'document'; value: Record<string, unknown>; source: string }
  /** Neither a document nor an existing file: a name, ARN or `family:revision` to look up later. */
  | { kind: 'reference'; ref: string }

export interface ReadDocumentOptions {
  input: string
  text: string
  cwd: string
  /**
   * The folders a file input may be in, once symlinks are resolved: the workspace (GITHUB_WORKSPACE, or
   * cwd) and the runner's temp folder (RUNNER_TEMP). A path that leads elsewhere — `../`, an absolute
   * path, or a symlink in the repository pointing at /proc/self/environ or ~/.aws/credentials — is refused,
   * so that a pull request cannot make the action read the runner's files into a message.
   */
  roots: readonly string[]
  /** load-balancer and task-definition may name an existing resource instead of describing one. */
  allowReference: boolean
}

/** The largest file input read: task definitions and the like are a few KiB; more is not a document. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024

/** Never read, whatever the roots: the kernel's views of processes and devices. */
const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev']

/**
 * Text that can only be a document: a JSON/YAML flow collection, several lines, or a `key: value` pair.
 * None of these can be a file path users write in a workflow, nor an ARN (its colons have no space).
 */
export function looksLikeDocument(text: string): boolean {
  const t = text.trim()
  return t.startsWith('{') || t.startsWith('[') || t.includes('\n') || /:\s/.test(t)
}

/** Reads an input that is a file path, inline JSON/YAML, or (when allowed) a reference. */
export function readDocumentInput(opts: ReadDocumentOptions): DocumentInput {
  const text = opts.text.trim()
  if (text === '') return { kind: 'empty' }
  if (looksLikeDocument(text)) {
    return {
      kind: 'document',
      value: parseObject({ input: opts.input, text, source: 'inline' }),
      source: 'inline'
    }
  }
  const path = isAbsolute(text) ? text : resolve(opts.cwd, text)
  if (existsSync(path)) {
    const content = readConfinedFile({ ...opts, text, path })
    return {
      kind: 'document',
      value: parseObject({ input: opts.input, text: content, source: text }),
      source: text
    }
  }
  if (opts.allowReference) return { kind: 'reference', ref: text }
  throw new InputError(
    opts.input,
    undefined,
    `no file ${JSON.stringify(text)} (looked in ${opts.cwd}), and it is not inline JSON/YAML`
  )
}

/**
 * The text of a file input, after the checks that keep the action to the files it is meant to read: the
 * real path (symlinks resolved) inside one of the roots and outside /proc, /sys and /dev, a regular file
 * (not a FIFO that would block, nor a device), at most MAX_DOCUMENT_BYTES. The messages name the input and
 * the path as written, never what the file holds.
 */
function readConfinedFile(opts: ReadDocumentOptions & { path: string }): string {
  const fail = (message: string): never => {
    throw new InputError(opts.input, undefined, message)
  }
  const real = realpathSync(opts.path)
  const roots = opts.roots.map(realRoot)
  const inside = (root: string) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep)
  const where = opts.text === real ? JSON.stringify(opts.text) : `${JSON.stringify(opts.text)} (${real})`
  if (SYSTEM_FOLDERS.some(inside) || !roots.some(inside)) {
    fail(
      `the file ${where} is outside the workspace (${roots.join(' or ')}): file inputs are read only from the repository checkout or the runner's temp folder (RUNNER_TEMP). Put the file there, or give the value inline.`
    )
  }
  const stat = statSync(real)
  if (stat.isDirectory()) fail(`${opts.text} is a directory, not a file`)
  if (!stat.isFile()) {
    fail(
      `${where} is not a regular file (a FIFO, socket or device): give a JSON/YAML file or an inline value`
    )
  }
  if (stat.size > MAX_DOCUMENT_BYTES) {
    fail(`${where} is ${stat.size} bytes; file inputs are limited to 1 MiB (${MAX_DOCUMENT_BYTES} bytes)`)
  }
  // Read at most one byte past the cap, so that a file that grew after the stat is refused, not read whole.
  const buffer = Buffer.alloc(MAX_DOCUMENT_BYTES + 1)
  const fd = openSync(real, 'r')
  let length = 0
  try {
    for (let n = -1; n !== 0 && length < buffer.length; length += n)
      n = readSync(fd, buffer, length, buffer.length - length, null)
  } finally {
    closeSync(fd)
  }
  if (length > MAX_DOCUMENT_BYTES) fail(`${where} is larger than 1 MiB, the limit for file inputs`)
  return buffer.subarray(0, length).toString('utf8')
}

/** A root as realpath gives it (the runner's temp folder may be behind a symlink, e.g. /tmp on macOS). */
function realRoot(root: string): string {
  try {
    return realpathSync(root)
  } catch {
    return resolve(root)
  }
}

interface ParseOptions {
  input: string
  text: string
  /** `inline` or the file's path. */
  source: string
}

/** Parses JSON or YAML into a plain object, or fails naming the input, file, line and column. */
export function parseObject(opts: ParseOptions): Record<string, unknown> {
  const value = parseText(opts)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    // The kind only: a file's content is never quoted (a file that is not the document meant — or a
    // symlink to one — may hold anything, credentials included).
    const got = value === null ? 'nothing' : Array.isArray(value) ? 'a list' : `a ${typeof value}`
    throw new InputError(
      opts.input,
      undefined,
      `${where(opts.source)} must hold a JSON/YAML object, got ${got}`
    )
  }
  return value as Record<string, unknown>
}

function parseText(opts: ParseOptions): unknown {
  const jsonError = tryJson(opts.text)
  if (jsonError === undefined) return JSON.parse(opts.text) as unknown
  // YAML 1.2 accepts every JSON document too, and flow-style YAML such as {Port: 80}.
  const doc = parseDocument(opts.text, { uniqueKeys: true })
  const yamlError = doc.errors[0]
  if (!yamlError) return doc.toJS() as unknown
  if (meantAsJson(opts)) {
    const { line, col } = lineCol(opts.text, jsonError.position)
    throw new InputError(
      opts.input,
      undefined,
      `${where(opts.source)} is not valid JSON at line ${line}, column ${col}${reason(jsonError.message)}`
    )
  }
  const pos = yamlError.linePos?.[0]
  const firstLine = yamlError.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
  throw new InputError(
    opts.input,
    undefined,
    `${where(opts.source)} is not valid YAML at line ${pos?.line ?? 1}, column ${pos?.col ?? 1}${reason(firstLine)}`
  )
}

/** undefined when the text is valid JSON; else V8's message and the offset it points at. */
function tryJson(text: string): { message: string; position: number } | undefined {
  try {
    JSON.parse(text)
    return undefined
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const at = /at position (\d+)/.exec(message)
    return {
      message: message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, ''),
      position: at ? Number(at[1]) : text.length
    }
  }
}

/** `{"Port": …` or a .json file: the user wrote JSON, so JSON's error is the one that helps. */
function meantAsJson(opts: ParseOptions): boolean {
  return /\.json$/i.test(opts.source) || /^\s*[[{]\s*(["[{\]}]|-?\d)/.test(opts.text)
}

/**
 * The parser's own words, without what they quote of the text (V8's JSON messages do: `Unexpected token
 * 'A', "AWS_SECRET"... is not valid JSON`): the line and column say where to look without repeating
 * content. Quoted punctuation (`Expected ',' or '}'`) is the grammar, not content, and stays.
 */
function reason(message: string): string {
  const words = message
    .replace(/,\s*".*" is not valid JSON$/s, '')
    .replace(/^Unexpected token '.*?'/s, 'Unexpected character')
    .replace(/"[^"]*"(\.\.\.)?/g, '')
  const unquoted = words.replace(/'[,:{}[\]]'/g, '')
  return /["'`]/.test(unquoted) || words.trim() === '' ? '' : `: ${words.trim()}`
}

function lineCol(text: string, position: number): { line: number; col: number } {
  const before = text.slice(0, position)
  const line = before.split('\n').length
  return { line, col: position - before.lastIndexOf('\n') }
}

function where(source: string): string {
  return source === 'inline' ? 'the inline value' : source
}
