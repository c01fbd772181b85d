import * as core from '@actions/core'

/** Runs each stage in its own log group and remembers how long it took, for the summary. */
export class Stages {
  readonly timings: { stage: string; ms: number }[] = []

  async run<T>(stage: string, fn: () => Promise<T> | T): Promise<T> {
    const started = Date.now()
    try {
      return await core.group(stage, async () => fn())
    } finally {
      this.timings.push({ stage, ms: Date.now() - started })
    }
  }
}
