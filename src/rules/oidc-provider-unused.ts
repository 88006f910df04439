import { isEksIssuer } from '../iam/arn.js';
import { findingOf, type Rule } from './types.js';

export const oidcProviderUnused: Rule = {
  id: 'oidc-provider-unused',
  severity: 'low',
  title: 'EKS OIDC provider unused or of an unscanned cluster',
  explanation:
    'An IAM OIDC provider for an EKS issuer exists that no scanned role trusts, or whose cluster is not in the bundle. A leftover provider lets any later role trust that issuer by mistake, and a provider of a deleted cluster is dead weight.',
  fix: 'Delete the provider if its cluster is gone or no role needs IRSA from it; otherwise add the cluster to the bundle.',
  check(ctx) {
    const trusted = new Set(ctx.eksTrustStatements().map((s) => s.providerArn));
    const out = [];
    for (const p of ctx.inventory.oidcProviders) {
      if (!isEksIssuer(p.hostPath)) continue;
      const clusters = ctx.clustersOfIssuer(p.hostPath);
      if (clusters.length === 0) {
        out.push(findingOf(this, `${p.arn}: no cluster of the bundle has issuer ${p.hostPath}`));
      } else if (!trusted.has(p.arn) && ctx.scannedRoleAccounts.has(p.accountId)) {
        out.push(findingOf(this, `${p.arn} (cluster ${clusters.map((c) => c.name).join(', ')}): no role of account ${p.accountId} trusts it`, { cluster: clusters[0]!.name }));
      }
    }
    return out;
  },
};
