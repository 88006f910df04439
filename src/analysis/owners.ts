import type { Addon, Inventory, PodIdentityAssociation, Role } from '../model/inventory.js';
import type { CloudFormationResource, CloudFormationStack, CloudFormationTemplate, Owner, TerraformResource } from '../model/owners.js';
import { parseArn } from '../iam/arn.js';
import { stackTemplateProblem, type RoleStack } from './stack-template.js';
import { group } from '../group.js';
import { compareText } from '../order.js';

/** One piece of evidence that names an owner for an object. */
export interface OwnerClaim {
  readonly owner: Exclude<Owner, { kind: 'unmanaged' }>;
  /** The evidence file it comes from. */
  readonly source: string;
  /** Why this owner cannot take a change now (a stack failed or mid-update); undefined when it can. */
  readonly unsafe: string | undefined;
  /** For a stack's role: the stack, and its template when a change set can rewrite it. */
  readonly stack?: RoleStack;
}

/** Who owns a role, as far as the evidence tells. */
export interface RoleOwnership {
  /** The one owner; with several claims, the first of them (the role is then `unsafe`). */
  readonly owner: Owner;
  readonly claims: readonly OwnerClaim[];
  /** Why the role's owner cannot be changed safely; empty when it can. */
  readonly unsafe: readonly string[];
  /** The stack of the one owner, when that is a stack. */
  readonly stack?: RoleStack;
}

/** Look-ups of who owns each role, association and add-on. */
export interface OwnerIndex {
  /** Whether CloudFormation or Terraform state was collected at all. */
  readonly collected: boolean;
  /** The role's owner; undefined when no owner evidence was collected and the role carries no owner tags. */
  role(role: Role): RoleOwnership | undefined;
  /** The association's owner (its add-on's, for an association an add-on owns); undefined when nothing was collected. */
  association(association: PodIdentityAssociation | undefined): Owner | undefined;
  /** The add-on's owner; undefined when nothing was collected. */
  addon(addon: Addon): Owner | undefined;
}

/** The statuses in which a stack takes an update: every other one is failed, rolling back or mid-operation. */
const STABLE_STATUSES: ReadonlySet<string> = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

const UNMANAGED: Owner = Object.freeze({ kind: 'unmanaged' });

const EKSCTL_STACK = /^eksctl-(.+?)-(?:addon-iamserviceaccount|podidentityrole|addon)-/;
const EKSCTL_CLUSTER_TAGS = ['alpha.eksctl.io/cluster-name', 'eksctl.cluster.k8s.io/v1alpha1/cluster-name'];

function eksctlCluster(stack: string, ...tagSets: (Readonly<Record<string, string>> | undefined)[]): string | undefined {
  for (const tags of tagSets) for (const key of EKSCTL_CLUSTER_TAGS) if (tags?.[key]) return tags[key];
  return EKSCTL_STACK.exec(stack)?.[1];
}

function stackOwner(stack: string, logicalId: string, cluster: string | undefined): OwnerClaim['owner'] {
  return cluster === undefined ? { kind: 'cloudformation', stack, logicalId } : { kind: 'eksctl', stack, cluster };
}

function stackProblem(stack: CloudFormationStack | undefined, resource: CloudFormationResource | undefined): string | undefined {
  if (stack && !STABLE_STATUSES.has(stack.status)) return `stack ${stack.name} (${stack.region}) is ${stack.status}`;
  if (stack?.rootStackId)
    return `stack ${stack.name} (${stack.region}) is nested in ${stack.rootStackId}: the next update of that stack puts its template back, so change the trust in the root stack's template`;
  if (resource?.status && /_FAILED$|_IN_PROGRESS$/.test(resource.status))
    return `resource ${resource.logicalId} of stack ${resource.stackName} (${resource.region}) is ${resource.status}`;
  return undefined;
}

const gone = (status: string | undefined) => status === 'DELETE_COMPLETE';

