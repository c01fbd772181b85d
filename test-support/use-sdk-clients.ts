import { ECSClient } from '@aws-sdk/client-ecs'
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/server.js'
import type { Clients } from '../src/aws/clients.js'

/**
 * An emulator and the action's SDK clients pointed at it, for tests that call the stages directly
 * (discover, plan, apply, teardown) rather than through the bundle: started before the file's tests,
 * reset before each, clients destroyed and the emulator stopped after.
 */
export function useEmulatorWithClients(opts: EmulatorOptions & { maxAttempts: number }): {
  readonly emulator: Emulator
  readonly clients: Clients
} {
  let emulator: Emulator | undefined
  let clients: Clients | undefined
  beforeAll(async () => {
    emulator = await startEmulator(opts)
    const common = {
      endpoint: emulator.url,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
      maxAttempts: opts.maxAttempts
    }
    clients = { ecs: new ECSClient(common), elbv2: new ElasticLoadBalancingV2Client(common) }
  })
  afterAll(async () => {
    clients?.ecs.destroy()
    clients?.elbv2.destroy()
    await emulator?.stop()
  })
  beforeEach(async () => {
    await emulator?.reset()
  })
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the emulator starts in beforeAll')
    return v
  }
  return {
    get emulator() {
      return started(emulator)
    },
    get clients() {
      return started(clients)
    }
  }
}
