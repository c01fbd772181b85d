/**
 * src/bundle/http-client-on-demand.cjs stands in for `@actions/http-client` in the bundle; it must offer
 * every export of the real package, or a caller would read `undefined` where a class should be.
 */
import { createRequire } from 'node:module'
// The file the shim loads, by the same path (the bare name resolves to the shim under tsconfig's paths).
import * as real from '../../../node_modules/@actions/http-client/lib/index.js'

const shimPath = new URL('../../../src/bundle/http-client-on-demand.cjs', import.meta.url)

test('offers exactly the exports of @actions/http-client', () => {
  // Object.keys reads the names only: the getters, and so the require, do not run.
  const shim = createRequire(import.meta.url)(shimPath.pathname) as Record<string, unknown>
  expect(Object.keys(shim).sort()).toEqual(Object.keys(real).sort())
})
