import type { Service, Tag as EcsTag, TaskDefinition } from '@aws-sdk/client-ecs'
import type { Listener, LoadBalancer, Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'

/** Tags as a map, key → value. */
export type TagMap = Record<string, string>

/**
 * What exists, as discover found it, in the SDK's own shapes. Absent means "does not exist" (or, for a
 * service, INACTIVE). Pure data: plan and apply read it, nothing writes it after discover.
 */
export interface Actual {
  loadBalancer?: LoadBalancer
  /** The target group named in the request. */
  targetGroup?: TargetGroup
  /**
   * The `<name>-<hash>` target group an earlier run created because the requested immutable settings
   * (protocol, port, VPC, target type) differ from `targetGroup`'s.
   */
  replacementTargetGroup?: TargetGroup
  /** Under a native strategy (BLUE_GREEN, LINEAR, CANARY): the second target group ECS shifts traffic to. */
  alternateTargetGroup?: TargetGroup
  /**
   * Attributes of the existing target groups above, by ARN; read only when the request holds target group
   * attributes (target-group-attributes), so that other runs pay no extra call.
   */
  targetGroupAttributes: Record<string, Record<string, string>>
  /** The load balancer's attributes; read only when the request holds some (load-balancer-attributes). */
  loadBalancerAttributes?: Record<string, string>
  /** Every listener of the load balancer. */
  listeners: Listener[]
  /** Rules of the listener on the requested port; only looked up when a listener rule is requested. */
  rules: Rule[]
  /** Rules of the test listener (test-listener), when it exists. */
  testRules: Rule[]
  /** Tags of the load balancer, target groups, listeners and rules above, by ARN. */
  elbTags: Record<string, TagMap>
  /** Latest ACTIVE revision of the family (register), or the referenced revision (reference). */
  taskDefinition?: TaskDefinition
  taskDefinitionTags: EcsTag[]
  /**
   * The family's latest ACTIVE revision, when it is not `taskDefinition` (the one the service runs): a
   * run killed after registering leaves the revision it meant to deploy there, for the re-run to use.
   */
  latestTaskDefinition?: TaskDefinition
  /**
   * The referenced revision (and its tags) when the request registers it anew with other images; then
   * `taskDefinition` is the family's latest ACTIVE revision, which the new one is compared with.
   */
  baseTaskDefinition?: { taskDefinition?: TaskDefinition; tags: EcsTag[] }
  /** ACTIVE or DRAINING; an INACTIVE service is reported as absent. */
  service?: Service
}

export function emptyActual(): Actual {
  return {
    listeners: [],
    rules: [],
    testRules: [],
    elbTags: {},
    targetGroupAttributes: {},
    taskDefinitionTags: []
  }
}
