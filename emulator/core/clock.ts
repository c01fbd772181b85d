/**
 * Emulated time. `scale` is real seconds per emulated second: 0.05 runs a 30 s health-check interval
 * in 1.5 real seconds. Everything in the emulator that waits goes through this, so tests can be fast
 * while the numbers the API reports (intervals, timestamps) stay the ones AWS would report.
 */
export class Clock {
  private readonly realStart = Date.now()
  private readonly emulatedStart = Date.now()
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(readonly scale = 1) {
    if (!(scale > 0)) throw new Error(`time scale must be > 0, got ${scale}`)
  }

  /** Emulated epoch milliseconds. */
  now(): number {
    return this.emulatedStart + (Date.now() - this.realStart) / this.scale
  }

  nowDate(): Date {
    return new Date(this.now())
  }

  /** Real milliseconds for an emulated duration. */
  real(emulatedMs: number): number {
    return emulatedMs * this.scale
  }

  /** Emulated milliseconds for a real duration. */
  emulated(realMs: number): number {
    return realMs / this.scale
  }

  setTimeout(fn: () => void, emulatedMs: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, this.real(emulatedMs))
    t.unref?.()
    this.timers.add(t)
    return t
  }

  clearTimeout(t: NodeJS.Timeout | undefined): void {
    if (!t) return
    clearTimeout(t)
    this.timers.delete(t)
  }

  setInterval(fn: () => void, emulatedMs: number): NodeJS.Timeout {
    const t = setInterval(fn, this.real(emulatedMs))
    t.unref?.()
    this.timers.add(t)
    return t
  }

  clearInterval(t: NodeJS.Timeout | undefined): void {
    if (!t) return
    clearInterval(t)
    this.timers.delete(t)
  }

  sleep(emulatedMs: number): Promise<void> {
    return new Promise(resolve => this.setTimeout(resolve, emulatedMs))
  }

  /** Cancel every pending timer (reset / stop). */
  clearAll(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }
}
