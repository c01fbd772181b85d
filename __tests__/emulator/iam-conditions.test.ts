/**
 * The emulator's policy evaluator against the IAM User Guide: string operators and their negations on a
 * single-valued key (a missing key matches only a negated operator), the set qualifiers ForAllValues: /
 * ForAnyValue: on a multivalued key (aws:TagKeys), and the aws:TagKeys each tagging call carries.
 */
import {
  evaluate,
  impliedAuthorizations,
  requestAuthorization,
  type ConditionContext,
  type PolicyDocument
} from '../../emulator/core/iam.js'

const ACTION = 'elasticloadbalancing:AddTags'
const allowIf = (operator: string, key: string, values: string | string[]): PolicyDocument => ({
  Statement: [
    { Effect: 'Allow', Action: ACTION, Resource: '*', Condition: { [operator]: { [key]: values } } }
  ]
})
const copy = (v: string | readonly string[]) => (typeof v === 'string' ? v : [...v])
const allowed = (policy: PolicyDocument, context: ConditionContext) => evaluate(policy, ACTION, [], context)

describe('single-valued keys', () => {
  const key = 'aws:ResourceTag/team'
  test.each([
    ['StringEquals', 'web', { [key]: 'web' }, true],
    ['StringEquals', 'web', { [key]: 'Web' }, false],
    ['StringEquals', 'web', {}, false],
    ['StringNotEquals', 'web', { [key]: 'api' }, true],
    ['StringNotEquals', 'web', { [key]: 'web' }, false],
    ['StringNotEquals', ['web', 'api'], { [key]: 'api' }, false],
    // "If the policy condition requires that the key is not matched … and the right key is not present,
    // the condition is true."
    ['StringNotEquals', 'web', {}, true],
    ['StringLike', 'w*', { [key]: 'web' }, true],
    ['StringLike', 'w*', { [key]: 'Web' }, false],
    ['StringLike', 'w*', {}, false],
    ['StringNotLike', 'w*', { [key]: 'api' }, true],
    ['StringNotLike', ['a*', 'w*'], { [key]: 'web' }, false],
    ['StringNotLike', 'w*', {}, true],
    ['NumericEquals', '1', { [key]: '1' }, false]
  ] as const)('%s %j with %j → %s', (operator, values, context, expected) => {
    expect(allowed(allowIf(operator, key, copy(values)), context)).toBe(expected)
  })

  test('a multivalued key without a set qualifier never matches', () => {
    expect(allowed(allowIf('StringEquals', 'aws:TagKeys', 'team'), { 'aws:TagKeys': ['team'] })).toBe(false)
  })
})

describe('the set qualifiers on aws:TagKeys', () => {
  const OWN = ['ecs-alb-deploy:stack', 'ecs-alb-deploy:preview']
  const keys = (...k: string[]): ConditionContext => ({ 'aws:TagKeys': k })
  test.each([
    ['ForAllValues:StringEquals', ['team', 'env'], keys('team'), true],
    ['ForAllValues:StringEquals', ['team', 'env'], keys('team', 'cost'), false],
    // ForAllValues holds when the request has no such key at all.
    ['ForAllValues:StringEquals', ['team'], {}, true],
    ['ForAllValues:StringNotEquals', OWN, keys('team', 'env'), true],
    ['ForAllValues:StringNotEquals', OWN, keys('team', 'ecs-alb-deploy:stack'), false],
    ['ForAllValues:StringNotEquals', OWN, keys('ecs-alb-deploy:preview'), false],
    ['ForAllValues:StringNotEquals', OWN, {}, true],
    ['ForAllValues:StringLike', ['team*'], keys('team', 'team-b'), true],
    ['ForAllValues:StringNotLike', ['ecs-alb-deploy:*'], keys('team', 'ecs-alb-deploy:x'), false],
    ['ForAnyValue:StringEquals', ['team'], keys('env', 'team'), true],
    ['ForAnyValue:StringEquals', ['team'], keys('env'), false],
    // ForAnyValue does not hold when the request has no such key.
    ['ForAnyValue:StringEquals', ['team'], {}, false],
    ['ForAnyValue:StringNotEquals', OWN, keys('ecs-alb-deploy:stack', 'team'), true],
    ['ForAnyValue:StringNotEquals', OWN, keys('ecs-alb-deploy:stack'), false],
    ['ForAnyValue:StringNotEquals', OWN, {}, false],
    ['ForAnyValue:StringLike', ['ecs-alb-deploy:*'], keys('team', 'ecs-alb-deploy:stack'), true],
    ['ForAnyValue:StringNotLike', ['ecs-alb-deploy:*'], keys('ecs-alb-deploy:stack'), false],
    ['ForSomeValues:StringEquals', ['team'], keys('team'), false]
  ] as const)('%s %j with %j → %s', (operator, values, context, expected) => {
    expect(allowed(allowIf(operator, 'aws:TagKeys', [...values]), context)).toBe(expected)
  })

  test('a single value in the request context counts as a set of one', () => {
    expect(allowed(allowIf('ForAnyValue:StringEquals', 'k', 'a'), { k: 'a' })).toBe(true)
  })
})

