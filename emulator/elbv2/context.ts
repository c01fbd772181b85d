import type { Clock } from '../core/clock.js'
import type { VpcInfo } from '../core/types.js'
import type { HealthMonitor } from './health.js'
import type { ListenerServers } from './router.js'
import type { Store } from './store.js'

/** What every ELBv2 operation works with. */
export interface Elbv2Context {
  store: Store
  clock: Clock
  region: string
  accountId: string
  vpcs: VpcInfo[]
  health: HealthMonitor
  servers: ListenerServers
  /** After listeners or rules change: which target groups a load balancer now uses (their targets start or stop checks). */
  refreshUsage(): void
}
