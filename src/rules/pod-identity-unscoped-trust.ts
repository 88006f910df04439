import { actionMatches, principalMatches } from '../iam/evaluate.js';
import { POD_IDENTITY_SERVICE, SESSION_TAGS } from '../iam/requests.js';
import { findingOf, type Rule } from './types.js';

const SCOPING_KEYS = new Set(
  [SESSION_TAGS.clusterArn, SESSION_TAGS.clusterName, SESSION_TAGS.namespace, SESSION_TAGS.serviceAccount].map((t) => `aws:requesttag/${t}`),
);

export const podIdentityUnscopedTrust: Rule = {
  id: 'pod-identity-unscoped-trust',
  severity: 'medium',
  title: 'Pod Identity trust not scoped to a cluster, namespace or service account',
  explanation:
    'The role trusts `pods.eks.amazonaws.com` with no condition on the `eks-cluster-arn`, `kubernetes-namespace` or `kubernetes-service-account` session tags, so any Pod Identity association in the account can use it: whoever may call `iam:PassRole` and `eks:CreatePodIdentityAssociation` can hand it to any pod. eksctl\'s migration writes exactly this.',
  fix: 'Add `StringEquals` conditions on `aws:RequestTag/eks-cluster-arn`, `aws:RequestTag/kubernetes-namespace` and `aws:RequestTag/kubernetes-service-account` for the identities that use the role.',
  check(ctx) {
    const out = [];
    for (const role of ctx.inventory.roles) {
      for (const st of ctx.statements(role.trustPolicy)) {
        if (st.effect !== 'Allow' || st.principal?.everyone || !principalMatches(st, { type: 'Service', id: POD_IDENTITY_SERVICE })) continue;
        if (!actionMatches(st, 'sts:AssumeRole')) continue;
        if (st.conditions.some((c) => SCOPING_KEYS.has(c.key.toLowerCase()))) continue;
        out.push(findingOf(this, `${role.arn}: trust statement ${st.sid ?? `#${st.index}`} admits every Pod Identity association of account ${role.accountId}`, { roleArn: role.arn }));
      }
    }
    return out;
  },
};
