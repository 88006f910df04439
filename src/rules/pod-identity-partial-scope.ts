import { AUDIT_RULES } from '../findings/audit-rules.js';
import { actionMatches, principalMatches } from '../iam/evaluate.js';
import { clusterLabels } from '../model/cluster-labels.js';
import { exactlyClusterScoped, fencedToClusters } from '../iam/cluster-scoped.js';
import { statementLabel, type ConditionClause } from '../iam/policy.js';
import { POD_IDENTITY_SERVICE, SESSION_TAGS } from '../iam/requests.js';
import { isPositive } from './context.js';
import { findingOf, type Rule } from './types.js';

const tagKey = (tag: string) => `aws:requesttag/${tag}`;
const NAME_KEYS = new Map([
  [tagKey(SESSION_TAGS.namespace), 'namespace'],
  [tagKey(SESSION_TAGS.serviceAccount), 'service account'],
]);

function named(clauses: readonly ConditionClause[]): string {
  return [...NAME_KEYS]
    .flatMap(([key, what]) => {
      const values = [...new Set(clauses.filter((c) => c.lowerKey === key).flatMap((c) => c.values))];
      return values.length ? [`${what} ${values.map((v) => JSON.stringify(v)).join(' or ')}`] : [];
    })
    .join(' and ');
}

export const podIdentityPartialScope: Rule = {
  ...AUDIT_RULES.podIdentityPartialScope,
  check(ctx) {
    const out = [];
    for (const role of ctx.inventory.roles) {
      const statements = ctx.statements(role.trustPolicy);
      if (fencedToClusters(statements)) continue;
      for (const st of statements) {
        if (st.effect !== 'Allow' || st.principal?.everyone || !principalMatches(st, { type: 'Service', id: POD_IDENTITY_SERVICE })) continue;
        if (!actionMatches(st, 'sts:AssumeRole')) continue;
        const scoping = st.conditions.filter((c) => isPositive(c) && NAME_KEYS.has(c.lowerKey));
        if (!scoping.length || exactlyClusterScoped(st)) continue;
        const clusters = clusterLabels(ctx.clusters.filter((c) => c.accountId === role.accountId));
        const scanned = clusters.length
          ? ` (scanned: ${clusters.slice(0, 5).join(', ')}${clusters.length > 5 ? ` and ${String(clusters.length - 5)} more` : ''})`
          : '';
        out.push(
          findingOf(
            this,
            `${role.arn}: trust statement ${statementLabel(st)} admits ${named(scoping)} in other clusters of account ${role.accountId} than those it means${scanned}: it does not name its clusters by exact eks-cluster-arn values`,
            { roleArn: role.arn },
          ),
        );
      }
    }
    return out;
  },
};
