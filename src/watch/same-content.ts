import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs'
import { deepEqual } from '../model/diff.js'
import { normalizeTaskDefinition, type NormalizedTaskDefinition } from '../aws/normalize/task-definition.js'

/** `app` out of `arn:…:task-definition/app:4` (or `app:4`). */
export function taskDefinitionFamily(ref: string): string | undefined {
  return /(?:^|task-definition\/)([^/:]+):\d+$/.exec(ref)?.[1]
}

/**
 * Two runs of the same deploy at the same time can each register a revision with the same content
 * (app:3 and app:4); the deployment of whichever updated the service last takes over, and the other run
 * must follow it rather than fail. Remembers, per task definition ARN, whether its content equals the
 * watched one: one DescribeTaskDefinition per distinct ARN (and one for ours), asked only when such a
 * deployment shows up, so ordinary polls cost nothing more.
 */
export class SameContent {
  private readonly known = new Map<string, boolean>()
  private ours?: Promise<NormalizedTaskDefinition | undefined>

  constructor(
    private readonly ecs: ECSClient,
    private readonly ourArn: string
  ) {
    this.known.set(ourArn, true)
  }

  /** `undefined`: not compared (yet). */
  get(arn: string | undefined): boolean | undefined {
    return arn === undefined ? undefined : this.known.get(arn)
  }

  /** The comparisons made so far, ours included, for the pure diagnosis. */
  get results(): ReadonlyMap<string, boolean> {
    return this.known
  }

  /** Only another revision of our own family can have our content; anything else differs without a look. */
  needsLookup(arn: string | undefined): arn is string {
    if (arn === undefined || this.known.has(arn)) return false
    const family = taskDefinitionFamily(arn)
    if (family === undefined || family !== taskDefinitionFamily(this.ourArn)) {
      this.known.set(arn, false)
      return false
    }
    return true
  }

  async compare(arn: string): Promise<boolean> {
    // Ours is read once; a failed read is forgotten so the next poll asks again (throttling).
    this.ours ??= this.describe(this.ourArn).catch((err: unknown) => {
      this.ours = undefined
      throw err
    })
    const [ours, theirs] = await Promise.all([this.ours, this.describe(arn)])
    const same = ours !== undefined && theirs !== undefined && deepEqual(ours, theirs)
    this.known.set(arn, same)
    return same
  }

  private async describe(arn: string): Promise<NormalizedTaskDefinition | undefined> {
    const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))
    return out.taskDefinition ? normalizeTaskDefinition(out.taskDefinition) : undefined
  }
}
