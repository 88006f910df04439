import { AUDIT_RULES } from '../findings/audit-rules.js';
import { isEksIssuer } from '../iam/arn.js';
import { findingOf, type Rule } from './types.js';

export const oidcProviderUnused: Rule = {
  ...AUDIT_RULES.oidcProviderUnused,
  check(ctx) {
    const trusted = new Set(ctx.eksTrustStatements().map((s) => s.providerArn));
    const out = [];
    const leftOut = new Set((ctx.inventory.outOfScope?.clusters ?? []).map((c) => c.issuerHostPath));
    for (const p of ctx.inventory.oidcProviders) {
      if (!isEksIssuer(p.hostPath) || leftOut.has(p.hostPath)) continue;
      const clusters = ctx.clustersOfIssuer(p.hostPath);
      const [first] = clusters;
      if (!first) {
        out.push(findingOf(this, `${p.arn}: no cluster of the bundle has issuer ${p.hostPath}`));
      } else if (!trusted.has(p.arn) && ctx.scannedRoleAccounts.has(p.accountId)) {
        out.push(
          findingOf(this, `${p.arn} (cluster ${clusters.map((c) => c.name).join(', ')}): no role of account ${p.accountId} trusts it`, {
            cluster: first.name,
          }),
        );
      }
    }
    return out;
  },
};
