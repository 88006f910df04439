import { claimOf } from './context.js';
import { findingOf, type Rule } from './types.js';

export const irsaTrustIssuerMismatch: Rule = {
  id: 'irsa-trust-issuer-mismatch',
  severity: 'high',
  title: 'IRSA trust conditions name another issuer',
  explanation:
    'The `:sub` or `:aud` condition keys name a different OIDC issuer than the statement\'s `Federated` provider. The intended scoping does not apply: the statement either admits nobody or is not scoped the way it reads (typically a copy-paste from another cluster).',
  fix: 'Use the provider\'s own issuer (`<issuer-host-path>:sub` / `:aud`) in the condition keys, or trust the intended provider.',
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
