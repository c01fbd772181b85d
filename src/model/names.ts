import { createHash } from 'node:crypto'

/*
 * The names that identify a stack's resources. They are stable identifiers of what exists in an account
 * (tags, derived names, idempotency tokens): any change here renames or orphans existing resources.
 */

/** Partition, region and account are checked for their form only: the emulator and GovCloud/China must pass. */
export const ARN_PREFIX = 'arn:aws[a-z-]*'
export const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}'
export const ACCOUNT = '\\d{12}'

export const CLUSTER_ARN = new RegExp(`^${ARN_PREFIX}:ecs:${REGION}:${ACCOUNT}:cluster/[A-Za-z0-9_-]{1,255}$`)

/**
 * The cluster's name, whether given as a name or an ARN, so that both spellings are one stack. Only a
 * well-formed cluster ARN is cut: anything else is returned as given (and refused by the inputs).
 */
export function clusterName(nameOrArn: string): string {
  return CLUSTER_ARN.test(nameOrArn) ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn
}

/** The first `length` hex digits of the SHA-256 of `text`. */
export function hexHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length)
}

const FIT_HASH_LENGTH = 6

/**
 * `full` when it fits in `max`; else a prefix of it and a hash of the whole name, so two names that share
 * a long prefix still differ, and the same name always comes out the same.
 */
export function fitName(full: string, max: number): string {
  if (full.length <= max) return full
  const hash = hexHash(full, FIT_HASH_LENGTH)
  // Names may not end in '-' (and '--' reads badly), so trim the cut before the hash's own separator.
  const head = full.slice(0, max - FIT_HASH_LENGTH - 1).replace(/-+$/, '')
  return head ? `${head}-${hash}` : hash
}

/**
 * The tag every preview resource carries besides the ownership tag, valued with the preview id. The
 * ownership tag alone cannot tell a preview `<service>-<id>` from a real service of that name: this tag can.
 */
export const PREVIEW_TAG = 'ecs-alb-deploy:preview'
