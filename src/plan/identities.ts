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
import { addonSupport, type AddonSupport } from './addon-support.js';

/** The planning rules that say why, each with the finding it raised (a reason may come without one). */
interface Reasoned {
  readonly reasons: readonly string[];
  readonly findings: readonly Finding[];
}

/** The identity moves to Pod Identity: an association is created, or the one that exists is kept. */
export interface MigrateDecision extends Reasoned {
  readonly kind: Extract<AssociationStatus, 'create' | 'exists'>;
}

/** The identity stays on IRSA: an association is in the way, something blocks Pod Identity, or its role cannot be moved. */
export interface StopDecision extends Reasoned {
  readonly kind: Extract<AssociationStatus, 'conflict' | 'blocked' | 'skipped'>;
}

/** What the plan does with one identity, and why. */
export type IdentityDecision = MigrateDecision | StopDecision;

/** What the inventory says of an annotated service account, before anything is decided. */
export interface CandidateFacts {
  readonly identity: Identity;
  readonly cluster: Cluster;
  readonly serviceAccount: ServiceAccount;
  readonly annotatedRoleArn: string;
  readonly role: Role | undefined;
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

/** An annotated service account on its way to a planned association, with the decision made so far. */
export interface Candidate extends CandidateFacts {
  readonly decision: IdentityDecision;
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

/** `d` moved on to `kind` by `rule`, with its finding when it raises one. */
function amended<K extends AssociationStatus>(d: Reasoned, kind: K, rule: RuleInfo, raised?: Finding): Reasoned & { readonly kind: K } {
  return { kind, reasons: [...d.reasons, rule.id], findings: raised ? [...d.findings, raised] : d.findings };
}

const UNDECIDED: Reasoned = { reasons: [], findings: [] };

function decide(c: CandidateFacts, ctx: InventoryIndexes, oracle: TrustOracle): IdentityDecision {
  const stop = (rule: RuleInfo, message: string, kind: StopDecision['kind'] = 'skipped', from: Reasoned = UNDECIDED): StopDecision =>
    amended(from, kind, rule, finding(rule, message, c));
  const who = displayIdentity(c.identity);
  const role = c.role;
  if (!role) {
    const account = accountOf(c.annotatedRoleArn);
    if (!roleNameAndPath(c.annotatedRoleArn) || (account && ctx.scannedRoleAccounts.has(account))) {
      return stop(R.saRoleMissing, `${who} is annotated with ${c.annotatedRoleArn}, which does not exist`);
    }
    return stop(R.roleNotScanned, `${who} is annotated with ${c.annotatedRoleArn} in account ${account}, which was not scanned`);
  }
  const irsa = oracle.irsa(role.trustPolicy, role.accountId, c.identity);
  if (irsa.decision === 'unknown') {
    return stop(R.unsupportedCondition, `${role.arn}'s trust cannot be evaluated for ${who}: ${irsa.unknownBecause.join('; ')}`);
  }
  if (irsa.decision === 'no') {
    const why = oracle.providerExists(role.accountId, c.identity)
      ? 'its trust does not admit it'
      : `account ${role.accountId} has no OIDC provider for ${c.identity.issuerHostPath}`;
    return stop(R.saRoleNotTrusted, `${who} is annotated with ${role.arn}, but ${why}; IRSA fails for it today`);
  }
  if (c.addonOfUnknownNamespace) {
    const a = c.addonOfUnknownNamespace;
    return stop(
      R.addonOwnedRole,
      `${who} carries ${role.arn}, the role of add-on ${a.name}, whose namespace irsa2pi cannot tell (describe-addon gives no namespaceConfig): it may be the add-on's own service account, which only the add-on can move; migrate it by hand`,
    );
  }
  if (c.chainRoleArn && c.via === 'addon') {
    return stop(R.crossAccountRole, `${who}: add-on ${c.addon?.name} uses ${role.arn} from another account; add-on associations cannot chain`);
  }
  const blocked = blockers(c, ctx, who);
  if (blocked.length) return blocked.reduce<StopDecision>((d, [rule, message]) => stop(rule, message, 'blocked', d), { kind: 'blocked', ...UNDECIDED });
  const notes: [RuleInfo, string][] = [
    ...(c.chainRoleArn
      ? [
          [
            R.crossAccountRole,
            `${who}: ${role.arn} is in account ${role.accountId}, the cluster in ${c.cluster.accountId}; the association uses ${c.chainRoleArn} with targetRoleArn`,
          ] as [RuleInfo, string],
        ]
      : []),
    ...(c.via === 'addon'
      ? [[R.addonOwnedRole, `${who}: ${role.arn} is add-on ${c.addon?.name}'s role; migrate through UpdateAddon`] as [RuleInfo, string]]
      : []),
    ...unknownSupport(c, ctx, who),
  ];
  const create: MigrateDecision = {
    kind: 'create',
    reasons: notes.map(([rule]) => rule.id),
    findings: notes.map(([rule, message]) => finding(rule, message, c)),
  };
  const existing = c.existing;
  const undescribed = existing ? undefined : ctx.undescribedAssociationsByIdentity.get(identityKey(c.identity));
  if (undescribed) {
    return stop(
      R.associationConflict,
      `${who}: association ${undescribed.associationId} exists (${undescribed.source}) but no describe-pod-identity-association output gives its role; collect it and plan again`,
      'conflict',
      create,
    );
  }
  if (!existing) return create;
  const plannedRole = c.chainRoleArn ?? role.arn;
  const plannedTarget = c.chainRoleArn ? role.arn : undefined;
  if (existing.roleArn === plannedRole && existing.targetRoleArn === plannedTarget && existing.disableSessionTags) {
    return stop(
      R.associationConflict,
      `${who}: association ${existing.associationId} has session tags disabled, so a trust scoped by session tags cannot admit it; enable them (update-pod-identity-association --no-disable-session-tags) and plan again`,
      'conflict',
      create,
    );
  }
  if (existing.roleArn === plannedRole && existing.targetRoleArn === plannedTarget) {
    return amended(
      create,
      'exists',
      R.associationExists,
      finding(R.associationExists, `${who} already has association ${existing.associationId} with ${plannedRole}`, c),
    );
  }
  const current = existing.targetRoleArn ? `${existing.roleArn} → ${existing.targetRoleArn}` : existing.roleArn;
  return stop(
    R.associationConflict,
    `${who}: association ${existing.associationId} uses ${current}, not ${plannedTarget ? `${plannedRole} → ${plannedTarget}` : plannedRole}`,
    'conflict',
    create,
  );
}

/** How the installed version of the add-on the identity moves through supports Pod Identity; undefined when it moves through no add-on. */
function supportOf(c: CandidateFacts, ctx: InventoryIndexes): AddonSupport | undefined {
  return c.via === 'addon' && c.addon ? addonSupport(c.addon, c.identity.serviceAccount, ctx.inventory.addonConfigurations ?? []) : undefined;
}

/** The note that the add-on version's Pod Identity support is unknown, when it is. */
function unknownSupport(c: CandidateFacts, ctx: InventoryIndexes, who: string): [RuleInfo, string][] {
  const support = supportOf(c, ctx);
  if (support?.kind !== 'unknown') return [];
  const version = support.version ?? '(version not given by describe-addon)';
  return [
    [
      R.addonPodIdentityUnknown,
      `${who}: whether add-on ${c.addon?.name ?? ''} ${version} takes Pod Identity associations is unknown: the bundle has no describe-addon-configuration of that version; UpdateAddon fails if it does not`,
    ],
  ];
}

/** Why the installed add-on version cannot take the identity's association, when it cannot. */
function addonBlock(c: CandidateFacts, ctx: InventoryIndexes, who: string): [RuleInfo, string][] {
  const support = supportOf(c, ctx);
  const name = c.addon?.name ?? '';
  if (support?.kind === 'no-pod-identity') {
    const next =
      support.minimum !== undefined
        ? `update the add-on to ≥ ${support.minimum} first (the lowest collected version whose podIdentityConfiguration names ${c.identity.serviceAccount})`
        : `no collected version of ${name} is known to support it: find one (aws eks describe-addon-versions --addon-name ${name}, then describe-addon-configuration), update the add-on, collect and plan again`;
    return [
      [
        R.addonNoPodIdentity,
        `${who}: add-on ${name} ${support.version} cannot take Pod Identity associations (its describe-addon-configuration has no podIdentityConfiguration, ${support.source}); ${next}`,
      ],
    ];
  }
  if (support?.kind === 'other-service-accounts') {
    return [
      [
        R.addonNoPodIdentity,
        `${who}: add-on ${name} ${support.version} takes Pod Identity associations only for service account${support.serviceAccounts.length > 1 ? 's' : ''} ${support.serviceAccounts.join(', ')} (podIdentityConfiguration, ${support.source}), not ${c.identity.serviceAccount}, so UpdateAddon cannot give it one; move it by hand`,
      ],
    ];
  }
  return [];
}

/** What keeps the identity off Pod Identity whatever its trust: unsafe names, the platform, where its pods run. */
function blockers(c: CandidateFacts, ctx: InventoryIndexes, who: string): [RuleInfo, string][] {
  const blocked: [RuleInfo, string][] = [];
  const names = nameProblems({ ...c, namespace: c.identity.namespace, serviceAccount: c.identity.serviceAccount });
  if (names.length)
    blocked.push([
      R.unsafeName,
      `${who}: ${names.map((p) => `${p.field} ${JSON.stringify(p.value)} is not ${p.rule}`).join('; ')}; irsa2pi writes no script or Terraform for this identity`,
    ]);
  const unsafe = c.role ? ctx.owners.role(c.role)?.unsafe : undefined;
  if (unsafe?.length)
    blocked.push([R.ownerUnsafe, `${who}: ${c.role?.arn}'s owner cannot take a change safely: ${unsafe.join('; ')}; the role is not changed`]);
  const platform = platformProblem(c.cluster);
  if (platform) blocked.push([R.platformTooOld, `${who}: cluster ${c.cluster.name}: ${platform}`]);
  if (c.cluster.onOutposts) blocked.push([R.outposts, `${who}: cluster ${c.cluster.name} runs on AWS Outposts`]);
  blocked.push(...addonBlock(c, ctx, who));
  const kube = c.cluster.kubernetes;
  const pods = kube ? (ctx.workloadsByCluster.get(c.cluster.arn)?.pods(c.identity.namespace, c.identity.serviceAccount) ?? []) : [];
  const placement = placementBlocks(pods, ctx.nodesByCluster.get(c.cluster.arn) ?? new Map());
  if (placement.fargatePods.length) blocked.push([R.fargate, `${who}: pods on Fargate: ${placement.fargatePods.join(', ')}`]);
  if (placement.windowsPods.length) blocked.push([R.windowsNode, `${who}: pods on Windows nodes: ${placement.windowsPods.join(', ')}`]);
  return blocked;
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
      const c: CandidateFacts = {
        identity,
        cluster,
        serviceAccount: sa,
        annotatedRoleArn: sa.roleArn,
        role,
        via: addon ? 'addon' : 'association',
        addon,
        addonOfUnknownNamespace: addon ? undefined : sharing.find((a) => addonNamespace(a) === undefined),
        chainRoleArn: role && crossAccount ? chainRoleArnFor(cluster.accountId, role.arn) : undefined,
        workloads: index?.workloadsOf(sa.namespace, sa.name) ?? [],
        podCount: index?.pods(sa.namespace, sa.name).length ?? 0,
        existing: ctx.associationsByIdentity.get(identityKey(identity)),
      };
      out.push({ ...c, decision: decide(c, ctx, oracle) });
    }
  }
  return out;
}

export function isMigrating(c: Candidate): boolean {
  return c.decision.kind === 'create' || c.decision.kind === 'exists';
}

/** `c` stopped at `kind` by `rule`, for the reason `message` gives. */
export function stoppedBy(c: Candidate, rule: RuleInfo, message: string, kind: StopDecision['kind'] = 'skipped'): Candidate {
  return { ...c, decision: amended(c.decision, kind, rule, finding(rule, message, c)) };
}

/** `c` with one more reason, and its finding when `message` gives one; the decision stays what it is. */
export function notedBy(c: Candidate, rule: RuleInfo, message?: string): Candidate {
  return { ...c, decision: amended(c.decision, c.decision.kind, rule, message === undefined ? undefined : finding(rule, message, c)) };
}
