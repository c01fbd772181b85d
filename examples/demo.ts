/**
 * `npm run demo`: the seed's walk, automated. Starts the local AWS emulator, runs the bundled action
 * exactly as a GitHub runner would on the seed's own files, then asks the ALB for /hostname three
 * times, as the seed did with curl.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { awsLikeWindows } from '../emulator/ecs/propagation.js'
import { startEmulator } from '../emulator/server.js'
import { EmulatorControl } from '../test-support/emulator-client.js'
import { distEntry, repoRoot, runAction } from '../test-support/run-action.js'

const seed = (file: string) => path.join('examples', 'seed', file)
const started = Date.now()
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`

if (!existsSync(distEntry)) {
  console.error(`${distEntry} is missing: run 'npm run package' first`)
  process.exit(1)
}

// 30-second health checks with a healthy threshold of 3 (the seed's) take 90 s on AWS; at 1/50 of
// real time the whole walk takes a few seconds while every number the API reports stays the seed's.
const timeScale = Number(process.env.EMULATOR_TIME_SCALE ?? 0.02)
// AWS's eventual consistency too: the first deploy meets it and the action retries, as it would on AWS.
const propagation = process.env.EMULATOR_PROPAGATION === 'closed' ? undefined : awsLikeWindows(timeScale)
const emulator = await startEmulator({ port: 0, timeScale, propagation })
const control = new EmulatorControl(emulator.url)
console.log(`AWS emulator listening on ${emulator.url} (time ×${(1 / timeScale).toFixed(0)})`)

let exitCode = 0
try {
  const inputs = {
    cluster: 'ecs-demo',
    'load-balancer': seed('alb.json'),
    'target-group': seed('target-group.json'),
    listener: '{"Port": 80, "Protocol": "HTTP"}',
    'task-definition': seed('task-definition.json'),
    service: seed('ecs-simple-service-elb.json'),
    'poll-interval-seconds': '1',
    'wait-for-minutes': '3'
  }
  console.log('\n$ ecs-alb-deploy (dist/index.js), inputs:')
  for (const [k, v] of Object.entries(inputs)) console.log(`    ${k}: ${v}`)
  console.log('')
  const run = await runAction({
    inputs,
    endpoint: emulator.url,
    cwd: repoRoot,
    onStdout: chunk => {
      for (const line of chunk.split('\n')) {
        // The runner hides the workflow commands; so does the demo.
        if (line && !line.startsWith('::set-output') && !line.startsWith('::add-mask'))
          console.log(`  │ ${line}`)
      }
    }
  })
  if (run.code !== 0) {
    console.error(run.stderr)
    throw new Error(`the action failed (exit ${run.code})`)
  }
  const dns = run.outputs['dns-name']
  console.log(`\nDNS name: ${dns}`)
  const local = await control.localUrlFor(dns, 80)
  console.log(`(the emulator serves ${dns}:80 at ${local})\n`)
  const seen = new Set<string>()
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${local}/hostname`)
    const body = await res.text()
    seen.add(body)
    console.log(`$ curl ${dns}/hostname\n${body}`)
  }
  console.log(
    `\n${seen.size} different task${seen.size === 1 ? '' : 's'} answered 3 requests, round robin through the ALB.`
  )
  console.log(`service:         ${run.outputs['service-arn']}`)
  console.log(`task definition: ${run.outputs['task-definition-arn']}`)
  console.log(`target group:    ${run.outputs['target-group-arn']}`)
  console.log(`done in ${elapsed()}`)
  if (seen.size < 2) exitCode = 1
} catch (e) {
  console.error(`demo failed: ${(e as Error).message}`)
  exitCode = 1
} finally {
  await emulator.stop()
}
process.exit(exitCode)
