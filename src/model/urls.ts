import type { DeployRequest, PreviewOptions } from './request.js'

/** Where the service answers, as the outputs and the summary give it. */

/** http(s)://dns[:port][/path]: the port when not the scheme's default, the path of a path-pattern rule. */
export function serviceUrl(request: DeployRequest, dnsName: string): string {
  const scheme = request.listener.Protocol.toLowerCase()
  const port = request.listener.Port === (scheme === 'https' ? 443 : 80) ? '' : `:${request.listener.Port}`
  const pattern = request.listenerRule?.Conditions.find(c => c.Field === 'path-pattern')
  const first = (pattern?.PathPatternConfig?.Values ?? pattern?.Values)?.[0]
  const path = first ? first.replace(/\*.*$/, '').replace(/\?$/, '') : ''
  return `${scheme}://${dnsName}${port}${path}`
}

export function previewHost(preview: PreviewOptions): string {
  return preview.hostTemplate.replace(/\{id\}/g, preview.id).toLowerCase()
}

/**
 * Where a preview answers. Host routing: its own host name (a wildcard DNS record points it at the load
 * balancer), on the listener's port; path routing: `/<id>/` on the load balancer's own URL.
 */
export function previewUrl(opts: {
  preview: PreviewOptions
  listener: Pick<DeployRequest['listener'], 'Port' | 'Protocol'>
  /** The load balancer's DNS name (Applied.dnsName). */
  dnsName?: string
}): string | undefined {
  const { preview, listener } = opts
  const scheme = listener.Protocol === 'HTTPS' ? 'https' : 'http'
  const defaultPort = scheme === 'https' ? 443 : 80
  const port = listener.Port === defaultPort ? '' : `:${listener.Port}`
  if (preview.routing === 'host') return `${scheme}://${previewHost(preview)}${port}/`
  return opts.dnsName ? `${scheme}://${opts.dnsName}${port}/${preview.id}/` : undefined
}

/** http(s)://dns[:port]/ of a listener of the load balancer (the test listener's URL). */
export function listenerUrl(
  listener: Pick<DeployRequest['listener'], 'Port' | 'Protocol'>,
  dnsName: string
): string {
  const scheme = listener.Protocol === 'HTTPS' ? 'https' : 'http'
  const port = listener.Port === (scheme === 'https' ? 443 : 80) ? '' : `:${listener.Port}`
  return `${scheme}://${dnsName}${port}/`
}
