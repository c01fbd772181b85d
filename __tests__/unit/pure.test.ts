/**
 * __tests__/unit is pure: no test in it starts the emulator, moto or the bundle. Tests that drive the
 * stages over real HTTP live in __tests__/stages, the bundle's in __tests__/e2e.
 */
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from '@jest/globals'

const unit = import.meta.dirname

const IMPURE = [
  /emulator\/server(\.js)?'/,
  /test-support\/(use-emulator|use-sdk-clients|emulator-client|moto)(\.js)?'/,
  /\bstartEmulator\b|\buseEmulator\w*\b|\brunAction\b|\bstartMoto\b/
]

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []
  )

test('no unit test starts the emulator, moto or the bundle', () => {
  const impure = files(unit)
    .filter(f => f !== path.join(unit, 'pure.test.ts'))
    .flatMap(f =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter(line => IMPURE.some(p => p.test(line)))
        .map(line => `${path.relative(unit, f)}: ${line.trim()}`)
    )
  expect(impure).toEqual([])
})

test('no test takes its expected values from bench/ (the bench may import test-support, not the reverse)', () => {
  const tests = path.resolve(unit, '..')
  const support = path.resolve(tests, '../test-support')
  const fromBench = [...files(tests), ...files(support)].filter(f =>
    /from '(\.\.\/)+bench\//.test(readFileSync(f, 'utf8'))
  )
  expect(fromBench.map(f => path.relative(tests, f))).toEqual([])
})
