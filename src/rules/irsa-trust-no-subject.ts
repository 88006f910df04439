import { claimOf } from './context.js';
import { findingOf, type Rule } from './types.js';

export const irsaTrustNoSubject: Rule = {
  id: 'irsa-trust-no-subject',
  severity: 'critical',
  title: 'IRSA trust has no subject condition',
  explanation:
    'The role trusts an EKS cluster\'s OIDC provider for sts:AssumeRoleWithWebIdentity without any `:sub` condition, so every service account in that cluster (anyone who can create a pod or a token there) can assume it. eksctl writes such a statement when no service account is given.',
  fix: 'Add a `StringEquals` condition on `<issuer>:sub` naming `system:serviceaccount:<namespace>:<name>` for each service account that needs the role.',
  check(ctx) {
    return ctx
      .eksTrustStatements()
      .filter(({ statement }) => !statement.conditions.some((c) => claimOf(c.key)?.claim === 'sub'))
      .map(({ role, statement, hostPath }) =>
        findingOf(this, `${role.arn}: trust statement ${statement.sid ?? `#${statement.index}`} admits every service account of ${hostPath} (no :sub condition)`, { roleArn: role.arn }),
      );
  },
};
