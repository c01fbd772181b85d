import { randomUUID } from 'node:crypto'
import type { ServiceRec } from './state.js'

const MAX_EVENTS = 100

/** Service events, newest first, in AWS's wording. */
export function addEvent(svc: ServiceRec, message: string, at: Date): void {
  svc.events.unshift({
    id: randomUUID(),
    createdAt: at,
    message: `(service ${svc.service.serviceName}) ${message}`
  })
  if (svc.events.length > MAX_EVENTS) svc.events.length = MAX_EVENTS
}

/** Writes what a tick collected as one event per kind, the way ECS batches them. */
export function flushEvents(svc: ServiceRec, at: Date): void {
  const p = svc.pending
  if (p.started.length) {
    addEvent(
      svc,
      `has started ${p.started.length} tasks: ${p.started.map(t => `(task ${t})`).join(' ')}.`,
      at
    )
  }
  for (const [tg, n] of p.registered) addEvent(svc, `registered ${n} targets in (target-group ${tg})`, at)
  if (p.stopped.length) {
    addEvent(
      svc,
      `has stopped ${p.stopped.length} running tasks: ${p.stopped.map(t => `(task ${t})`).join(' ')}.`,
      at
    )
  }
  for (const [tg, n] of p.deregistered) addEvent(svc, `deregistered ${n} targets in (target-group ${tg})`, at)
  p.started = []
  p.stopped = []
  p.registered = new Map()
  p.deregistered = new Map()
}

export const emptyPending = (): ServiceRec['pending'] => ({
  started: [],
  stopped: [],
  registered: new Map(),
  deregistered: new Map()
})
