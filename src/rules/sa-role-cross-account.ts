import { accountOf } from '../iam/arn.js';
import { findingOf, type Rule } from './types.js';

export const saRoleCrossAccount: Rule = {
  id: 'sa-role-cross-account',
  severity: 'info',
  title: 'Service account uses a role in another account',
  explanation:
    'The service account is annotated with a role in another AWS account than its cluster. The role\'s account must hold an OIDC provider for the cluster\'s issuer; with Pod Identity it is reached by chaining (targetRoleArn) from a role in the cluster\'s account.',
  fix: 'Nothing to fix; review that the other account\'s trust is scoped to this service account.',
  check(ctx) {
    return ctx.annotatedServiceAccounts().flatMap(({ cluster, sa, roleArn }) => {
      const account = accountOf(roleArn);
      return account && account !== cluster.accountId
        ? [findingOf(this, `${cluster.name}/${sa.namespace}/${sa.name} (account ${cluster.accountId}) uses ${roleArn} in account ${account}`, { roleArn, cluster: cluster.name, namespace: sa.namespace, serviceAccount: sa.name })]
        : [];
    });
  },
};
