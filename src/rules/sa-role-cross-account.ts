import { AUDIT_RULES } from '../findings/audit-rules.js';
import { accountOf } from '../iam/arn.js';
import { findingOf, type Rule } from './types.js';

export const saRoleCrossAccount: Rule = {
  ...AUDIT_RULES.saRoleCrossAccount,
  check(ctx) {
    return ctx.annotatedServiceAccounts().flatMap(({ cluster, sa, roleArn }) => {
      const account = accountOf(roleArn);
      return account && account !== cluster.accountId
        ? [
            findingOf(this, `${cluster.name}/${sa.namespace}/${sa.name} (account ${cluster.accountId}) uses ${roleArn} in account ${account}`, {
              roleArn,
              cluster: cluster.name,
              namespace: sa.namespace,
              serviceAccount: sa.name,
            }),
          ]
        : [];
    });
  },
};
