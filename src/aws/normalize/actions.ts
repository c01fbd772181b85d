import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2'
import { isSubset, stripEmpty } from '../../model/diff.js'

/** One forward target reads the same whether AWS reports it as TargetGroupArn or ForwardConfig. */
export function normalizeAction(action: Action): Action {
  const { Order: _order, ...rest } = action
  if (rest.Type !== 'forward') return stripEmpty(rest)
  const groups = rest.ForwardConfig?.TargetGroups ?? []
  const single = rest.TargetGroupArn ?? (groups.length === 1 ? groups[0]?.TargetGroupArn : undefined)
  if (single && groups.length <= 1) return { Type: 'forward', TargetGroupArn: single }
  return stripEmpty(rest)
}

export function actionsMatch(desired: Action[], actual: Action[] | undefined): boolean {
  const have = [...(actual ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).map(normalizeAction)
  return isSubset(desired.map(normalizeAction), have)
}
