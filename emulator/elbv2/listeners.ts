import type {
  Certificate,
  CreateListenerCommandInput,
  CreateListenerCommandOutput,
  DeleteListenerCommandInput,
  DescribeListenerCertificatesCommandInput,
  DescribeListenerCertificatesCommandOutput,
  DescribeListenersCommandInput,
  DescribeListenersCommandOutput,
  Listener,
  ModifyListenerCommandInput,
  ModifyListenerCommandOutput
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { AwsError } from '../core/errors.js'
import type { Elbv2Context } from './context.js'
import { normalizeActions } from './actions.js'
import { hexId, listenerArn, ruleArn } from './arns.js'
import type { ListenerRecord } from './store.js'
import { checkTags, setTags } from './tags.js'
import { checkPort, page, required, validation } from './validate.js'

type Out<T> = Omit<T, '$metadata'>

const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08'
const MAX_LISTENERS = 50

const certificatesOf = (certs: Certificate[] | undefined): Certificate[] =>
  (certs ?? []).map(c => ({ CertificateArn: required(c.CertificateArn, 'CertificateArn') }))

/** Protocol, certificates and SSL policy as ELBv2 keeps them for an ALB listener. */
function security(
  protocol: string,
  certificates: Certificate[],
  sslPolicy: string | undefined
): Partial<Listener> {
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') {
    throw new AwsError(
      'UnsupportedProtocol',
      `Protocol '${protocol}' is not supported by application load balancers`
    )
  }
  if (protocol === 'HTTPS') {
    if (!certificates.length) throw validation('A certificate must be specified for HTTPS listeners')
    return { Certificates: certificates, SslPolicy: sslPolicy ?? DEFAULT_SSL_POLICY }
  }
  if (certificates.length) throw validation('Certificates cannot be specified for HTTP listeners')
  if (sslPolicy) throw validation('An SSL policy cannot be specified for HTTP listeners')
  return {}
}

export async function createListener(
  ctx: Elbv2Context,
  input: CreateListenerCommandInput
): Promise<Out<CreateListenerCommandOutput>> {
  const lb = ctx.store.lb(required(input.LoadBalancerArn, 'LoadBalancerArn'))
  const protocol = required(input.Protocol, 'Protocol')
  const port = required(input.Port, 'Port')
  checkPort(port)
  const sec = security(protocol, certificatesOf(input.Certificates), input.SslPolicy)
  const actions = normalizeActions(input.DefaultActions, {
    store: ctx.store,
    lbArn: lb.arn,
    vpcId: lb.lb.VpcId
  })
  const tags = checkTags(input.Tags)
  const wanted: Listener = {
    LoadBalancerArn: lb.arn,
    Port: port,
    Protocol: protocol,
    ...sec,
    DefaultActions: actions,
    ...(input.AlpnPolicy?.length && { AlpnPolicy: input.AlpnPolicy })
  }
  const existing = ctx.store.listenersOf(lb.arn).find(l => l.listener.Port === port)
  if (existing) {
    const { ListenerArn: _arn, ...current } = existing.listener
    if (JSON.stringify(current) !== JSON.stringify(wanted)) {
      throw new AwsError(
        'DuplicateListener',
        `A listener already exists on this port for this load balancer '${lb.arn}'`
      )
    }
    return { Listeners: [existing.listener] }
  }
  if (ctx.store.listenersOf(lb.arn).length >= MAX_LISTENERS) {
    throw new AwsError(
      'TooManyListeners',
      `You have reached the maximum number of listeners for load balancer '${lb.arn}'`
    )
  }
  const id = hexId()
  const arn = listenerArn(ctx, lb.name, lb.id, id)
  const rec: ListenerRecord = {
    arn,
    id,
    lbArn: lb.arn,
    listener: { ListenerArn: arn, ...wanted },
    defaultRuleArn: ruleArn(ctx, lb.name, lb.id, id, hexId())
  }
  // Stored before the server starts, so that a concurrent identical create finds it.
  ctx.store.listeners.set(arn, rec)
  try {
    await ctx.servers.start(arn)
  } catch (e) {
    ctx.store.listeners.delete(arn)
    throw e
  }
  setTags(ctx, arn, tags)
  ctx.refreshUsage()
  return { Listeners: [rec.listener] }
}

