import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
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
  /** load-balancer and task-definition may name an existing resource instead of describing one. */
  allowReference: boolean
}

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
    if (!statSync(path).isFile())
      throw new InputError(opts.input, undefined, `${text} is a directory, not a file`)
    const content = readFileSync(path, 'utf8')
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
    const got =
      value === null
        ? 'nothing'
        : Array.isArray(value)
          ? 'a list'
          : `${typeof value} ${JSON.stringify(value)}`
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
      `${where(opts.source)} is not valid JSON at line ${line}, column ${col}: ${jsonError.message}`
    )
  }
  const pos = yamlError.linePos?.[0]
  const firstLine = yamlError.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
  throw new InputError(
    opts.input,
    undefined,
    `${where(opts.source)} is not valid YAML at line ${pos?.line ?? 1}, column ${pos?.col ?? 1}: ${firstLine}`
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

function lineCol(text: string, position: number): { line: number; col: number } {
  const before = text.slice(0, position)
  const line = before.split('\n').length
  return { line, col: position - before.lastIndexOf('\n') }
}

function where(source: string): string {
  return source === 'inline' ? 'the inline value' : source
}
