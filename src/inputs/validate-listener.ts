import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { ListenerRequest } from '../model/request.js'
import { InputError } from './errors.js'
import { CERTIFICATE_ARN, TARGET_GROUP_ARN } from './identifiers.js'
import type { DocumentInput } from './parse-document.js'
import { checkShape } from './schema.js'
import { listenerShape } from './shapes.js'

const INPUT = 'listener'

/** The CreateListener shape without LoadBalancerArn; `empty` cannot happen (action.yml has a default). */
export function validateListener(doc: DocumentInput, input: string = INPUT): ListenerRequest {
  if (doc.kind !== 'document') throw new InputError(input, undefined, 'must be inline JSON/YAML or a file')
  const l = checkShape(listenerShape, doc.value, { input })
  const fail = (field: string, message: string): never => {
    throw new InputError(input, field, message)
  }
  const protocol = l.Protocol as 'HTTP' | 'HTTPS'
  if (protocol === 'HTTPS') {
    if (!l.Certificates || l.Certificates.length === 0) {
      fail('Certificates', 'an HTTPS listener needs a certificate: [{"CertificateArn": "arn:aws:acm:…"}]')
    }
    if (l.Certificates && l.Certificates.length > 1) {
      fail(
        'Certificates',
        'CreateListener takes exactly one (default) certificate; add more with AddListenerCertificates'
      )
    }
    l.Certificates?.forEach((c, i) => {
      if (!CERTIFICATE_ARN.test(c.CertificateArn ?? '')) {
        fail(
          `Certificates[${i}].CertificateArn`,
          `must be an ACM or IAM server certificate ARN, got ${JSON.stringify(c.CertificateArn)}`
        )
      }
    })
  } else {
    if (l.Certificates) fail('Certificates', 'only an HTTPS listener takes certificates; this one is HTTP')
    if (l.SslPolicy !== undefined)
      fail('SslPolicy', 'only an HTTPS listener takes an SSL policy; this one is HTTP')
  }
  if (l.DefaultActions) checkDefaultActions(l.DefaultActions)
  const out: ListenerRequest = { Port: l.Port as number, Protocol: protocol }
  if (l.Certificates) out.Certificates = l.Certificates
  if (l.SslPolicy !== undefined) out.SslPolicy = l.SslPolicy
  if (l.DefaultActions) out.DefaultActions = l.DefaultActions
  return out
}

/** Exactly one action that ends the request (forward, redirect or fixed-response), with its own config. */
function checkDefaultActions(actions: Action[]): void {
  if (actions.length > 1) {
    throw new InputError(
      INPUT,
      'DefaultActions',
      `give one default action (forward, redirect or fixed-response), got ${actions.length}`
    )
  }
  actions.forEach((a, i) => checkAction(a, `DefaultActions[${i}]`))
}

const CONFIG_OF = {
  forward: 'ForwardConfig',
  redirect: 'RedirectConfig',
  'fixed-response': 'FixedResponseConfig'
} as const

function checkAction(a: Action, at: string): void {
  const fail = (field: string, message: string): never => {
    throw new InputError(INPUT, `${at}.${field}`, message)
  }
  const type = a.Type as keyof typeof CONFIG_OF
  for (const config of Object.values(CONFIG_OF)) {
    if (a[config] !== undefined && config !== CONFIG_OF[type]) {
      fail(config, `does not go with Type "${type}" (it takes ${CONFIG_OF[type]})`)
    }
  }
  if (type !== 'forward' && a.TargetGroupArn !== undefined)
    fail('TargetGroupArn', `does not go with Type "${type}"`)
  if (type === 'forward') {
    const arns = [a.TargetGroupArn, ...(a.ForwardConfig?.TargetGroups ?? []).map(t => t.TargetGroupArn)]
    if (a.TargetGroupArn === undefined && !a.ForwardConfig?.TargetGroups) {
      fail(
        'TargetGroupArn',
        'a forward action needs TargetGroupArn or ForwardConfig.TargetGroups (leave DefaultActions out to forward to the target-group input)'
      )
    }
    arns.forEach((arn, j) => {
      if (arn !== undefined && !TARGET_GROUP_ARN.test(arn)) {
        fail(
          j === 0 ? 'TargetGroupArn' : `ForwardConfig.TargetGroups[${j - 1}].TargetGroupArn`,
          `must be a target group ARN, got ${JSON.stringify(arn)}`
        )
      }
    })
  }
  if (type === 'redirect') {
    const r = a.RedirectConfig
    if (!r) return fail('RedirectConfig', 'a redirect action needs RedirectConfig')
    if (r.Protocol !== undefined && !['HTTP', 'HTTPS', '#{protocol}'].includes(r.Protocol)) {
      fail('RedirectConfig.Protocol', `must be HTTP, HTTPS or #{protocol}, got ${JSON.stringify(r.Protocol)}`)
    }
    if (
      r.Port !== undefined &&
      r.Port !== '#{port}' &&
      !(/^\d{1,5}$/.test(r.Port) && +r.Port >= 1 && +r.Port <= 65535)
    ) {
      fail('RedirectConfig.Port', `must be a port from 1 to 65535 or #{port}, got ${JSON.stringify(r.Port)}`)
    }
    if (r.Path !== undefined && !r.Path.startsWith('/'))
      fail('RedirectConfig.Path', `must start with "/", got ${JSON.stringify(r.Path)}`)
  }
  if (type === 'fixed-response') {
    const f = a.FixedResponseConfig
    if (!f) return fail('FixedResponseConfig', 'a fixed-response action needs FixedResponseConfig')
    if (!/^[245]\d\d$/.test(f.StatusCode ?? '')) {
      fail(
        'FixedResponseConfig.StatusCode',
        `must be a 2XX, 4XX or 5XX code, got ${JSON.stringify(f.StatusCode)}`
      )
    }
    if (f.MessageBody !== undefined && f.MessageBody.length > 1024) {
      fail('FixedResponseConfig.MessageBody', `must be at most 1024 characters, got ${f.MessageBody.length}`)
    }
  }
}
