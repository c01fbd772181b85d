/**
 * `@actions/http-client`, evaluated on first use instead of at start-up.
 *
 * `@actions/core` imports its OIDC client at module load, and with it `@actions/http-client` and undici: about
 * a third of the bundle's text, 20 ms and 4 MB on every run, for `core.getIDToken()`, which this action never
 * calls (bench/RESULTS.md, "Cold start"). tsconfig.json's `paths` sends ncc's resolution of the bare
 * `@actions/http-client` here (for core and for `@actions/github`), and this module loads the real one the
 * first time one of its exports is read: `new HttpClient()` in Octokit's proxy set-up, or an OIDC request.
 *
 * CommonJS on purpose: a `require` is synchronous, so the exports can stay plain values to their importers,
 * and webpack bundles the file it names, so the bundle stays one file. The relative path passes by the
 * package's `exports`, whose "." answers `import` only.
 */
'use strict'

let real

const load = () => (real ??= require('../../node_modules/@actions/http-client/lib/index.js'))

// The package's exports (a unit test keeps this list equal to them).
const EXPORTS = [
  'Headers',
  'HttpClient',
  'HttpClientError',
  'HttpClientResponse',
  'HttpCodes',
  'MediaTypes',
  'getProxyUrl',
  'isHttps'
]

for (const name of EXPORTS) {
  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] })
}
