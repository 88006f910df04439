import { AUDIT_RULES } from '../findings/audit-rules.js';
import { rolePolicies } from './admin.js';
import { findingOf, type Rule } from './types.js';

export const roleAdminPermissions: Rule = {
  ...AUDIT_RULES.roleAdminPermissions,
  check(ctx) {
    const managed = ctx.managedPolicies;
    const out = [];
    for (const arn of [...ctx.reachableRoleArns()].sort()) {
      const role = ctx.rolesByArn.get(arn);
      if (!role) continue;
      const admin = rolePolicies(role, managed).filter((p) => p.admin);
      if (admin.length)
        out.push(
          findingOf(this, `${arn} is reachable from pods and has ${admin.map((p) => `${p.kind} policy ${p.name}`).join(', ')} granting * on *`, {
            roleArn: arn,
          }),
        );
    }
    return out;
  },
};
