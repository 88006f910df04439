import { AUDIT_RULES } from '../findings/audit-rules.js';
import { statementLabel } from '../iam/policy.js';
import { actionMatches, principalMatches } from '../iam/evaluate.js';
import { POD_IDENTITY_SERVICE, SESSION_TAGS } from '../iam/requests.js';
import { findingOf, type Rule } from './types.js';

const SCOPING_KEYS = new Set(
  [SESSION_TAGS.clusterArn, SESSION_TAGS.clusterName, SESSION_TAGS.namespace, SESSION_TAGS.serviceAccount].map((t) => `aws:requesttag/${t}`),
);

export const podIdentityUnscopedTrust: Rule = {
  ...AUDIT_RULES.podIdentityUnscopedTrust,
  check(ctx) {
    const out = [];
    for (const role of ctx.inventory.roles) {
      for (const st of ctx.statements(role.trustPolicy)) {
        if (st.effect !== 'Allow' || st.principal?.everyone || !principalMatches(st, { type: 'Service', id: POD_IDENTITY_SERVICE })) continue;
        if (!actionMatches(st, 'sts:AssumeRole')) continue;
        if (st.conditions.some((c) => SCOPING_KEYS.has(c.key.toLowerCase()))) continue;
        out.push(
          findingOf(this, `${role.arn}: trust statement ${statementLabel(st)} admits every Pod Identity association of account ${role.accountId}`, {
            roleArn: role.arn,
          }),
        );
      }
    }
    return out;
  },
};
