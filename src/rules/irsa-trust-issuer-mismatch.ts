import { AUDIT_RULES } from '../findings/audit-rules.js';
import { claimOf } from './context.js';
import { findingOf, type Rule } from './types.js';

export const irsaTrustIssuerMismatch: Rule = {
  ...AUDIT_RULES.irsaTrustIssuerMismatch,
  check(ctx) {
    return ctx.eksTrustStatements().flatMap(({ role, statement, hostPath }) => {
      const foreign = statement.conditions
        .map((c) => c.key)
        .filter((key) => {
          const claim = claimOf(key);
          return claim && (claim.claim === 'sub' || claim.claim === 'aud') && claim.issuer.toLowerCase() !== hostPath.toLowerCase();
        });
      return foreign.length
        ? [findingOf(this, `${role.arn}: statement trusting ${hostPath} tests ${[...new Set(foreign)].join(', ')}`, { roleArn: role.arn })]
        : [];
    });
  },
};
