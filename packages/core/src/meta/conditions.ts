import { metaTime } from './metaTime.js';

/**
 * The shape shared by status conditions (`metav1.Condition`, `PodCondition`, `NodeCondition`,
 * `DeploymentCondition`, …).
 */
export interface ConditionLike {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The condition of the given type, if present. */
export function getCondition<C extends ConditionLike>(
  conditions: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * A copy of `conditions` with `condition` set. `lastTransitionTime` changes only when the status
 * changes (otherwise the existing one is kept), so controllers can set conditions on every
 * reconcile without churning the object. Returns the input array itself when nothing changed.
 */
export function setCondition<C extends ConditionLike>(
  conditions: readonly C[] | undefined,
  condition: C,
  now: Date = new Date(),
): C[] {
  const list = conditions ?? [];
  const index = list.findIndex((c) => c.type === condition.type);
  const existing = index >= 0 ? list[index] : undefined;
  const transitioned = existing === undefined || existing.status !== condition.status;
  const lastTransitionTime = transitioned
    ? (condition.lastTransitionTime ?? metaTime(now.getTime()))
    : existing.lastTransitionTime;
  const next: C = { ...condition };
  if (lastTransitionTime !== undefined) next.lastTransitionTime = lastTransitionTime;
  if (existing !== undefined && sameCondition(existing, next)) return list as C[];
  if (index < 0) return [...list, next];
  return list.map((c, i) => (i === index ? next : c));
}

function sameCondition(a: ConditionLike, b: ConditionLike): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if ((a as unknown as Record<string, unknown>)[k] !== (b as unknown as Record<string, unknown>)[k])
      return false;
  }
  return true;
}
