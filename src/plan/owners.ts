import type { Finding } from '../findings/model.js';
import { PLANNING_RULES as R } from '../findings/planning-rules.js';
import type { InventoryIndexes } from '../analysis/indexes.js';
import { describeOwner } from '../analysis/owners.js';
import type { Owner } from '../model/owners.js';
import { isMigrating, type Candidate } from './identities.js';
import type { PlannedAssociation, PlannedRole } from './model.js';

const UNMANAGED: Owner = Object.freeze({ kind: 'unmanaged' });

/** The role with its owner, when owners are known: a role the plan creates is unmanaged. */
export function withRoleOwner(role: PlannedRole, ctx: InventoryIndexes): PlannedRole {
  const existing = ctx.rolesByArn.get(role.arn);
  const ownership = role.kind === 'existing' && existing ? ctx.owners.role(existing) : undefined;
  const owner = role.kind === 'existing' && existing ? ownership?.owner : ctx.owners.collected ? UNMANAGED : undefined;
  if (owner === undefined) return role;
  const s = ownership?.stack;
  if (!s) return { ...role, owner };
  return { ...role, owner, stack: { name: s.name, region: s.region, logicalId: s.logicalId, ...(s.template ? { template: s.template } : {}) } };
}

/** The association's owner: the add-on's for an add-on's identity, else the existing association's. */
export function associationOwner(c: Candidate, ctx: InventoryIndexes): Pick<PlannedAssociation, 'owner'> {
  const owner = c.via === 'addon' && c.addon ? ctx.owners.addon(c.addon) : ctx.owners.association(c.existing);
  return owner === undefined ? {} : { owner };
}

/** Where a module call can be replaced by generated blocks: its parent module (null: the root) and its call relative to it; null when an instance key (count, for_each) is on the way, which `removed {}` cannot name. */
export function replaceableModuleCall(module: string): { readonly parent: string | null; readonly call: string } | null {
  if (module.includes('[')) return null;
  const at = module.lastIndexOf('.module.');
  return at < 0 ? { parent: null, call: module } : { parent: module.slice(0, at), call: module.slice(at + 1) };
}

function trustChangeAdvice(owner: Extract<Owner, { kind: 'terraform' }>): string {
  if (!owner.irsaModule || owner.module === null) return '';
  const where = `terraform-aws-modules' ${owner.irsaModule} (${owner.module}) takes no extra trust statements`;
  return replaceableModuleCall(owner.module)
    ? `; ${where}: replace it with the aws_iam_role, moved {} and removed {} blocks that \`plan --format terraform\` writes to owners/, which keep the role and its ARN`
    : `; ${where}, and a moved {} replacement cannot be generated for a module call with count or for_each: move the role out of the module by hand (terraform state mv) without replacing it`;
}

/** What each owner does with the plan's changes: eksctl's next moves, trusts and add-ons a stack or a state manages. */
export function ownerFindings(roles: readonly PlannedRole[], candidates: readonly Candidate[], ctx: InventoryIndexes): Finding[] {
  const out: Finding[] = [];
  for (const role of roles) {
    const owner = role.owner;
    if (!owner || owner.kind === 'unmanaged' || role.migrated.length === 0) continue;
    if (owner.kind === 'eksctl')
      out.push({
        rule: R.ownerEksctl.id,
        severity: R.ownerEksctl.severity,
        roleArn: role.arn,
        message: `${role.arn} belongs to ${describeOwner(owner)}: \`eksctl delete iamserviceaccount\` would delete the stack and this role, which the planned associations use, and re-applying the eksctl config puts the IRSA annotation and trust back; move ${role.migrated.join(', ')} to the ClusterConfig's podIdentityAssociations instead`,
      });
    else if (role.changed)
      out.push({
        rule: R.ownerManaged.id,
        severity: R.ownerManaged.severity,
        roleArn: role.arn,
        message: `${role.arn}'s trust is managed by ${describeOwner(owner)}: make the planned trust change there, or the next ${owner.kind === 'terraform' ? '`terraform apply`' : 'stack update'} puts the current trust back${owner.kind === 'terraform' ? trustChangeAdvice(owner) : ''}`,
      });
  }
  for (const c of candidates) {
    if (!isMigrating(c) || c.via !== 'addon' || !c.addon) continue;
    const owner = ctx.owners.addon(c.addon);
    if (owner?.kind !== 'terraform') continue;
    out.push({
      rule: R.ownerManaged.id,
      severity: R.ownerManaged.severity,
      roleArn: c.annotatedRoleArn,
      cluster: c.cluster.name,
      namespace: c.identity.namespace,
      serviceAccount: c.identity.serviceAccount,
      message: `add-on ${c.addon.name} of ${c.cluster.name} is managed by ${describeOwner(owner)}: give it the planned pod_identity_association block there, or the next \`terraform apply\` undoes the add-on update`,
    });
  }
  return out;
}
