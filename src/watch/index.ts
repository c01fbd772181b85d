/** Stage 5: wait for an ECS rollout until every target is healthy, or say why it cannot get there. */
export { watchRollout, systemClock, type WatchOptions } from './watch.js'
export { describeService } from './poll.js'
export { primaryDeployment } from './snapshot.js'
export { formatDiagnosis } from './format.js'
export type {
  Clock,
  Diagnosis,
  DiagnosisKind,
  HealthCheckChange,
  Snapshot,
  TargetGroupHealth,
  WatchResult
} from './types.js'
