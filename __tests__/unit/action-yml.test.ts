import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { OUTPUT_NAMES } from '../../src/report/outputs.js'

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../..')
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap(f => {
    const p = path.join(dir, f)
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : []
  })
const srcText = sources(path.join(root, 'src')).map(f => ({ f, text: readFileSync(f, 'utf8') }))

describe('action.yml is the contract', () => {
  test('runs on node24 from the bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  test('every output the code can set is declared, and every declared output can be set', () => {
    expect([...OUTPUT_NAMES].sort()).toEqual(Object.keys(action.outputs).sort())
  })

  test('outputs are set only through setOutputs (so the list above is the whole truth)', () => {
    const direct = srcText.filter(
      s => /\bsetOutput\(/.test(s.text) && !s.f.endsWith(path.join('report', 'outputs.ts'))
    )
    expect(direct.map(s => path.relative(root, s.f))).toEqual([])
  })

  test('every input read by the code is declared in action.yml', () => {
    const read = new Set<string>()
    for (const { text } of srcText) {
      for (const m of text.matchAll(/get(?:Boolean|Multiline)?Input\(\s*'([a-z0-9-]+)'/g)) read.add(m[1])
    }
    expect(read.size).toBeGreaterThan(10)
    const undeclared = [...read].filter(name => !(name in action.inputs))
    expect(undeclared).toEqual([])
    const unread = Object.keys(action.inputs).filter(name => !read.has(name))
    expect(unread).toEqual([])
  })

  test('every input has a description, and optional inputs carry their default in action.yml', () => {
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect(`${name}: ${spec.description?.length > 10}`).toBe(`${name}: true`)
      if (!spec.required) expect(`${name}: ${typeof spec.default}`).toBe(`${name}: string`)
    }
  })
})
