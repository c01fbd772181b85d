import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

/**
 * The rooms of src/ and the one direction imports run in: main → stages → resources / watch → model /
 * aws; inputs → model. A module may import its own room and the rooms listed for it.
 */
const ALLOWED: Record<string, string[]> = {
  index: ['main'],
  main: ['inputs', 'stages', 'report', 'github', 'model', 'aws'],
  stages: ['resources', 'watch', 'model', 'aws'],
  resources: ['model', 'aws'],
  watch: ['model', 'aws'],
  report: ['watch', 'model'],
  github: ['model'],
  inputs: ['model'],
  aws: ['model'],
  model: []
}

const SRC = path.resolve('src')

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return sources(full)
    return /\.(ts|cjs)$/.test(name) ? [full] : []
  })
}

/** `src/main.ts` → main, `src/stages/apply.ts` → stages. */
function roomOf(file: string): string {
  const [first] = path.relative(SRC, file).split(path.sep)
  return first.replace(/\.(ts|js|cjs)$/, '')
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*(?:\/\*[^*]*\*\/\s*)?['"](\.{1,2}\/[^'"]+)['"]/g)]
  return specs.map(m => path.resolve(path.dirname(file), m[1]))
}

describe('src/ layout', () => {
  const files = sources(SRC)

  it('keeps every module in a room of the layout', () => {
    const loose = files.map(roomOf).filter(room => !(room in ALLOWED))
    expect(loose).toEqual([])
  })

  it('runs imports one way', () => {
    const against: string[] = []
    for (const file of files) {
      const from = roomOf(file)
      for (const target of relativeImports(file)) {
        const to = roomOf(target)
        if (to !== from && !(ALLOWED[from] ?? []).includes(to)) {
          against.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`)
        }
      }
    }
    expect(against).toEqual([])
  })
})
