import { startEmulator } from './server.js'

const port = Number(process.env.EMULATOR_PORT ?? 4599)
const emulator = await startEmulator({ port })
console.log(`AWS emulator listening on ${emulator.url}`)
console.log(
  `time scale ${emulator.clock.scale} (EMULATOR_TIME_SCALE); control API at ${emulator.url}/_emulator/`
)
const shutdown = () => {
  emulator.stop().then(
    () => process.exit(0),
    () => process.exit(1)
  )
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
