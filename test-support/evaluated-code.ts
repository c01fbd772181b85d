/**
 * Which code a run of the bundle evaluated, without a clock: the run writes V8's coverage
 * (NODE_V8_COVERAGE), and each function of dist/index.js that ran at least once is traced back to its
 * source through dist/index.js.map. Sources are named by package (`@aws-sdk/client-ecs`, `undici`) or,
 * for the project's own code, by path (`src/inputs/index.ts`).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { pathToFileURL } from 'node:url'
import { distEntry } from './run-action.js'

/** The name a source of the map goes by: its package under node_modules, else its path from src/. */
export function sourceName(source: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)
  if (pkg) return pkg[1]
  const own = /(?:^|\/)(src\/.*)$/.exec(source)
  return own ? own[1] : source
}

let loaded: { map: SourceMap; lineStarts: number[] } | undefined

function bundleMap(): { map: SourceMap; lineStarts: number[] } {
  if (!loaded) {
    const text = readFileSync(distEntry, 'utf8')
    const lineStarts = [0]
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1)
    loaded = { map: new SourceMap(JSON.parse(readFileSync(`${distEntry}.map`, 'utf8'))), lineStarts }
  }
  return loaded
}

function lineAndColumn(lineStarts: number[], offset: number): [number, number] {
  let lo = 0
  let hi = lineStarts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (lineStarts[mid] <= offset) lo = mid
    else hi = mid - 1
  }
  return [lo, offset - lineStarts[lo]]
}

interface ScriptCoverage {
  url: string
  functions: { functionName: string; ranges: { startOffset: number; endOffset: number; count: number }[] }[]
}

/**
 * The sources (by sourceName) of which at least one function of the bundle ran, with how many of their
 * functions did, from the coverage files a run wrote into `coverageDir`.
 */
export function evaluatedSources(coverageDir: string): Map<string, number> {
  const { map, lineStarts } = bundleMap()
  const url = pathToFileURL(distEntry).href
  const ran = new Map<string, number>()
  for (const file of readdirSync(coverageDir).filter(f => f.endsWith('.json'))) {
    const { result } = JSON.parse(readFileSync(`${coverageDir}/${file}`, 'utf8')) as {
      result: ScriptCoverage[]
    }
    for (const script of result.filter(s => s.url === url)) {
      for (const fn of script.functions) {
        const [whole] = fn.ranges
        if (!whole || whole.count === 0) continue
        const [line, column] = lineAndColumn(lineStarts, whole.startOffset)
        const entry = map.findEntry(line, column) as { originalSource?: string }
        if (!entry.originalSource) continue
        const name = sourceName(entry.originalSource)
        ran.set(name, (ran.get(name) ?? 0) + 1)
      }
    }
  }
  return ran
}
