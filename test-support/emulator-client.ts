import type { CallRecord } from '../emulator/core/calls.js'

/** The emulator's control API, as tests and the demo use it over HTTP. */
export class EmulatorControl {
  constructor(readonly url: string) {}

  private async req<T>(method: string, route: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/_emulator/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} /_emulator/${route}: ${res.status} ${text}`)
    return JSON.parse(text) as T
  }

  calls(since = 0): Promise<CallRecord[]> {
    return this.req('GET', `calls?since=${since}`)
  }
  async mutatingCalls(since = 0): Promise<CallRecord[]> {
    return (await this.calls(since)).filter(c => c.mutating && c.status < 300)
  }
  state(): Promise<Record<string, unknown>> {
    return this.req('GET', 'state')
  }
  reset(): Promise<unknown> {
    return this.req('POST', 'reset')
  }
  faults(cfg: unknown): Promise<unknown> {
    return this.req('POST', 'faults', cfg)
  }
  clearFaults(): Promise<unknown> {
    return this.req('DELETE', 'faults')
  }
  listeners(): Promise<
    { listenerArn: string; dnsName: string; port: number; protocol: string; localUrl: string }[]
  > {
    return this.req('GET', 'listeners')
  }
  images(cfg: unknown): Promise<unknown> {
    return this.req('POST', 'images', cfg)
  }
  stopTasks(cfg: unknown): Promise<unknown> {
    return this.req('POST', 'tasks/stop', cfg)
  }
  /** Lambda lifecycle hook answers: `{function, hookStatus, callBackDelay?}` (one or an array). */
  hooks(answers: unknown): Promise<{ invocations: { function: string; lifecycleStage: string }[] }> {
    return this.req('POST', 'hooks', answers)
  }
  hookInvocations(): Promise<{
    invocations: { function: string; lifecycleStage: string; answered: string }[]
  }> {
    return this.req('GET', 'hooks')
  }
  iam(policy: unknown): Promise<unknown> {
    return this.req('POST', 'iam', policy)
  }

  /** The local URL that stands for an ALB DNS name and port. */
  async localUrlFor(dnsName: string, port = 80): Promise<string> {
    const l = (await this.listeners()).find(x => x.dnsName === dnsName && x.port === port)
    if (!l) throw new Error(`no listener for ${dnsName}:${port}`)
    return l.localUrl
  }
}
