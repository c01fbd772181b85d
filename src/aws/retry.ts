import { awsErrorCode } from './errors.js'

/**
 * AWS answers a few calls with an error that only says "not yet": what the call needs was created or
 * changed a moment ago and has not reached every part of AWS. terraform-provider-aws retries the same
 * answers (internal/service/ecs/service.go: retryServiceCreate, resourceServiceDelete). Each entry: the
 * error code, a piece of its message, and what it means, for the log.
 */
const PROPAGATION: readonly { code: string; message: string; means: string }[] = [
  {
    code: 'InvalidParameter',
    message: 'does not have an associated load balancer',
    means: 'ECS does not see the listener or rule that attaches the target group yet'
  },
  {
    code: 'InvalidParameter',
    message: 'Unable to assume the service linked role',
    means: "ECS's service-linked role was just created and is not usable yet"
  },
  {
    code: 'InvalidParameter',
    message: 'cannot be stopped while deployments are active',
    means: 'the scale to 0 has not reached every deployment yet'
  }
]

/** What a propagation error means, or undefined for any other error. */
export function propagationDelay(error: unknown): string | undefined {
  const code = awsErrorCode(error)
  const message = error instanceof Error ? error.message : ''
  return PROPAGATION.find(p => p.code === code && message.includes(p.message))?.means
}

export interface RetryBudget {
  attempts: number
  firstDelayMs: number
  /** The waits between attempts add up to this at most. */
  totalWaitMs: number
}

/** 1 + 2 + 4 + 8 + 16 s: over half a minute, enough for what propagates in seconds. */
export const PROPAGATION_BUDGET: RetryBudget = { attempts: 6, firstDelayMs: 1000, totalWaitMs: 60_000 }

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/**
 * Runs `call`, and again after a growing wait while it fails with a propagation error, within the budget;
 * each retry is logged with its reason. Any other error, or the last one, is thrown as it came.
 */
export async function retryPropagation<T>(opts: {
  what: string
  call: () => Promise<T>
  log?: (line: string) => void
  budget?: RetryBudget
  wait?: (ms: number) => Promise<void>
}): Promise<T> {
  const budget = opts.budget ?? PROPAGATION_BUDGET
  const wait = opts.wait ?? sleep
  let delay = budget.firstDelayMs
  let waited = 0
  for (let attempt = 1; ; attempt++) {
    try {
      return await opts.call()
    } catch (error) {
      const means = propagationDelay(error)
      const last = attempt >= budget.attempts || waited + delay > budget.totalWaitMs
      if (!means) throw error
      if (last) {
        opts.log?.(
          `${opts.what}: still refused after ${attempt} attempts over ${Math.round(waited / 1000)} s (${means})`
        )
        throw error
      }
      opts.log?.(
        `${opts.what}: ${means}; retrying in ${Math.round(delay / 1000)} s (attempt ${attempt + 1} of ${budget.attempts})`
      )
      await wait(delay)
      waited += delay
      delay *= 2
    }
  }
}
