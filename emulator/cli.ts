import { awsLikeWindows } from './ecs/propagation.js'
import { startEmulator } from './server.js'

const port = Number(process.env.EMULATOR_PORT ?? 4599)
const timeScale = Number(process.env.EMULATOR_TIME_SCALE ?? 1)
// AWS's eventual consistency is always there, so the standalone emulator opens each propagation window
// (emulator/ecs/propagation.ts); the suites start the emulator in-process with them closed and open them
// where a test needs them. EMULATOR_PROPAGATION=closed turns them off here too.
const propagation = process.env.EMULATOR_PROPAGATION === 'closed' ? undefined : awsLikeWindows(timeScale)
const emulator = await startEmulator({ port, timeScale, propagation })
console.log(`AWS emulator listening on ${emulator.url}`)
console.log(
  `time scale ${emulator.clock.scale} (EMULATOR_TIME_SCALE); control API at ${emulator.url}/_emulator/; ` +
    `propagation windows ${propagation ? 'open for 1.5 s' : 'closed'} (EMULATOR_PROPAGATION)`
)

const shutdown = () => {
  emulator.stop().then(
    () => process.exit(0),
    () => process.exit(1)
  )
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
