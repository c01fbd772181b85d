/**
 * The live suite's switch (test-support/live-target.ts): a real AWS account only when the environment opts
 * in completely, never a silent fall-back to the emulator once it has opted in.
 */
import { liveTarget, newRunPrefix } from '../../test-support/live-target.js'

const FULL = {
  ECS_ALB_DEPLOY_LIVE: '1',
  AWS_REGION: 'eu-west-1',
  ECS_ALB_DEPLOY_LIVE_ACCOUNTS: '111122223333, 444455556666',
  ECS_ALB_DEPLOY_LIVE_CLUSTER: 'live',
  ECS_ALB_DEPLOY_LIVE_SUBNETS: 'subnet-a,subnet-b',
  ECS_ALB_DEPLOY_LIVE_SECURITY_GROUPS: 'sg-1'
}

test('without ECS_ALB_DEPLOY_LIVE=1 it is the emulator, whatever else is set', () => {
  for (const env of [{}, { ...FULL, ECS_ALB_DEPLOY_LIVE: '' }, { ...FULL, ECS_ALB_DEPLOY_LIVE: 'true' }])
    expect(liveTarget(env, 'eadl-x').kind).toBe('emulator')
})

test('with everything set it is AWS: the region, the allow-list, the network, the public image', () => {
  const t = liveTarget(FULL, 'eadl-x')
  expect(t).toMatchObject({
    kind: 'aws',
    region: 'eu-west-1',
    accounts: ['111122223333', '444455556666'],
    cluster: 'live',
    subnets: ['subnet-a', 'subnet-b'],
    securityGroups: ['sg-1'],
    assignPublicIp: 'ENABLED',
    images: ['public.ecr.aws/nginx/nginx:stable', 'public.ecr.aws/nginx/nginx:mainline'],
    healthCheckPath: '/'
  })
})

test.each([
  ['AWS_REGION', /needs AWS_REGION/],
  ['ECS_ALB_DEPLOY_LIVE_ACCOUNTS', /needs ECS_ALB_DEPLOY_LIVE_ACCOUNTS/],
  ['ECS_ALB_DEPLOY_LIVE_CLUSTER', /needs ECS_ALB_DEPLOY_LIVE_CLUSTER/],
  ['ECS_ALB_DEPLOY_LIVE_SUBNETS', /needs ECS_ALB_DEPLOY_LIVE_SUBNETS/],
  ['ECS_ALB_DEPLOY_LIVE_SECURITY_GROUPS', /needs ECS_ALB_DEPLOY_LIVE_SECURITY_GROUPS/]
])('opted in without %s: refused, not the emulator', (name, error) => {
  expect(() => liveTarget({ ...FULL, [name]: ' ' }, 'eadl-x')).toThrow(error)
})

test.each([
  [{ ECS_ALB_DEPLOY_LIVE_ACCOUNTS: '1234' }, /not 12-digit account ids: 1234/],
  [{ ECS_ALB_DEPLOY_LIVE_SUBNETS: 'subnet-a' }, /two subnets/],
  [{ ECS_ALB_DEPLOY_LIVE_ASSIGN_PUBLIC_IP: 'yes' }, /ENABLED or DISABLED/]
])('opted in with %o: refused', (over, error) => {
  expect(() => liveTarget({ ...FULL, ...over }, 'eadl-x')).toThrow(error)
})

test('a run prefix is eadl- and 8 base-36 characters, different each run', () => {
  const a = newRunPrefix()
  expect(a).toMatch(/^eadl-[0-9a-z]{8}$/)
  expect(newRunPrefix()).not.toBe(a)
})
