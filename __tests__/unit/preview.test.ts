import type { DeployRequest, PreviewOptions } from '../../src/model/request.js'
import { applyPreview, fitName, PREVIEW_TAG, previewUrl } from '../../src/inputs/preview.js'
import { previewIdFromEvent } from '../../src/inputs/validate-preview.js'
import { seedRequest, seedService } from '../fixtures/seed.js'

/**
 * The seed's stack plus what a preview must not inherit from it: a clientToken, the listener's default
 * actions and the redirect listener (the pasted target group ARN is the seed's own); a user tag it must keep.
 */
function baseRequest(overrides: Partial<DeployRequest> = {}): DeployRequest {
  return seedRequest({
    service: { ...seedService(), clientToken: 'fixed-token' },
    listener: {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }]
    },
    redirectHttpToHttps: true,
    tags: [{ Key: 'team', Value: 'web' }],
    ...overrides
  })
}

const host = (id: string): PreviewOptions => ({
  id,
  routing: 'host',
  hostTemplate: '{id}.preview.example.com'
})
const path = (id: string): PreviewOptions => ({
  id,
  routing: 'path',
  hostTemplate: '{id}.preview.example.com'
})

describe('previewIdFromEvent', () => {
  test.each([
    ['pull_request', { number: 12, pull_request: { number: 12 } }, 'pr-12'],
    ['pull_request_target', { pull_request: { number: 7 } }, 'pr-7'],
    ['pull_request', { number: 3 }, 'pr-3'],
    ['push', { number: 12 }, undefined],
    ['workflow_dispatch', {}, undefined],
    ['pull_request', {}, undefined],
    ['pull_request', { pull_request: { number: '12' } }, undefined],
    [undefined, { pull_request: { number: 1 } }, undefined]
  ])('%s %j → %s', (eventName, payload, expected) => {
    expect(previewIdFromEvent({ eventName, payload })).toBe(expected)
  })
})

describe('fitName', () => {
  const long = 'a-very-long-target-group-name'
  test.each([
    ['default', 'pr-12'],
    ['default', 'pr-123456'],
    [long, 'pr-1'],
    [long, 'pr-2'],
    [long, 'pr-99999'],
    ['x'.repeat(32), 'pr-1'],
    // The cut would end on a hyphen: it must be trimmed.
    ['abcdefghijklmnopqrstuvwx', 'pr-1000000'],
    ['tg', 'feature-branch-with-a-really-long-name']
  ])('%s + %s → a valid target group name', (base, id) => {
    const name = fitName(`${base}-${id}`, 32)
    expect(name.length).toBeLessThanOrEqual(32)
    expect(name).toMatch(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/)
    expect(name).not.toContain('--')
    expect(fitName(`${base}-${id}`, 32)).toBe(name)
  })

  test('short names are kept as they are', () => {
    expect(fitName('default-pr-12', 32)).toBe('default-pr-12')
  })

  test('long names end in a 6-hex hash and stay distinct for distinct ids', () => {
    const names = Array.from({ length: 500 }, (_, i) => fitName(`a-very-long-target-group-name-pr-${i}`, 32))
    expect(new Set(names).size).toBe(names.length)
    for (const name of names.filter(n => n.length === 32)) expect(name).toMatch(/-[0-9a-f]{6}$/)
    // Ids that only differ beyond the cut differ by their hash.
    expect(fitName('a-very-long-target-group-name-pr-1', 32)).not.toBe(
      fitName('a-very-long-target-group-name-pr-2', 32)
    )
  })
})

