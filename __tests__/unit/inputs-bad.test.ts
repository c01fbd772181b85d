import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { InputError, parseRequest, withDefaults, type RawInputs } from '../../src/inputs/index.js'
import { BAD_INPUTS, SEED_INPUTS } from '../fixtures/bad-inputs.js'

// An empty directory, so that no relative path in the corpus can resolve to a file by accident.
const cwd = mkdtempSync(path.join(tmpdir(), 'inputs-bad-'))
const parse = (raw: Partial<RawInputs>) =>
  parseRequest(withDefaults(raw), { cwd, env: {}, setSecret: () => {} })

const errorOf = (raw: Partial<RawInputs>): unknown => {
  try {
    parse(raw)
  } catch (err) {
    return err
  }
  return undefined
}

describe('the bad-input corpus', () => {
  test('starts from a valid base, so each entry breaks exactly what it says', () => {
    expect(parse(SEED_INPUTS).service.serviceName).toBe('ecs-simple-service-elb')
  })

  test('is large and its names are unique', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(60)
    expect(new Set(BAD_INPUTS.map(b => b.name)).size).toBe(BAD_INPUTS.length)
  })

  test.each(BAD_INPUTS)('$name → $input / $field', ({ raw, input, field, message }) => {
    const err = errorOf(raw)
    expect(err).toBeInstanceOf(InputError)
    const e = err as InputError
    expect({ input: e.input, field: e.field, message: e.message }).toEqual({
      input,
      field,
      message: expect.stringContaining(
        field === undefined ? `Input "${input}": ` : `Input "${input}", field "${field}": `
      )
    })
    if (message) expect(e.message).toMatch(message)
  })
})
