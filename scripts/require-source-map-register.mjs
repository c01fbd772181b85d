/**
 * ncc's --source-map starts the ESM bundle with `import './sourcemap-register.cjs';`. Importing a CommonJS
 * file from ESM makes Node lex it for named exports with cjs-module-lexer, a WebAssembly module: about 6 MB
 * of RSS and 10 ms on every run, error or not (bench/RESULTS.md, "Cold start"). `require` loads the same
 * file, still before anything else in the bundle, without the lexer. The source map is shifted to match, so
 * that stack traces still map to src/.
 */
import { readFileSync, writeFileSync } from 'node:fs'

const bundle = new URL('../dist/index.js', import.meta.url)
const sourceMap = new URL('../dist/index.js.map', import.meta.url)
const esmImport = "import './sourcemap-register.cjs';"
const viaRequire =
  "import{createRequire as __sourceMapRequire}from'node:module';" +
  "__sourceMapRequire(import.meta.url)('./sourcemap-register.cjs');"

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** The first base64 VLQ of `mappings` (the generated column of line 1's first segment) and its length. */
function firstVlq(mappings) {
  let value = 0
  for (let i = 0, shift = 0; i < mappings.length; i++, shift += 5) {
    const digit = BASE64.indexOf(mappings[i])
    value += (digit & 31) << shift
    if ((digit & 32) === 0) return { value: value & 1 ? -(value >> 1) : value >> 1, length: i + 1 }
  }
  throw new Error('dist/index.js.map: no mappings')
}

function toVlq(value) {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1
  let out = ''
  do {
    const digit = rest & 31
    rest >>>= 5
    out += BASE64[rest > 0 ? digit | 32 : digit]
  } while (rest > 0)
  return out
}

const code = readFileSync(bundle, 'utf8')
if (!code.startsWith(esmImport)) {
  throw new Error(
    `dist/index.js does not start with ${esmImport} (did ncc change how it registers source maps?)`
  )
}
const map = JSON.parse(readFileSync(sourceMap, 'utf8'))
if (map.mappings.startsWith(';')) throw new Error('dist/index.js.map: line 1 has no mappings')
// Later segments of a line are relative to the one before: shifting the first shifts the whole line.
const first = firstVlq(map.mappings)
map.mappings = toVlq(first.value + viaRequire.length - esmImport.length) + map.mappings.slice(first.length)

writeFileSync(bundle, viaRequire + code.slice(esmImport.length))
writeFileSync(sourceMap, JSON.stringify(map))