describe('applyPreview', () => {
  test('derives names, tags and a host rule; the shared load balancer is reused', () => {
    const r = applyPreview(baseRequest(), host('pr-12'))
    expect(r.service.serviceName).toBe('ecs-simple-service-elb-pr-12')
    expect(r.targetGroup?.Name).toBe('default-pr-12')
    expect(r.taskDefinition).toMatchObject({
      kind: 'register',
      input: { family: 'ecscompose-ecs-app-pr-12' }
    })
    expect(r.loadBalancer).toEqual({ kind: 'reuse', name: 'alb-demo' })
    expect(r.listenerRule).toEqual({
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['pr-12.preview.example.com'] } }],
      priorityRange: [1000, 1999]
    })
    expect(r.listenerRule?.Priority).toBeUndefined()
    expect(r.tags).toEqual([
      { Key: 'team', Value: 'web' },
      { Key: PREVIEW_TAG, Value: 'pr-12' }
    ])
    expect(r.preview).toEqual(host('pr-12'))
  })

  test('never changes the shared listener: same port and protocol, no default actions, no redirect listener', () => {
    const r = applyPreview(baseRequest(), host('pr-12'))
    expect(r.listener).toEqual({ Port: 80, Protocol: 'HTTP' })
    expect(r.redirectHttpToHttps).toBe(false)
  })

  test('drops what belongs to the base service: its clientToken and target group ARN', () => {
    const r = applyPreview(baseRequest(), host('pr-12'))
    expect(r.service.clientToken).toBeUndefined()
    expect(r.service.loadBalancers).toEqual([{ containerName: 'app', containerPort: 4567 }])
    expect(r.service.desiredCount).toBe(2)
  })

  test('path routing: /<id>/* and /<id>', () => {
    const r = applyPreview(baseRequest(), path('pr-5'))
    expect(r.listenerRule?.Conditions).toEqual([
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/pr-5/*', '/pr-5'] } }
    ])
  })

  test('keeps the priority band: from the option, else from the base listener rule', () => {
    expect(
      applyPreview(baseRequest(), host('pr-1'), { priorityRange: [200, 299] }).listenerRule?.priorityRange
    ).toEqual([200, 299])
    const withRule = baseRequest({ listenerRule: { Conditions: [], priorityRange: [5, 50] } })
    expect(applyPreview(withRule, host('pr-1')).listenerRule?.priorityRange).toEqual([5, 50])
  })

  test('a task definition given by reference is run as is', () => {
    const r = applyPreview(baseRequest({ taskDefinition: { kind: 'reference', ref: 'app:3' } }), host('pr-1'))
    expect(r.taskDefinition).toEqual({ kind: 'reference', ref: 'app:3' })
  })

  test('a reused load balancer stays as given', () => {
    const lb = {
      kind: 'reuse' as const,
      arn: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/x/1'
    }
    expect(applyPreview(baseRequest({ loadBalancer: lb }), host('pr-1')).loadBalancer).toEqual(lb)
  })

  test('long ids: every name within its AWS limit, distinct per id, stable per id', () => {
    const base = baseRequest({ targetGroup: { Name: 'ecs-simple-service-tg', Protocol: 'HTTP', Port: 80 } })
    const a = applyPreview(base, host('pr-123456789'))
    const b = applyPreview(base, host('pr-123456788'))
    expect(a.targetGroup?.Name.length).toBeLessThanOrEqual(32)
    expect(a.targetGroup?.Name).toMatch(/^ecs-simple-service-tg-pr-[0-9a-f]{6}$/)
    expect(a.targetGroup?.Name).not.toBe(b.targetGroup?.Name)
    expect(applyPreview(base, host('pr-123456789')).targetGroup?.Name).toBe(a.targetGroup?.Name)
    expect(a.service.serviceName).not.toBe(b.service.serviceName)
  })

  test('does not change the base request', () => {
    const base = baseRequest()
    const copy = structuredClone(base)
    applyPreview(base, path('pr-9'))
    expect(base).toEqual(copy)
  })

  test.each([
    [{ id: 'PR-1', routing: 'host', hostTemplate: '{id}.x.com' }, /preview-id/],
    [{ id: 'pr-1-', routing: 'host', hostTemplate: '{id}.x.com' }, /preview-id/],
    [{ id: 'pr_1', routing: 'path', hostTemplate: '' }, /preview-id/],
    [{ id: 'pr-1', routing: 'host', hostTemplate: 'preview.example.com' }, /has no \{id\}/],
    [{ id: 'pr-1', routing: 'host', hostTemplate: '{id}.exa mple.com' }, /not a valid host/],
    [{ id: 'pr-1', routing: 'host', hostTemplate: `{id}.${'a'.repeat(130)}.com` }, /not a valid host/]
  ] as [PreviewOptions, RegExp][])('rejects %j', (preview, message) => {
    expect(() => applyPreview(baseRequest(), preview)).toThrow(message)
  })

  test('a preview needs a load balancer and a target group', () => {
    expect(() => applyPreview(baseRequest({ loadBalancer: undefined }), host('pr-1'))).toThrow(
      /load-balancer and target-group/
    )
    expect(() => applyPreview(baseRequest({ targetGroup: undefined }), host('pr-1'))).toThrow(
      /load-balancer and target-group/
    )
  })
})

describe('previewUrl', () => {
  const dnsName = 'alb-demo-123.ap-northeast-1.elb.amazonaws.com'
  test.each([
    [host('pr-12'), { Port: 80, Protocol: 'HTTP' as const }, 'http://pr-12.preview.example.com/'],
    [host('pr-12'), { Port: 443, Protocol: 'HTTPS' as const }, 'https://pr-12.preview.example.com/'],
    [host('pr-12'), { Port: 8080, Protocol: 'HTTP' as const }, 'http://pr-12.preview.example.com:8080/'],
    [path('pr-12'), { Port: 80, Protocol: 'HTTP' as const }, `http://${dnsName}/pr-12/`],
    [path('pr-12'), { Port: 8443, Protocol: 'HTTPS' as const }, `https://${dnsName}:8443/pr-12/`]
  ])('%j on %j → %s', (preview, listener, url) => {
    expect(previewUrl({ preview, listener, dnsName })).toBe(url)
  })

  test('path routing without a DNS name yet: no URL', () => {
    expect(previewUrl({ preview: path('pr-1'), listener: { Port: 80, Protocol: 'HTTP' } })).toBeUndefined()
  })
})