export function describeListeners(
  ctx: Elbv2Context,
  input: DescribeListenersCommandInput
): Out<DescribeListenersCommandOutput> {
  let chosen: ListenerRecord[]
  if (input.ListenerArns?.length) {
    if (input.LoadBalancerArn)
      throw validation('Listener ARNs and a load balancer ARN cannot be specified at the same time')
    if (input.ListenerArns.some(a => !ctx.store.listeners.has(a)))
      throw new AwsError('ListenerNotFound', 'One or more listeners not found')
    chosen = [...ctx.store.listeners.values()].filter(l => input.ListenerArns?.includes(l.arn))
  } else if (input.LoadBalancerArn) {
    chosen = ctx.store.listenersOf(ctx.store.lb(input.LoadBalancerArn).arn)
  } else {
    throw validation('You must specify either listener ARNs or a load balancer ARN')
  }
  const p = page(chosen, input.Marker, input.PageSize)
  return { Listeners: p.items.map(l => l.listener), NextMarker: p.next }
}

export function modifyListener(
  ctx: Elbv2Context,
  input: ModifyListenerCommandInput
): Out<ModifyListenerCommandOutput> {
  const rec = ctx.store.listener(input.ListenerArn)
  const lb = ctx.store.lb(rec.lbArn)
  const current = rec.listener
  const port = input.Port ?? current.Port ?? 80
  checkPort(port)
  if (port !== current.Port && ctx.store.listenersOf(lb.arn).some(l => l.listener.Port === port)) {
    throw new AwsError(
      'DuplicateListener',
      `A listener already exists on this port for this load balancer '${lb.arn}'`
    )
  }
  const protocol = input.Protocol ?? current.Protocol ?? 'HTTP'
  const keepTls = protocol === 'HTTPS'
  const certificates = input.Certificates?.length
    ? certificatesOf(input.Certificates)
    : keepTls
      ? (current.Certificates ?? [])
      : []
  const sec = security(protocol, certificates, input.SslPolicy ?? (keepTls ? current.SslPolicy : undefined))
  const actions = input.DefaultActions?.length
    ? normalizeActions(input.DefaultActions, { store: ctx.store, lbArn: lb.arn, vpcId: lb.lb.VpcId })
    : current.DefaultActions
  const alpn = input.AlpnPolicy ?? current.AlpnPolicy
  rec.listener = {
    ListenerArn: rec.arn,
    LoadBalancerArn: lb.arn,
    Port: port,
    Protocol: protocol,
    ...sec,
    DefaultActions: actions,
    ...(alpn?.length && { AlpnPolicy: alpn })
  }
  ctx.refreshUsage()
  return { Listeners: [rec.listener] }
}

/** Removes a listener with its rules, tags and local server (DeleteListener, DeleteLoadBalancer). */
export async function deleteListenerRecord(ctx: Elbv2Context, rec: ListenerRecord): Promise<void> {
  for (const r of ctx.store.rulesOf(rec.arn)) {
    ctx.store.rules.delete(r.arn)
    ctx.store.tags.delete(r.arn)
  }
  ctx.store.tags.delete(rec.defaultRuleArn)
  ctx.store.tags.delete(rec.arn)
  ctx.store.listeners.delete(rec.arn)
  await ctx.servers.close(rec.arn)
}

export async function deleteListener(ctx: Elbv2Context, input: DeleteListenerCommandInput): Promise<object> {
  await deleteListenerRecord(ctx, ctx.store.listener(required(input.ListenerArn, 'ListenerArn')))
  ctx.refreshUsage()
  return {}
}

export function describeListenerCertificates(
  ctx: Elbv2Context,
  input: DescribeListenerCertificatesCommandInput
): Out<DescribeListenerCertificatesCommandOutput> {
  const rec = ctx.store.listener(required(input.ListenerArn, 'ListenerArn'))
  const certs = (rec.listener.Certificates ?? []).map((c, i) => ({
    CertificateArn: c.CertificateArn,
    IsDefault: i === 0
  }))
  const p = page(certs, input.Marker, input.PageSize)
  return { Certificates: p.items, NextMarker: p.next }
}