/** The owner index of an inventory. */
export function buildOwnerIndex(inventory: Inventory): OwnerIndex {
  const evidence = inventory.owners;
  const stacksById = new Map((evidence?.stacks ?? []).map((s) => [s.stackId, s]));
  const resourcesByType = group(evidence?.stackResources ?? [], (r) => r.type);
  const rolesResources = group(resourcesByType.get('AWS::IAM::Role') ?? [], (r) => `${r.accountId}|${r.physicalId ?? ''}`);
  const terraformByArn = group(
    (evidence?.terraform ?? []).filter((t) => t.arn !== undefined),
    (t) => t.arn,
  );
  const associationResources = group(resourcesByType.get('AWS::EKS::PodIdentityAssociation') ?? [], (r) => r.physicalId);
  const terraformClaim = (t: TerraformResource): OwnerClaim => ({
    owner: {
      kind: 'terraform',
      workspace: t.workspace,
      address: t.address,
      module: t.module,
      ...(t.irsaModule ? { irsaModule: t.irsaModule } : {}),
      ...(t.provider ? { provider: t.provider } : {}),
    },
    source: t.source,
    unsafe: undefined,
  });
  const collected = evidence !== undefined;
  const templates = new Map((evidence?.templates ?? []).map((t) => [`${t.accountId}|${t.region}|${t.stackName}`, t]));
  const stackClaim = (role: Role, name: string, logicalId: string, region: string | undefined, stack: CloudFormationStack | undefined, tags: Role['tags']) => {
    const owner = stackOwner(name, logicalId, eksctlCluster(name, stack?.tags, tags));
    if (region === undefined) return { owner, unsafe: `the region of stack ${name} is not known (its role has no aws:cloudformation:stack-id tag)` };
    const where: Omit<RoleStack, 'template'> = { name, accountId: role.accountId, region, logicalId };
    const template: CloudFormationTemplate | undefined = templates.get(`${role.accountId}|${region}|${name}`);
    const problem = stackTemplateProblem(where, template, role.trustPolicy);
    const body = template && typeof template.body !== 'string' && problem === undefined ? template.body : undefined;
    return { owner, stack: { ...where, template: body }, unsafe: problem };
  };

  const roleClaims = (role: Role): OwnerClaim[] => {
    const claims = new Map<string, OwnerClaim>();
    const add = (key: string, c: OwnerClaim) => {
      if (!claims.has(key)) claims.set(key, c);
    };
    const stackNames = new Set<string>();
    for (const r of rolesResources.get(`${role.accountId}|${role.name}`) ?? []) {
      const stack = stacksById.get(r.stackId);
      if (gone(stack?.status) || gone(r.status)) continue;
      stackNames.add(r.stackName);
      const claim = stackClaim(role, r.stackName, r.logicalId, r.region, stack, role.tags);
      add(`cfn|${r.stackId}`, { ...claim, source: r.source, unsafe: stackProblem(stack, r) ?? claim.unsafe });
    }
    const tags = role.tags;
    const tagStack = tags?.['aws:cloudformation:stack-name'];
    const tagLogical = tags?.['aws:cloudformation:logical-id'];
    const tagStackId = tags?.['aws:cloudformation:stack-id'];
    if (tagStack && tagLogical && (tagStackId !== undefined || !stackNames.has(tagStack))) {
      const stack = tagStackId ? stacksById.get(tagStackId) : undefined;
      if (!gone(stack?.status)) {
        const region = tagStackId ? parseArn(tagStackId)?.region || undefined : undefined;
        const claim = stackClaim(role, tagStack, tagLogical, region, stack, tags);
        add(`cfn|${tagStackId ?? tagStack}`, { ...claim, source: role.source, unsafe: stackProblem(stack, undefined) ?? claim.unsafe });
      }
    }
    for (const t of (terraformByArn.get(role.arn) ?? []).filter((t) => t.type === 'aws_iam_role')) add(`tf|${t.workspace}|${t.address}`, terraformClaim(t));
    return [...claims.entries()].sort(([a], [b]) => compareText(a, b)).map(([, c]) => c);
  };

  return {
    collected,
    role(role) {
      const claims = roleClaims(role);
      if (!collected && claims.length === 0) return undefined;
      const unsafe = claims.flatMap((c) => (c.unsafe === undefined ? [] : [c.unsafe]));
      if (claims.length > 1) unsafe.unshift(`${claims.length} owners claim it: ${claims.map((c) => describeOwner(c.owner)).join(', ')}`);
      const stack = claims[0]?.stack;
      return { owner: claims[0]?.owner ?? UNMANAGED, claims, unsafe, ...(stack ? { stack } : {}) };
    },
    association(association) {
      if (!collected) return undefined;
      if (!association) return UNMANAGED;
      const tf = (terraformByArn.get(association.associationArn) ?? []).find((t) => t.type === 'aws_eks_pod_identity_association');
      if (tf) return terraformClaim(tf).owner;
      const cfn = (associationResources.get(association.associationArn) ?? []).find((r) => !gone(r.status));
      if (cfn) return stackOwner(cfn.stackName, cfn.logicalId, eksctlCluster(cfn.stackName, stacksById.get(cfn.stackId)?.tags));
      return UNMANAGED;
    },
    addon(addon) {
      if (!collected) return undefined;
      const prefix = addonArnPrefix(addon);
      const tf = evidence.terraform.find((t) => t.type === 'aws_eks_addon' && prefix !== undefined && t.arn?.startsWith(prefix) === true);
      return tf ? terraformClaim(tf).owner : UNMANAGED;
    },
  };
}

/** `arn:<p>:eks:<region>:<account>:addon/<cluster>/<addon>/`, what every ARN of that add-on starts with. */
function addonArnPrefix(addon: Addon): string | undefined {
  const at = addon.clusterArn.indexOf(':cluster/');
  return at < 0 ? undefined : `${addon.clusterArn.slice(0, at)}:addon/${addon.clusterName}/${addon.name}/`;
}

/** An owner in words, for messages. */
export function describeOwner(o: Owner): string {
  switch (o.kind) {
    case 'cloudformation':
      return `CloudFormation stack ${o.stack} (${o.logicalId})`;
    case 'eksctl':
      return `eksctl stack ${o.stack} of cluster ${o.cluster}`;
    case 'terraform':
      return `Terraform ${o.address} in workspace ${o.workspace}`;
    case 'unmanaged':
      return 'no owner';
  }
}
