import { rolePolicies } from './admin.js';
import { findingOf, type Rule } from './types.js';

export const roleAdminPermissions: Rule = {
  id: 'role-admin-permissions',
  severity: 'high',
  title: 'Role reachable from pods has administrator permissions',
  explanation:
    'A role that pods can act as (annotated on a service account or used by a Pod Identity association) has `AdministratorAccess` attached or a policy allowing `*` on `*`. Compromising any of those pods compromises the account.',
  fix: 'Replace the policy with one granting only the actions and resources the workload uses (IAM Access Analyzer can generate one from CloudTrail).',
  check(ctx) {
    const managed = ctx.managedPolicies;
    const out = [];
    for (const arn of [...ctx.reachableRoleArns()].sort()) {
      const role = ctx.rolesByArn.get(arn);
      if (!role) continue;
      const admin = rolePolicies(role, managed).filter((p) => p.admin);
      if (admin.length) out.push(findingOf(this, `${arn} is reachable from pods and has ${admin.map((p) => `${p.kind} policy ${p.name}`).join(', ')} granting * on *`, { roleArn: arn }));
    }
    return out;
  },
};