describe('aws:TagKeys of the tagging calls', () => {
  const at = { region: 'ap-northeast-1', accountId: '123456789012' }
  const tg = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/1'
  const svc = 'arn:aws:ecs:ap-northeast-1:123456789012:service/ecs-demo/web'

  test('ELBv2 AddTags and RemoveTags: the keys they set or remove, on the resources they name', () => {
    expect(
      requestAuthorization({
        ...at,
        service: 'elbv2',
        operation: 'AddTags',
        params: { ResourceArns: [tg], Tags: [{ Key: 'team', Value: 'web' }] }
      })
    ).toEqual({ resources: [tg], context: { 'aws:RequestTag/team': 'web', 'aws:TagKeys': ['team'] } })
    expect(
      requestAuthorization({
        ...at,
        service: 'elbv2',
        operation: 'RemoveTags',
        params: { ResourceArns: [tg], TagKeys: ['team', 'env'] }
      })
    ).toEqual({ resources: [tg], context: { 'aws:TagKeys': ['team', 'env'] } })
  })

  test('ECS TagResource and UntagResource likewise', () => {
    expect(
      requestAuthorization({
        ...at,
        service: 'ecs',
        operation: 'TagResource',
        params: { resourceArn: svc, tags: [{ key: 'team', value: 'web' }] }
      })
    ).toEqual({ resources: [svc], context: { 'aws:RequestTag/team': 'web', 'aws:TagKeys': ['team'] } })
    expect(
      requestAuthorization({
        ...at,
        service: 'ecs',
        operation: 'UntagResource',
        params: { resourceArn: svc, tagKeys: ['team'] }
      })
    ).toEqual({ resources: [svc], context: { 'aws:TagKeys': ['team'] } })
  })

  test('a create with tags: the create and its tag-on-create authorization carry the keys; one without has none', () => {
    const params = { Name: 'web', Tags: [{ Key: 'ecs-alb-deploy:stack', Value: 'ecs-demo/web' }] }
    expect(requestAuthorization({ ...at, service: 'elbv2', operation: 'CreateTargetGroup', params })).toEqual(
      {
        resources: [],
        context: {
          'aws:RequestTag/ecs-alb-deploy:stack': 'ecs-demo/web',
          'aws:TagKeys': ['ecs-alb-deploy:stack']
        }
      }
    )
    const [tagging] = impliedAuthorizations({
      service: 'elbv2',
      operation: 'CreateTargetGroup',
      params,
      accountId: at.accountId,
      serviceLinkedRoles: new Set(['elasticloadbalancing.amazonaws.com'])
    }).filter(a => a.action === ACTION)
    expect(tagging.context?.['aws:TagKeys']).toEqual(['ecs-alb-deploy:stack'])
    expect(
      requestAuthorization({
        ...at,
        service: 'elbv2',
        operation: 'CreateTargetGroup',
        params: { Name: 'web' }
      }).context
    ).toEqual({})
  })
})
