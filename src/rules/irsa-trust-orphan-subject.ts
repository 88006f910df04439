import { AUDIT_RULES } from '../findings/audit-rules.js';
import { hasWildcard } from '../iam/glob.js';
import { claimOf, isPositive } from './context.js';
import { findingOf, type Rule } from './types.js';
import type { Cluster, KubernetesState } from '../model/inventory.js';

const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

export const irsaTrustOrphanSubject: Rule = {
  ...AUDIT_RULES.irsaTrustOrphanSubject,
  check(ctx) {
    const out = [];
    for (const { role, statement, hostPath } of ctx.eksTrustStatements()) {
      const clusters = ctx.clustersOfIssuer(hostPath).filter((c): c is Cluster & { kubernetes: KubernetesState } => c.kubernetes !== undefined);
      if (clusters.length === 0) continue;
      const subjects = statement.conditions
        .filter(
          (c) =>
            isPositive(c) &&
            (c.operator.startsWith('String') || c.operator.startsWith('Arn')) &&
            claimOf(c.key)?.claim === 'sub' &&
            claimOf(c.key)?.issuer.toLowerCase() === hostPath.toLowerCase(),
        )
        .flatMap((c) => c.values.filter((v) => !hasWildcard(v) && !v.includes('${')));
      for (const subject of new Set(subjects)) {
        const m = SUBJECT.exec(subject);
        if (!m) continue;
        const [, namespace = '', name = ''] = m;
        for (const cluster of clusters) {
          const exists = cluster.kubernetes.serviceAccounts.some((sa) => sa.namespace === namespace && sa.name === name);
          if (!exists) {
            out.push(
              findingOf(this, `${role.arn} trusts ${namespace}/${name} in ${cluster.name}, which has no such service account`, {
                roleArn: role.arn,
                cluster: cluster.name,
                namespace,
                serviceAccount: name,
              }),
            );
          }
        }
      }
    }
    return out;
  },
};
