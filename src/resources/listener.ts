import {
  CreateListenerCommand,
  DescribeListenersCommand,
  ModifyListenerCommand,
  type Action,
  type CreateListenerCommandInput,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type ModifyListenerCommandInput
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { allPages } from '../aws/paginate.js'
import { DeployError, withExplanation } from '../aws/errors.js'
import { creationChanges, isSubset, sortedSet } from '../model/diff.js'
import { actionsMatch } from '../aws/normalize/actions.js'
import type { Call, FieldChange, Operation, PlanStep, ResourceKind } from '../model/plan.js'
import { pendingArn } from '../model/placeholders.js'
import type { DeployRequest } from '../model/request.js'
import type { CallContext, CallResult, PlanContext } from './context.js'
import { stepCalls } from './steps.js'
import { elbTags, foreignRefusal, mayModify, ownership } from './ownership.js'

/** A listener shared by rules answers what no rule matches with this. */
export const NO_ROUTE_ACTION: Action = {
  Type: 'fixed-response',
  FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no route' }
}

const REDIRECT_PORT = 80

/** What the listener should look like; the target group ARN is known (or pending) at this point. */
export interface ListenerSpec {
  kind: Extract<ResourceKind, 'listener' | 'redirect-listener' | 'test-listener'>
  Port: number
  Protocol: 'HTTP' | 'HTTPS'
  Certificates?: CreateListenerCommandInput['Certificates']
  SslPolicy?: string
  AlpnPolicy?: string[]
  DefaultActions: Action[]
  /** False when the default actions belong to others (a listener shared by rules). */
  manageDefaultActions: boolean
}

function withTargetGroup(action: Action, targetGroupArn: string): Action {
  if (action.Type !== 'forward' || action.TargetGroupArn || action.ForwardConfig) return action
  return { ...action, TargetGroupArn: targetGroupArn }
}

export function listenerSpecs(request: DeployRequest, targetGroupArn: string): ListenerSpec[] {
  const l = request.listener
  const userActions = l.DefaultActions?.map(a => withTargetGroup(a, targetGroupArn))
  const fallback: Action = request.listenerRule
    ? NO_ROUTE_ACTION
    : { Type: 'forward', TargetGroupArn: targetGroupArn }
  const specs: ListenerSpec[] = [
    {
      kind: 'listener',
      Port: l.Port,
      Protocol: l.Protocol,
      Certificates: l.Certificates,
      SslPolicy: l.SslPolicy,
      AlpnPolicy: l.AlpnPolicy,
      DefaultActions: userActions ?? [fallback],
      // With a rule, the listener is shared: its default action is someone else's unless the user set it.
      manageDefaultActions: !request.listenerRule || userActions !== undefined
    }
  ]
  if (request.redirectHttpToHttps && l.Protocol === 'HTTPS') {
    if (l.Port === REDIRECT_PORT) {
      throw new DeployError(
        'listener: an HTTPS listener on port 80 leaves no port for redirect-http-to-https.'
      )
    }
    specs.push({
      kind: 'redirect-listener',
      Port: REDIRECT_PORT,
      Protocol: 'HTTP',
      DefaultActions: [
        {
          Type: 'redirect',
          RedirectConfig: { Protocol: 'HTTPS', Port: String(l.Port), StatusCode: 'HTTP_301' }
        }
      ],
      manageDefaultActions: true
    })
  }
  const test = request.testListener
  if (test) {
    // Only the test rule (ECS's) routes on it; what it does not match is no one's.
    specs.push({
      kind: 'test-listener',
      Port: test.Port,
      Protocol: test.Protocol,
      Certificates: test.Certificates,
      SslPolicy: test.SslPolicy,
      AlpnPolicy: test.AlpnPolicy,
      DefaultActions: [NO_ROUTE_ACTION],
      manageDefaultActions: true
    })
  }
  return specs
}

/** The ModifyListener fields that differ (empty: nothing to do). */
export function listenerChanges(spec: ListenerSpec, actual: Listener): FieldChange[] {
  const changes: FieldChange[] = []
  if (spec.Protocol !== actual.Protocol)
    changes.push({ field: 'Protocol', from: actual.Protocol, to: spec.Protocol })
  if (spec.Certificates) {
    const to = sortedSet(spec.Certificates.map(c => c.CertificateArn))
    const from = sortedSet((actual.Certificates ?? []).map(c => c.CertificateArn))
    if (to.join() !== from.join()) changes.push({ field: 'Certificates', from, to })
  }
  if (spec.SslPolicy !== undefined && spec.SslPolicy !== actual.SslPolicy) {
    changes.push({ field: 'SslPolicy', from: actual.SslPolicy, to: spec.SslPolicy })
  }
  if (spec.AlpnPolicy !== undefined && !isSubset(spec.AlpnPolicy, actual.AlpnPolicy)) {
    changes.push({ field: 'AlpnPolicy', from: actual.AlpnPolicy, to: spec.AlpnPolicy })
  }
  if (spec.manageDefaultActions && !actionsMatch(spec.DefaultActions, actual.DefaultActions)) {
    changes.push({ field: 'DefaultActions', from: actual.DefaultActions, to: spec.DefaultActions })
  }
  return changes
}

function label(spec: ListenerSpec): string {
  return `:${spec.Port} ${spec.Protocol}`
}

export function findListener(listeners: Listener[], port: number): Listener | undefined {
  return listeners.find(l => l.Port === port)
}

/** Every listener of the load balancer, every page. */
export async function describeListeners(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn: string
): Promise<Listener[]> {
  return allPages(async Marker => {
    const out = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker }))
    return { items: out.Listeners, next: out.NextMarker }
  })
}

