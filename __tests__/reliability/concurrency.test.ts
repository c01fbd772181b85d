/**
 * Two runs on the same service at once (a double-clicked workflow, two pushes in a row): one load
 * balancer, target group, listener, rule and service result, the service runs a task definition one of
 * them asked for, and each run exits with success or a clear "another deployment" error.
 */
import { startEmulator, type Emulator } from '../../emulator/server.js'
import {
  errorLines,
  expectSuccess,
  recordFigures,
  resourceCounts,
  runToEnd,
  scenarioInputs,
  type StateDump
} from './harness.js'

const TIME_SCALE = 0.005
let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: TIME_SCALE })
})
afterAll(async () => {
  await emulator.stop()
})

const dump = async (): Promise<StateDump> =>
  (await (await fetch(`${emulator.url}/_emulator/state`)).json()) as StateDump

interface FullService {
  status: string
  taskDefinition?: string
  desiredCount?: number
  deployments?: { status?: string; rolloutState?: string }[]
}
interface FullTaskDefinition {
  taskDefinitionArn: string
  containerDefinitions: { image: string }[]
}

const SCENARIOS = [
  { name: 'first deploy, same inputs', existing: false, images: ['example/web:1.0', 'example/web:1.0'] },
  { name: 'first deploy, different images', existing: false, images: ['example/web:a', 'example/web:b'] },
  { name: 'update, same inputs', existing: true, images: ['example/web:2.0', 'example/web:2.0'] },
  { name: 'update, different images', existing: true, images: ['example/web:a', 'example/web:b'] }
]
const ROUNDS = 2

interface Outcome {
  scenario: string
  round: number
  exits: string[]
  finalImage: string
  revisions: number
}

test('two runs at once leave one of everything, in a state one of them asked for, and exit clearly', async () => {
  const outcomes: Outcome[] = []
  for (const scenario of SCENARIOS) {
    for (let round = 1; round <= ROUNDS; round++) {
      await emulator.reset()
      if (scenario.existing) {
        expectSuccess(await runToEnd({ inputs: scenarioInputs(), endpoint: emulator.url }), 'setup deploy')
      }
      const runs = await Promise.all(
        scenario.images.map(image => runToEnd({ inputs: scenarioInputs({ image }), endpoint: emulator.url }))
      )
      const label = `${scenario.name} #${round}`
      const exits = runs.map(run => {
        if (run.code === 0) return 'success'
        const errors = errorLines(run.stdout)
        // Not a crash or a hang: one error, and it says another deployment got there.
        expect({ label, code: run.code, errors: errors.length }).toEqual({ label, code: 1, errors: 1 })
        expect(errors[0]).toMatch(/another deployment/i)
        return errors[0].split('\n')[0]
      })
      // The last UpdateService wins, and the run that made it sees its deployment through.
      expect({ label, exits }).toEqual({ label, exits: expect.arrayContaining(['success']) as string[] })

      const state = await dump()
      const { taskDefinitionRevisions, ...counts } = resourceCounts(state)
      expect({ label, ...counts }).toEqual({
        label,
        loadBalancers: 1,
        targetGroups: 1,
        listeners: 1,
        rules: 1,
        services: 1
      })
      const services = state.ecs.clusters.flatMap(c => c.services) as unknown as FullService[]
      const service = services.find(s => s.status === 'ACTIVE')
      const tds = state.ecs.taskDefinitions as unknown as FullTaskDefinition[]
      const finalImage =
        tds.find(td => td.taskDefinitionArn === service?.taskDefinition)?.containerDefinitions[0].image ?? ''
      expect({ label, asked: scenario.images.includes(finalImage) }).toEqual({ label, asked: true })
      // Settled on it: a run that succeeded waited for the rollout to complete.
      expect(service?.deployments?.map(d => `${d.status} ${d.rolloutState}`)).toEqual(['PRIMARY COMPLETED'])
      outcomes.push({ scenario: scenario.name, round, exits, finalImage, revisions: taskDefinitionRevisions })
    }
  }
  recordFigures('concurrency', outcomes)
}, 300_000)
