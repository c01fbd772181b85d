import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/server.js'
import { EmulatorControl } from './emulator-client.js'

/**
 * One emulator for a test file: started before its tests, reset to the seeded account before each one,
 * stopped after. The getters read the live instances (they exist only once beforeAll has run).
 */
export function useEmulator(opts: EmulatorOptions = {}): {
  readonly emulator: Emulator
  readonly control: EmulatorControl
} {
  let emulator: Emulator | undefined
  let control: EmulatorControl | undefined
  beforeAll(async () => {
    emulator = await startEmulator(opts)
    control = new EmulatorControl(emulator.url)
  })
  afterAll(async () => {
    await emulator?.stop()
  })
  beforeEach(async () => {
    await control?.reset()
  })
  return {
    get emulator() {
      if (!emulator) throw new Error('the emulator starts in beforeAll')
      return emulator
    },
    get control() {
      if (!control) throw new Error('the emulator starts in beforeAll')
      return control
    }
  }
}