export interface ListenerPlanOptions extends PlanContext {
  targetGroupArn: string
  /** The load balancer's ARN, or the placeholder of the one this run creates. */
  loadBalancerArn: string
  /** Set when a listener this run creates is kept if the run fails; else it is deleted again. */
  keepCreated?: string
}

export function planListeners(ctx: ListenerPlanOptions): PlanStep[] {
  const { request, actual } = ctx
  if (!request.loadBalancer || !request.targetGroup) return []
  return listenerSpecs(request, ctx.targetGroupArn).map(spec => {
    const existing = findListener(actual.listeners, spec.Port)
    const name = label(spec)
    if (!existing && request.preview) {
      // A listener a preview created would carry the preview's ownership tag and a 404 default: the base
      // deploy could then neither adopt it nor forward its default to the base service.
      throw new DeployError(
        `preview ${request.preview.id}: the load balancer has no listener ${name}. Previews are routed by a rule on the ` +
          "base stack's listener: deploy the base service first (the same inputs without preview-routing), then the previews."
      )
    }
    if (!existing) {
      const { kind: _k, manageDefaultActions: _m, ...fields } = spec
      const arn = pendingArn('listener', name)
      const operations: Operation[] = [
        {
          do: {
            call: 'CreateListener',
            input: {
              LoadBalancerArn: ctx.loadBalancerArn,
              Protocol: spec.Protocol,
              Port: spec.Port,
              Certificates: spec.Certificates,
              SslPolicy: spec.SslPolicy,
              AlpnPolicy: spec.AlpnPolicy,
              DefaultActions: spec.DefaultActions,
              Tags: elbTags(request)
            },
            produces: { arn }
          },
          // Kept even when the run fails: it forwards to the service, which the rollback puts back as it
          // was, and removing a listener is a permission the policy need not grant (a teardown does it).
          kept:
            ctx.keepCreated ??
            'created by this run: kept (it forwards to the service as before; a teardown removes it)',
          says: `created listener ${name}`
        }
      ]
      return {
        resource: spec.kind,
        name,
        action: 'create',
        changes: creationChanges(fields, /^DefaultActions$/),
        calls: stepCalls(operations),
        operations
      }
    }
    const arn = existing.ListenerArn
    const changes = listenerChanges(spec, existing)
    if (changes.length === 0 || !arn) {
      return { resource: spec.kind, name, action: 'none', changes: [], arn, calls: [], operations: [] }
    }
    if (request.preview) {
      // The listener is the base stack's, shared by every preview and by production traffic: a preview only
      // adds its rule. Not even adopt-existing lets a preview change it (that is the base deploy's job).
      throw new DeployError(
        `preview ${request.preview.id}: listener ${name} is the base stack's, shared by production and every preview, and its ` +
          `${changes.map(c => c.field).join(', ')} differ from the preview's inputs. A preview never modifies the shared listener, ` +
          "not even with adopt-existing: give the preview the base stack's listener input, or change the listener with a base deploy."
      )
    }
    const owner = ownership(actual.elbTags[arn], request)
    const foreign = foreignRefusal(`Listener ${name}`, owner, request)
    if (foreign) throw new DeployError(foreign)
    if (!mayModify(owner, request)) {
      throw new DeployError(
        `Listener ${name} on the load balancer exists but was not created by this action (it lacks the ecs-alb-deploy:stack tag), ` +
          `and its ${changes.map(c => c.field).join(', ')} differ from the request. Set the input adopt-existing: true to let the action modify it` +
          (request.listenerRule
            ? '.'
            : ', or use listener-rule to route to the service by a rule on the shared listener.')
      )
    }
    const fields = changes.map(c => c.field)
    const operations: Operation[] = [
      {
        do: { call: 'ModifyListener', input: modifyInput({ arn, fields, to: spec }) },
        inverse: { call: 'ModifyListener', input: modifyInput({ arn, fields, to: existing }) },
        says: `modified listener ${name}: ${fields.join(', ')}`
      }
    ]
    return {
      resource: spec.kind,
      name,
      action: 'update',
      changes,
      arn,
      calls: stepCalls(operations),
      operations
    }
  })
}

