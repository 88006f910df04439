import { AUDIT_RULES } from '../findings/audit-rules.js';
import { statementLabel } from '../iam/policy.js';
import { claimOf } from './context.js';
import { findingOf, type Rule } from './types.js';

export const irsaTrustNoSubject: Rule = {
  ...AUDIT_RULES.irsaTrustNoSubject,
  check(ctx) {
    return ctx
      .eksTrustStatements()
      .filter(({ statement }) => !statement.conditions.some((c) => claimOf(c.key)?.claim === 'sub'))
      .map(({ role, statement, hostPath }) =>
        findingOf(this, `${role.arn}: trust statement ${statementLabel(statement)} admits every service account of ${hostPath} (no :sub condition)`, {
          roleArn: role.arn,
        }),
      );
  },
};
