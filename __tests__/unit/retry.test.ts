import { PROPAGATION_BUDGET, propagationDelay, retryPropagation } from '../../src/aws/retry.js'

const awsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $metadata: {}, $fault: 'client' })
const notAttached = () =>
  awsError(
    'InvalidParameterException',
    'The target group with targetGroupArn arn:aws:elasticloadbalancing:…:targetgroup/web/1 does not have an associated load balancer.'
  )

describe('propagationDelay', () => {
  test.each([
    [notAttached(), /listener or rule/],
    [
      awsError(
        'InvalidParameterException',
        'Unable to assume the service linked role. Please verify that the ECS service linked role exists.'
      ),
      /service-linked role/
    ],
    [
      awsError('InvalidParameterException', 'The service cannot be stopped while deployments are active.'),
      /scale to 0/
    ]
  ])('%s is a propagation delay', (error, means) => {
    expect(propagationDelay(error)).toMatch(means)
  })

  test.each([
    awsError('InvalidParameterException', 'subnets can not be empty.'),
    awsError('ClientException', 'does not have an associated load balancer'),
    new Error('does not have an associated load balancer')
  ])('%s is not', error => {
    expect(propagationDelay(error)).toBeUndefined()
  })
})

describe('retryPropagation', () => {
  const run = async (failures: number, error: () => Error = notAttached) => {
    const waits: number[] = []
    const log: string[] = []
    let calls = 0
    const outcome = retryPropagation({
      what: 'CreateService web',
      call: async () => {
        calls++
        if (calls <= failures) throw error()
        return 'created'
      },
      log: line => log.push(line),
      wait: async ms => {
        waits.push(ms)
      }
    })
    return { outcome, waits, log, calls: () => calls }
  }

  test('retried with growing waits until it succeeds; each retry logged with its reason', async () => {
    const r = await run(2)
    await expect(r.outcome).resolves.toBe('created')
    expect(r.calls()).toBe(3)
    expect(r.waits).toEqual([1000, 2000])
    expect(r.log).toEqual([
      'CreateService web: ECS does not see the listener or rule that attaches the target group yet; retrying in 1 s (attempt 2 of 6)',
      'CreateService web: ECS does not see the listener or rule that attaches the target group yet; retrying in 2 s (attempt 3 of 6)'
    ])
  })

  test('bounded: after the last attempt the error is thrown as AWS gave it', async () => {
    const r = await run(100)
    await expect(r.outcome).rejects.toThrow(/does not have an associated load balancer/)
    expect(r.calls()).toBe(PROPAGATION_BUDGET.attempts)
    expect(r.waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(PROPAGATION_BUDGET.totalWaitMs)
    expect(r.log.at(-1)).toMatch(/still refused after 6 attempts over 31 s/)
  })

  test('any other error is thrown at once', async () => {
    const r = await run(1, () => awsError('InvalidParameterException', 'subnets can not be empty.'))
    await expect(r.outcome).rejects.toThrow('subnets can not be empty.')
    expect(r.calls()).toBe(1)
    expect(r.waits).toEqual([])
  })
})
