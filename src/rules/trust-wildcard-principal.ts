import { AUDIT_RULES } from '../findings/audit-rules.js';
import { statementLabel } from '../iam/policy.js';
import { partitionOf } from '../iam/arn.js';
import { actionMatches, evaluateTrust } from '../iam/evaluate.js';
import type { AssumeRequest } from '../iam/evaluate.js';
import { findingOf, type Rule } from './types.js';

const PROBE_ACCOUNT = '000000000000';

/** `sts:AssumeRole` by a principal of an unrelated account of the role's partition, every other condition key absent. */
function stranger(partition: string): AssumeRequest {
  const arn = `arn:${partition}:iam::${PROBE_ACCOUNT}:role/irsa2pi-probe`;
  return {
    principal: { type: 'AWS', id: arn, accountId: PROBE_ACCOUNT },
    actions: ['sts:AssumeRole'],
    context: {
      values: new Map([
        ['aws:principalarn', [arn]],
        ['aws:principalaccount', [PROBE_ACCOUNT]],
      ]),
      knowsAbsent: () => true,
    },
  };
}

/** Condition keys whose values the caller of `sts:AssumeRole` chooses itself. */
const CALLER_CHOSEN = [/^aws:requesttag\//, /^aws:tagkeys$/, /^sts:rolesessionname$/, /^sts:sourceidentity$/, /^sts:transitivetagkeys$/];

/** The caller-chosen keys of a statement all of whose conditions test only such keys, or null. */
function callerChosenOnly(keys: readonly string[]): readonly string[] | null {
  return keys.length > 0 && keys.every((k) => CALLER_CHOSEN.some((re) => re.test(k))) ? [...new Set(keys)].sort() : null;
}

export const trustWildcardPrincipal: Rule = {
  ...AUDIT_RULES.trustWildcardPrincipal,
  check(ctx) {
    const out = [];
    const strangers = new Map<string, AssumeRequest>();
    for (const role of ctx.inventory.roles) {
      const partition = partitionOf(role.arn);
      let probe = strangers.get(partition);
      if (!probe) strangers.set(partition, (probe = stranger(partition)));
      for (const st of ctx.statements(role.trustPolicy)) {
        if (st.effect !== 'Allow' || !st.principal) continue;
        if (!st.principal.everyone && !(st.principal.byType.AWS ?? []).includes('*')) continue;
        if (evaluateTrust([st], probe).decision === 'yes') {
          out.push(findingOf(this, `${role.arn}: trust statement ${statementLabel(st)} admits any AWS principal`, { roleArn: role.arn }));
          continue;
        }
        const chosen = actionMatches(st, 'sts:AssumeRole') ? callerChosenOnly(st.conditions.map((c) => c.lowerKey)) : null;
        if (chosen) {
          out.push(
            findingOf(
              this,
              `${role.arn}: trust statement ${statementLabel(st)} admits any AWS principal that sets ${chosen.join(', ')} on its own request: the caller chooses those values`,
              { roleArn: role.arn },
            ),
          );
        }
      }
    }
    return out;
  },
};
