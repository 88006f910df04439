import { asList, type PolicyDocument } from '../iam/policy.js';
import type { ManagedPolicy, Role } from '../model/inventory.js';

/** A permissions policy of a role, with whether it grants administrator-like access. */
export interface RolePolicy {
  readonly name: string;
  readonly kind: 'attached' | 'inline';
  readonly arn: string | null;
  readonly admin: boolean;
}

const ADMIN_MANAGED = /^arn:[^:]+:iam::aws:policy\/AdministratorAccess$/;

/** Whether a permissions policy has an Allow statement for action `*` on resource `*`. */
export function grantsEverything(doc: PolicyDocument | undefined): boolean {
  if (!doc) return false;
  return asList(doc.Statement).some((st) => {
    if (st.Effect !== 'Allow' || st.Action === undefined) return false;
    const actions = asList(st.Action);
    const resources = asList(st.Resource);
    return actions.some((a) => a === '*' || a === '*:*') && resources.some((r) => r === '*');
  });
}

/** Every attached and inline policy of a role, flagged when admin-like (managed documents from the bundle when collected). */
export function rolePolicies(role: Role, managedByArn: ReadonlyMap<string, ManagedPolicy>): RolePolicy[] {
  return [
    ...role.attachedPolicies.map((p) => ({
      name: p.name,
      kind: 'attached' as const,
      arn: p.arn,
      admin: ADMIN_MANAGED.test(p.arn) || grantsEverything(managedByArn.get(p.arn)?.document),
    })),
    ...role.inlinePolicies.map((p) => ({ name: p.name, kind: 'inline' as const, arn: null, admin: grantsEverything(p.document) })),
  ];
}