/** ModifyListener with the given fields of `to`: a listener as requested, or as it was (the inverse). */
function modifyInput(opts: {
  arn: string
  fields: string[]
  to: Pick<Listener, 'Protocol' | 'Certificates' | 'SslPolicy' | 'AlpnPolicy' | 'DefaultActions'>
}): ModifyListenerCommandInput {
  const { fields, to } = opts
  const input: ModifyListenerCommandInput = { ListenerArn: opts.arn }
  if (fields.includes('Protocol')) input.Protocol = to.Protocol
  // Switching to HTTPS needs the certificate and policy in the same call; HTTP takes neither.
  const toHttps = fields.includes('Protocol') && to.Protocol === 'HTTPS'
  if (to.Protocol !== 'HTTP' && (toHttps || fields.includes('Certificates'))) {
    input.Certificates = to.Certificates?.map(c => ({ CertificateArn: c.CertificateArn }))
  }
  if (to.Protocol !== 'HTTP' && (toHttps || fields.includes('SslPolicy'))) input.SslPolicy = to.SslPolicy
  if (fields.includes('AlpnPolicy')) input.AlpnPolicy = to.AlpnPolicy
  if (fields.includes('DefaultActions')) input.DefaultActions = to.DefaultActions?.map(restorableAction)
  return input
}

/** An action as AWS describes it, made fit to send back: one spelling of a single forward target. */
export function restorableAction(action: Action): Action {
  const { ForwardConfig, TargetGroupArn, ...rest } = action
  if (rest.Type === 'forward' && ForwardConfig?.TargetGroups && ForwardConfig.TargetGroups.length > 1) {
    return { ...rest, ForwardConfig }
  }
  const single = TargetGroupArn ?? ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn
  return single
    ? { ...rest, TargetGroupArn: single }
    : { ...rest, ...(ForwardConfig ? { ForwardConfig } : {}) }
}

type ListenerCall = Extract<Call, { call: 'CreateListener' | 'ModifyListener' }>

/** Sends one planned listener call as it is. */
export async function executeListenerCall(ctx: CallContext, call: ListenerCall): Promise<CallResult> {
  const { elbv2 } = ctx.clients
  switch (call.call) {
    case 'CreateListener': {
      const out = await withExplanation(`CreateListener ${ctx.name}`, () =>
        elbv2.send(new CreateListenerCommand(call.input))
      )
      const arn = out.Listeners?.[0]?.ListenerArn
      if (!arn) throw new DeployError(`CreateListener ${ctx.name} answered without a listener`)
      return { arn }
    }
    case 'ModifyListener':
      await withExplanation(`ModifyListener ${ctx.name}`, () =>
        elbv2.send(new ModifyListenerCommand(call.input))
      )
      return {}
  }
}
