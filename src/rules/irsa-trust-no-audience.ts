import { AUDIT_RULES } from '../findings/audit-rules.js';
import { statementLabel } from '../iam/policy.js';
import { claimOf } from './context.js';
import { findingOf, type Rule } from './types.js';

export const irsaTrustNoAudience: Rule = {
  ...AUDIT_RULES.irsaTrustNoAudience,
  check(ctx) {
    return ctx
      .eksTrustStatements()
      .filter(({ statement }) => !statement.conditions.some((c) => claimOf(c.key)?.claim === 'aud'))
      .map(({ role, statement, hostPath }) =>
        findingOf(this, `${role.arn}: trust statement ${statementLabel(statement)} for ${hostPath} has no :aud condition`, { roleArn: role.arn }),
      );
  },
};
