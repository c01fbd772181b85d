import type { Tag } from '@aws-sdk/client-ecs'

/** Tags of every ECS resource, by ARN. */
export class TagStore {
  private byArn = new Map<string, Tag[]>()

  clear(): void {
    this.byArn.clear()
  }

  get(arn: string): Tag[] {
    return [...(this.byArn.get(arn) ?? [])]
  }

  set(arn: string, tags: Tag[]): void {
    this.byArn.set(arn, [])
    this.add(arn, tags)
  }

  add(arn: string, tags: Tag[]): void {
    const current = this.byArn.get(arn) ?? []
    for (const t of tags) {
      const i = current.findIndex(x => x.key === t.key)
      if (i >= 0) current[i] = { key: t.key, value: t.value }
      else current.push({ key: t.key, value: t.value })
    }
    this.byArn.set(arn, current)
  }

  remove(arn: string, keys: string[]): void {
    this.byArn.set(
      arn,
      (this.byArn.get(arn) ?? []).filter(t => !keys.includes(t.key ?? ''))
    )
  }

  delete(arn: string): void {
    this.byArn.delete(arn)
  }
}
