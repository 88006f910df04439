import { hasWildcard } from '../iam/glob.js';
import { claimOf, isPositive } from './context.js';
import { findingOf, type Rule } from './types.js';

export const irsaTrustWildcardSubject: Rule = {
  id: 'irsa-trust-wildcard-subject',
  severity: 'high',
  title: 'IRSA trust admits service accounts by wildcard',
  explanation:
    'A `StringLike` condition on `:sub` uses `*` or `?`, so every service account matching the pattern (a whole namespace, or wider) can assume the role, including ones created later.',
  fix: 'Replace the pattern with `StringEquals` on the exact `system:serviceaccount:<namespace>:<name>` subjects that need the role.',
  check(ctx) {
    return ctx.eksTrustStatements().flatMap(({ role, statement }) => {
      const patterns = statement.conditions
        .filter((c) => isPositive(c) && c.operator.endsWith('Like') && claimOf(c.key)?.claim === 'sub')
        .flatMap((c) => c.values.filter(hasWildcard));
      return patterns.length
        ? [findingOf(this, `${role.arn}: trust admits subjects by pattern ${patterns.map((p) => JSON.stringify(p)).join(', ')}`, { roleArn: role.arn })]
        : [];
    });
  },
};
