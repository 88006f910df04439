import { claimOf } from './context.js';
import { findingOf, type Rule } from './types.js';

export const irsaTrustNoAudience: Rule = {
  id: 'irsa-trust-no-audience',
  severity: 'medium',
  title: 'IRSA trust has no audience condition',
  explanation:
    'The statement trusting an EKS OIDC provider does not test `:aud`, so a token of that cluster minted for any audience (not only `sts.amazonaws.com`) is accepted.',
  fix: 'Add `StringEquals {"<issuer>:aud": "sts.amazonaws.com"}` to the statement.',
  check(ctx) {
    return ctx
      .eksTrustStatements()
      .filter(({ statement }) => !statement.conditions.some((c) => claimOf(c.key)?.claim === 'aud'))
      .map(({ role, statement, hostPath }) =>
        findingOf(this, `${role.arn}: trust statement ${statement.sid ?? `#${statement.index}`} for ${hostPath} has no :aud condition`, { roleArn: role.arn }),
      );
  },
};
