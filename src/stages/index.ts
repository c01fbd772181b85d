/**
 * Everything that needs the AWS SDK, in one module so main can load it only once the inputs are valid:
 * a validation error then exits without evaluating the SDK at all (cold start, see bench/RESULTS.md).
 */
export { createClients } from '../aws/clients.js'
export { discover } from './discover.js'
export { buildPlan } from './plan.js'
export { applyPlan, ApplyFailed } from './apply.js'
export {
  watchAndRecover,
  RolloutFailed,
  serviceTargetGroups,
  targetGroupsBefore,
  undoFailedApply
} from './recover.js'
export { teardown } from './teardown.js'
export { removalLabel } from '../model/teardown.js'
export { promote } from './promote.js'
export { watchNativeDeployment, ServiceDeploymentFailed } from './service-deployment.js'
