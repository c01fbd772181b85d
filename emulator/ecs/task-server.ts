import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** The app of one task, as tests can make it misbehave. */
export interface AppMode {
  /** Connections are dropped until this real epoch ms (slow start) or while `down`. */
  readyAtRealMs: number
  down: boolean
  healthStatus?: number
  hang: boolean
}

/**
 * The seed's app: `GET /hostname` answers the container's 12-hex-digit hostname without a newline,
 * anything else 404. Listens on 127.0.0.1 at an ephemeral port, which is the task's real address.
 */
export class TaskServer {
  readonly mode: AppMode
  private server?: http.Server
  private readonly sockets = new Set<Socket>()
  private abortStart?: () => void
  port = 0

  constructor(
    private readonly hostname: string,
    mode: Partial<AppMode> = {}
  ) {
    this.mode = { readyAtRealMs: 0, down: false, hang: false, ...mode }
  }

  async start(): Promise<number> {
    const server = http.createServer((req, res) => {
      if (this.mode.hang) return
      if (this.mode.healthStatus !== undefined) {
        res.writeHead(this.mode.healthStatus, { 'content-type': 'text/plain' })
        return res.end(`status ${this.mode.healthStatus}`)
      }
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (req.method === 'GET' && path === '/hostname') {
        res.writeHead(200, { 'content-type': 'text/plain' })
        return res.end(this.hostname)
      }
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('Not Found')
    })
    server.keepAliveTimeout = 1000
    server.on('connection', s => {
      // A slow-starting or crashed app refuses service while the port stays reserved for the task.
      if (this.mode.down || Date.now() < this.mode.readyAtRealMs) {
        s.destroy()
        return
      }
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    this.server = server
    await new Promise<void>((resolve, reject) => {
      // Closed before it listened (the task was stopped while starting): Node never calls the listen
      // callback then, so without this the task would wait for its app for ever.
      this.abortStart = () => reject(new Error('task server closed before it listened'))
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    }).finally(() => (this.abortStart = undefined))
    server.unref()
    this.port = (server.address() as AddressInfo).port
    return this.port
  }

  /** The app stops answering; the task itself keeps running. */
  goDown(): void {
    this.mode.down = true
    for (const s of this.sockets) s.destroy()
  }

  async close(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    this.abortStart?.()
    await new Promise<void>(resolve => {
      server.close(() => resolve())
      for (const s of this.sockets) s.destroy()
      server.closeAllConnections?.()
    })
  }
}
