import { randomBytes } from 'node:crypto'
import type {
  DeploymentLifecycleHook,
  DeploymentLifecycleHookAction,
  DeploymentLifecycleHookDetail,
  DeploymentLifecycleHookStatus
} from '@aws-sdk/client-ecs'
import { globToRegExp } from './images.js'

/** What a Lambda hook answers, set through `POST /_emulator/hooks` (the emulator runs no Lambda). */
export interface HookAnswer {
  /** The function's ARN, or a glob (`*validate*`). */
  function: string
  hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS'
  /** Seconds before ECS invokes an IN_PROGRESS hook again (AWS's default: 30). */
  callBackDelay?: number
}

/** One invocation ECS made of a Lambda hook, with the payload AWS documents. */
export interface HookInvocation {
  function: string
  hookId: string
  lifecycleStage: string
  serviceArn: string
  targetServiceRevisionArn: string
  productionTrafficWeights: Record<string, number>
  testTrafficWeights: Record<string, number>
  hookDetails?: unknown
  answered: HookAnswer['hookStatus']
}

/** The answers Lambda hooks give (later rules win) and every invocation made, for tests to read. */
export class HookAnswers {
  private rules: HookAnswer[] = []
  readonly invocations: HookInvocation[] = []

  add(rule: HookAnswer): void {
    if (!rule?.function) throw new Error('hooks: "function" is required')
    if (!['SUCCEEDED', 'FAILED', 'IN_PROGRESS'].includes(rule.hookStatus))
      throw new Error('hooks: "hookStatus" must be SUCCEEDED, FAILED or IN_PROGRESS')
    this.rules.push(rule)
  }

  /** A function with no rule succeeds. */
  answer(functionArn: string): HookAnswer {
    return (
      [...this.rules].reverse().find(r => globToRegExp(r.function).test(functionArn)) ?? {
        function: functionArn,
        hookStatus: 'SUCCEEDED'
      }
    )
  }

  list(): { answers: HookAnswer[]; invocations: HookInvocation[] } {
    return { answers: this.rules.slice(), invocations: this.invocations.slice() }
  }

  clear(): void {
    this.rules = []
    this.invocations.length = 0
  }
}

/** One hook running at one lifecycle stage (or one production traffic shift step). */
export interface HookRun {
  hookId: string
  hook: DeploymentLifecycleHook
  stage: string
  status: DeploymentLifecycleHookStatus
  expiresAtMs: number
  timeoutAction: DeploymentLifecycleHookAction
  /** Lambda: when ECS invokes it (again). */
  invokeAtMs?: number
}

const DEFAULT_TIMEOUT_MINUTES = 1440
export const DEFAULT_CALLBACK_DELAY_SECONDS = 30

/** Starts the hooks configured for a stage; PAUSE hooks wait for ContinueServiceDeployment. */
export function startHooks(hooks: DeploymentLifecycleHook[], stage: string, now: number): HookRun[] {
  return hooks
    .filter(h => (h.lifecycleStages ?? []).includes(stage as never))
    .map(hook => {
      const pause = hook.targetType === 'PAUSE'
      const id = randomBytes(32).toString('base64url')
      return {
        hookId: pause ? `ecs-pause-${id}` : `ecs-hook-${id}`,
        hook,
        stage,
        status: pause ? 'AWAITING_ACTION' : 'IN_PROGRESS',
        expiresAtMs: now + (hook.timeoutConfiguration?.timeoutInMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60_000,
        timeoutAction: hook.timeoutConfiguration?.action ?? 'ROLLBACK',
        ...(pause ? {} : { invokeAtMs: now })
      }
    })
}

export const hookDetail = (run: HookRun): DeploymentLifecycleHookDetail => ({
  hookId: run.hookId,
  targetType: run.hook.targetType ?? 'AWS_LAMBDA',
  ...(run.hook.targetType === 'PAUSE' ? {} : { targetArn: run.hook.hookTargetArn }),
  status: run.status,
  expiresAt: new Date(run.expiresAtMs),
  timeoutAction: run.timeoutAction
})
