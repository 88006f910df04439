import { createHash } from 'node:crypto';
import type { Finding, RuleInfo } from '../findings/model.js';
import { PLANNING_RULES as R } from '../findings/planning-rules.js';
import { accountOf, parseArn, roleNameAndPath } from '../iam/arn.js';
import { identityKey, type Identity } from '../iam/requests.js';
import type { Addon, Cluster, PodIdentityAssociation, Role, ServiceAccount } from '../model/inventory.js';
import { identityOf, type InventoryIndexes } from '../analysis/indexes.js';
import type { AssociationStatus, WorkloadRef } from './model.js';
import type { TrustOracle } from '../analysis/oracle.js';
import { nameProblems } from './names.js';
import { placementBlocks, platformProblem } from './placement.js';

/** An annotated service account on its way to a planned association. */
export interface Candidate {
  readonly identity: Identity;
  readonly cluster: Cluster;
  readonly serviceAccount: ServiceAccount;
  readonly annotatedRoleArn: string;
  readonly role: Role | undefined;
  status: AssociationStatus;
  readonly reasons: string[];
  readonly findings: Finding[];
  readonly via: 'association' | 'addon';
  readonly addon: Addon | undefined;
  /** An add-on whose role the service account carries, installed where irsa2pi cannot tell: it may be the add-on's own. */
  readonly addonOfUnknownNamespace: Addon | undefined;
  /** The same-account role EKS chains from, when the annotated role is in another account. */
  readonly chainRoleArn: string | undefined;
  readonly workloads: readonly WorkloadRef[];
  readonly podCount: number;
  readonly existing: PodIdentityAssociation | undefined;
}

export function displayIdentity(id: Pick<Identity, 'clusterName' | 'namespace' | 'serviceAccount'>): string {
  return `${id.clusterName}/${id.namespace}/${id.serviceAccount}`;
}

/** The same-account role the plan creates so that EKS can chain into `targetRoleArn`. */
export function chainRoleArnFor(clusterAccountId: string, targetRoleArn: string): string {
  const target = roleNameAndPath(targetRoleArn)?.name ?? 'role';
  const hash = createHash('sha256').update(targetRoleArn).digest('hex').slice(0, 8);
  const partition = parseArn(targetRoleArn)?.partition ?? 'aws';
  return `arn:${partition}:iam::${clusterAccountId}:role/irsa2pi/irsa2pi-${target.slice(0, 44)}-${hash}`;
}

export const AGENT_ADDON = 'eks-pod-identity-agent';

const KUBE_SYSTEM_ADDONS = [
  'vpc-cni',
  'coredns',
  'kube-proxy',
  'aws-ebs-csi-driver',
  'aws-efs-csi-driver',
  'aws-fsx-csi-driver',
  'aws-mountpoint-s3-csi-driver',
  'snapshot-controller',
  'eks-pod-identity-agent',
  'eks-node-monitoring-agent',
  'metrics-server',
];

/** Where AWS installs the add-ons irsa2pi knows, by default. */
const ADDON_NAMESPACES: ReadonlyMap<string, string> = new Map([
  ...KUBE_SYSTEM_ADDONS.map((name) => [name, 'kube-system'] as const),
  ['amazon-cloudwatch-observability', 'amazon-cloudwatch'],
  ['aws-guardduty-agent', 'amazon-guardduty'],
]);

/**
 * The namespace an add-on's service accounts live in: its custom namespace when `describe-addon` gives
 * one, else where AWS installs it; undefined for an add-on irsa2pi does not know. `UpdateAddon` names
 * only service accounts, in this namespace.
 */
export function addonNamespace(addon: Addon): string | undefined {
  return addon.namespace ?? ADDON_NAMESPACES.get(addon.name);
}

function finding(rule: RuleInfo, message: string, c: Pick<Candidate, 'identity' | 'annotatedRoleArn'>): Finding {
  return {
    rule: rule.id,
    severity: rule.severity,
    message,
    roleArn: c.annotatedRoleArn,
    cluster: c.identity.clusterName,
    namespace: c.identity.namespace,
    serviceAccount: c.identity.serviceAccount,
  };
}

