import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { INPUTS } from '../../src/inputs/table.js'
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

  test('declares the inputs of the table, in its order, with its descriptions, defaults and required', () => {
    const fromTable = Object.fromEntries(
      Object.values(INPUTS).map(spec => [
        spec.name,
        spec.required
          ? { description: spec.description, required: true }
          : { description: spec.description, required: false, default: String(spec.default) }
      ])
    )
    expect(Object.keys(action.inputs)).toEqual(Object.keys(fromTable))
    expect(action.inputs).toEqual(fromTable)
  })

  test('inputs are read only by the inputs stage, through the table (no input named in a read)', () => {
    const readers = srcText.filter(s => /\bget(?:Boolean|Multiline)?Input\(/.test(s.text))
    expect(readers.map(s => path.relative(root, s.f))).toEqual([path.join('src', 'inputs', 'index.ts')])
    const byName = readers.filter(s => /get(?:Boolean|Multiline)?Input\(\s*['"`]/.test(s.text))
    expect(byName.map(s => path.relative(root, s.f))).toEqual([])
  })

  test("README's inputs table lists the table's inputs, in its order, with their defaults", () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('\n## Inputs\n'), readme.indexOf('\n## Outputs\n'))
    const rows = section
      .split('\n')
      .filter(line => /^\| `/.test(line))
      .map(line => line.split('|').map(cell => cell.trim()))
      .map(([, name, defaultCell, description]) => ({ name, defaultCell, described: description !== '' }))
    const shown = (spec: (typeof INPUTS)[keyof typeof INPUTS]): string =>
      spec.required ? '(required)' : spec.default === '' ? '' : `\`${String(spec.default)}\``
    expect(rows).toEqual(
      Object.values(INPUTS).map(spec => ({
        name: `\`${spec.name}\``,
        defaultCell: shown(spec),
        described: true
      }))
    )
  })

  test('every input has a description, and optional inputs carry their default in action.yml', () => {
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect(`${name}: ${spec.description?.length > 10}`).toBe(`${name}: true`)
      if (!spec.required) expect(`${name}: ${typeof spec.default}`).toBe(`${name}: string`)
    }
  })
})
