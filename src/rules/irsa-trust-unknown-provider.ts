import { AUDIT_RULES } from '../findings/audit-rules.js';
import { findingOf, type Rule } from './types.js';

export const irsaTrustUnknownProvider: Rule = {
  ...AUDIT_RULES.irsaTrustUnknownProvider,
  check(ctx) {
    const seen = new Set<string>();
    const leftOut = new Set((ctx.inventory.outOfScope?.clusters ?? []).map((c) => c.issuerHostPath));
    const out = [];
    for (const { role, hostPath, providerArn } of ctx.eksTrustStatements()) {
      if (ctx.clustersOfIssuer(hostPath).length > 0 || leftOut.has(hostPath) || seen.has(`${role.arn}|${providerArn}`)) continue;
      seen.add(`${role.arn}|${providerArn}`);
      out.push(findingOf(this, `${role.arn} trusts ${providerArn}, which matches no cluster of the bundle`, { roleArn: role.arn }));
    }
    return out;
  },
};