function decide(c: Candidate, ctx: InventoryIndexes, oracle: TrustOracle): void {
  const skip = (rule: RuleInfo, message: string, status: AssociationStatus = 'skipped') => {
    c.status = status;
    c.reasons.push(rule.id);
    c.findings.push(finding(rule, message, c));
  };
  const who = displayIdentity(c.identity);
  const role = c.role;
  if (!role) {
    const account = accountOf(c.annotatedRoleArn);
    if (!roleNameAndPath(c.annotatedRoleArn) || (account && ctx.scannedRoleAccounts.has(account))) {
      return skip(R.saRoleMissing, `${who} is annotated with ${c.annotatedRoleArn}, which does not exist`);
    }
    return skip(R.roleNotScanned, `${who} is annotated with ${c.annotatedRoleArn} in account ${account}, which was not scanned`);
  }
  const irsa = oracle.irsa(role.trustPolicy, role.accountId, c.identity);
  if (irsa.decision === 'unknown') {
    return skip(R.unsupportedCondition, `${role.arn}'s trust cannot be evaluated for ${who}: ${irsa.unknownBecause.join('; ')}`);
  }
  if (irsa.decision === 'no') {
    const why = oracle.providerExists(role.accountId, c.identity)
      ? 'its trust does not admit it'
      : `account ${role.accountId} has no OIDC provider for ${c.identity.issuerHostPath}`;
    return skip(R.saRoleNotTrusted, `${who} is annotated with ${role.arn}, but ${why}; IRSA fails for it today`);
  }
  if (c.addonOfUnknownNamespace) {
    const a = c.addonOfUnknownNamespace;
    return skip(R.addonOwnedRole, `${who} carries ${role.arn}, the role of add-on ${a.name}, whose namespace irsa2pi cannot tell (describe-addon gives no namespaceConfig): it may be the add-on's own service account, which only the add-on can move; migrate it by hand`);
  }
  if (c.chainRoleArn && c.via === 'addon') {
    return skip(R.crossAccountRole, `${who}: add-on ${c.addon?.name} uses ${role.arn} from another account; add-on associations cannot chain`);
  }
  const blocked: [RuleInfo, string][] = [];
  const names = nameProblems({ ...c, namespace: c.identity.namespace, serviceAccount: c.identity.serviceAccount });
  if (names.length) blocked.push([R.unsafeName, `${who}: ${names.map((p) => `${p.field} ${JSON.stringify(p.value)} is not ${p.rule}`).join('; ')}; irsa2pi writes no script or Terraform for this identity`]);
  const platform = platformProblem(c.cluster);
  if (platform) blocked.push([R.platformTooOld, `${who}: cluster ${c.cluster.name}: ${platform}`]);
  if (c.cluster.onOutposts) blocked.push([R.outposts, `${who}: cluster ${c.cluster.name} runs on AWS Outposts`]);
  const kube = c.cluster.kubernetes;
  const pods = kube ? ctx.workloadsByCluster.get(c.cluster.arn)?.pods(c.identity.namespace, c.identity.serviceAccount) ?? [] : [];
  const placement = placementBlocks(pods, ctx.nodesByCluster.get(c.cluster.arn) ?? new Map());
  if (placement.fargatePods.length) blocked.push([R.fargate, `${who}: pods on Fargate: ${placement.fargatePods.join(', ')}`]);
  if (placement.windowsPods.length) blocked.push([R.windowsNode, `${who}: pods on Windows nodes: ${placement.windowsPods.join(', ')}`]);
  if (blocked.length) {
    for (const [rule, message] of blocked) skip(rule, message, 'blocked');
    return;
  }
  if (c.chainRoleArn) c.reasons.push(R.crossAccountRole.id);
  if (c.via === 'addon') c.reasons.push(R.addonOwnedRole.id);
  if (c.chainRoleArn) c.findings.push(finding(R.crossAccountRole, `${who}: ${role.arn} is in account ${role.accountId}, the cluster in ${c.cluster.accountId}; the association uses ${c.chainRoleArn} with targetRoleArn`, c));
  if (c.via === 'addon') c.findings.push(finding(R.addonOwnedRole, `${who}: ${role.arn} is add-on ${c.addon?.name}'s role; migrate through UpdateAddon`, c));
  const existing = c.existing;
  const undescribed = existing ? undefined : ctx.undescribedAssociationsByIdentity.get(identityKey(c.identity));
  if (undescribed) {
    return skip(R.associationConflict, `${who}: association ${undescribed.associationId} exists (${undescribed.source}) but no describe-pod-identity-association output gives its role; collect it and plan again`, 'conflict');
  }
  if (existing) {
    const plannedRole = c.chainRoleArn ?? role.arn;
    const plannedTarget = c.chainRoleArn ? role.arn : undefined;
    if (existing.roleArn === plannedRole && existing.targetRoleArn === plannedTarget && existing.disableSessionTags) {
      return skip(R.associationConflict, `${who}: association ${existing.associationId} has session tags disabled, so a trust scoped by session tags cannot admit it; enable them (update-pod-identity-association --no-disable-session-tags) and plan again`, 'conflict');
    }
    if (existing.roleArn === plannedRole && existing.targetRoleArn === plannedTarget) {
      c.status = 'exists';
      c.reasons.push(R.associationExists.id);
      c.findings.push(finding(R.associationExists, `${who} already has association ${existing.associationId} with ${plannedRole}`, c));
      return;
    }
    const current = existing.targetRoleArn ? `${existing.roleArn} → ${existing.targetRoleArn}` : existing.roleArn;
    return skip(R.associationConflict, `${who}: association ${existing.associationId} uses ${current}, not ${plannedTarget ? `${plannedRole} → ${plannedTarget}` : plannedRole}`, 'conflict');
  }
  c.status = 'create';
}

