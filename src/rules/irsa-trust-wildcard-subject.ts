import { AUDIT_RULES } from '../findings/audit-rules.js';
import { hasWildcard } from '../iam/glob.js';
import { claimOf, isPositive } from './context.js';
import { findingOf, type Rule } from './types.js';

export const irsaTrustWildcardSubject: Rule = {
  ...AUDIT_RULES.irsaTrustWildcardSubject,
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
