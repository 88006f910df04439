import { findingOf, type Rule } from './types.js';

export const irsaTrustUnknownProvider: Rule = {
  id: 'irsa-trust-unknown-provider',
  severity: 'medium',
  title: 'IRSA trust names an OIDC provider of no scanned cluster',
  explanation:
    'The role trusts an EKS OIDC provider whose issuer matches none of the clusters in the bundle: the cluster was deleted (the trust is dead weight) or was not scanned (the audit is incomplete for it).',
  fix: 'Remove the statement if the cluster is gone; otherwise add the cluster\'s `describe-cluster` and kubectl output to the bundle.',
  check(ctx) {
    const seen = new Set<string>();
    const out = [];
    for (const { role, hostPath, providerArn } of ctx.eksTrustStatements()) {
      if (ctx.clustersOfIssuer(hostPath).length > 0 || seen.has(`${role.arn}|${providerArn}`)) continue;
      seen.add(`${role.arn}|${providerArn}`);
      out.push(findingOf(this, `${role.arn} trusts ${providerArn}, which matches no cluster of the bundle`, { roleArn: role.arn }));
    }
    return out;
  },
};