/** Every annotated service account of every scanned cluster, each with its decided status. */
export function planCandidates(ctx: InventoryIndexes, oracle: TrustOracle): Candidate[] {
  const out: Candidate[] = [];
  for (const cluster of ctx.clusters) {
    const kube = cluster.kubernetes;
    if (!kube || !cluster.issuerHostPath) continue;
    const index = ctx.workloadsByCluster.get(cluster.arn);
    for (const sa of kube.serviceAccounts) {
      if (!sa.roleArn) continue;
      const identity = identityOf(cluster, sa.namespace, sa.name, sa.audience);
      const role = ctx.rolesByArn.get(sa.roleArn);
      const sharing = (ctx.addonsByCluster.get(cluster.arn) ?? []).filter((a) => a.serviceAccountRoleArn === sa.roleArn);
      const addon = sharing.find((a) => addonNamespace(a) === sa.namespace);
      const crossAccount = role ? role.accountId !== cluster.accountId : false;
      const c: Candidate = {
        identity,
        cluster,
        serviceAccount: sa,
        annotatedRoleArn: sa.roleArn,
        role,
        status: 'skipped',
        reasons: [],
        findings: [],
        via: addon ? 'addon' : 'association',
        addon,
        addonOfUnknownNamespace: addon ? undefined : sharing.find((a) => addonNamespace(a) === undefined),
        chainRoleArn: role && crossAccount ? chainRoleArnFor(cluster.accountId, role.arn) : undefined,
        workloads: index?.workloadsOf(sa.namespace, sa.name) ?? [],
        podCount: index?.pods(sa.namespace, sa.name).length ?? 0,
        existing: ctx.associationsByIdentity.get(identityKey(identity)),
      };
      decide(c, ctx, oracle);
      out.push(c);
    }
  }
  return out;
}

export function isMigrating(c: Candidate): boolean {
  return c.status === 'create' || c.status === 'exists';
}

export function skipForRole(c: Candidate, rule: RuleInfo, message: string, status: AssociationStatus = 'skipped'): void {
  c.status = status;
  c.reasons.push(rule.id);
  c.findings.push(finding(rule, message, c));
}

export { finding as candidateFinding };
