import type { AuthorizationAttributes, AuthorizationDecision, Authorizer } from '../http/hooks.js';
import { systemMasters } from './users.js';

/**
 * The union {@link Authorizer}, as upstream's authorizer chain: members of `system:masters` are
 * always allowed; otherwise each authorizer is asked in order and the first that allows wins. A
 * denial carries the reasons the authorizers gave, joined.
 */
export class UnionAuthorizer implements Authorizer {
  constructor(private readonly authorizers: readonly Authorizer[]) {}

  async authorize(a: AuthorizationAttributes): Promise<AuthorizationDecision> {
    if (a.user.groups.includes(systemMasters)) return { allowed: true, reason: `member of ${systemMasters}` };
    const reasons: string[] = [];
    for (const authorizer of this.authorizers) {
      const decision = await authorizer.authorize(a);
      if (decision.allowed) return decision;
      if (decision.reason) reasons.push(decision.reason);
    }
    return reasons.length > 0 ? { allowed: false, reason: reasons.join(', ') } : { allowed: false };
  }
}
