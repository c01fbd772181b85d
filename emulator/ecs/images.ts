/**
 * How the app inside an image behaves, set by tests through `POST /_emulator/images`. The image is
 * matched exactly or as a glob (`*:broken`); the last rule that matches wins.
 */
export interface ImageBehaviour {
  image: string
  pullFails?: boolean
  exitAfterSeconds?: number
  exitCode?: number
  oom?: boolean
  startDelaySeconds?: number
  /** Every path answers this status. */
  healthStatus?: number
  /** Accepts connections, never answers. */
  hang?: boolean
}

/** `*` matches anything, everything else literally (image and function globs of the control API). */
export const globToRegExp = (pattern: string): RegExp =>
  new RegExp(
    '^' +
      pattern
        .split('*')
        .map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$'
  )

export class ImageBehaviours {
  private rules: ImageBehaviour[] = []

  add(rule: ImageBehaviour): void {
    if (!rule || typeof rule.image !== 'string' || !rule.image)
      throw new Error('images: "image" (string) is required')
    this.rules.push(rule)
  }

  clear(): void {
    this.rules = []
  }

  list(): ImageBehaviour[] {
    return [...this.rules]
  }

  /** The merged behaviour of an image: later rules override earlier ones field by field. */
  for(image: string): Omit<ImageBehaviour, 'image'> {
    const out: Omit<ImageBehaviour, 'image'> = {}
    for (const r of this.rules) {
      if (r.image === image || globToRegExp(r.image).test(image))
        Object.assign(out, { ...r, image: undefined })
    }
    delete (out as { image?: string }).image
    return out
  }
}
