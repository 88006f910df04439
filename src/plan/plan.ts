import { mergeFindings } from '../findings/merge.js';
import { SEVERITIES, type Finding, type Severity } from '../findings/model.js';
import { PLANNING_RULES as R } from '../findings/planning-rules.js';
import type { Cluster, Inventory } from '../model/inventory.js';
import { analysisOf, type Analysis } from '../analysis/index.js';
import type { InventoryIndexes } from '../analysis/indexes.js';
import { AGENT_ADDON, isMigrating, notedBy, planCandidates, type Candidate } from './identities.js';
import { ASSOCIATION_STATUSES, PLAN_SCHEMA_VERSION, type AssociationStatus, type Plan, type PlannedAgent, type PlannedAssociation } from './model.js';
import { MAX_TRUST_POLICY_LIMIT, planRoles, TRUST_POLICY_LIMIT } from './roles.js';
import { planSteps } from './steps.js';
import { associationOwner, ownerFindings, withRoleOwner } from './owners.js';
import { compareText } from '../order.js';

/** Options of {@link plan}. */
export interface PlanOptions {
  /** The plan's `generatedAt`; defaults to now. Fix it for reproducible output. */
  readonly generatedAt?: string;
  /**
   * The size in characters every trust the plan writes must keep under: IAM's default quota (2,048),
   * or the account's raised quota, at most 4,096. A role whose current trust is larger shows its
   * account's quota is at least that.
   */
  readonly trustPolicyLimit?: number;
}

/** The resource types `--format terraform` declares at its root module. */
const ROOT_TYPES: ReadonlySet<string> = new Set(['aws_eks_addon', 'aws_eks_pod_identity_association', 'aws_iam_role', 'aws_iam_role_policy']);

function hasAgent(ctx: InventoryIndexes, cluster: Cluster): boolean {
  if (cluster.autoMode) return true;
  if ((ctx.addonsByCluster.get(cluster.arn) ?? []).some((a) => a.name === AGENT_ADDON)) return true;
  return (cluster.kubernetes?.workloads ?? []).some((w) => w.kind === 'DaemonSet' && w.namespace === 'kube-system' && w.name === AGENT_ADDON);
}

function toAssociation(c: Candidate, ctx: InventoryIndexes): PlannedAssociation {
  return {
    cluster: c.cluster.name,
    clusterArn: c.cluster.arn,
    accountId: c.cluster.accountId,
    region: c.cluster.region,
    namespace: c.identity.namespace,
    serviceAccount: c.identity.serviceAccount,
    currentRoleArn: c.annotatedRoleArn,
    roleArn: c.chainRoleArn ?? c.annotatedRoleArn,
    targetRoleArn: c.chainRoleArn ? c.annotatedRoleArn : null,
    via: c.via,
    addon: c.addon?.name ?? null,
    status: c.decision.kind,
    reasons: [...new Set(c.decision.reasons)],
    workloads: c.workloads,
    podCount: c.podCount,
    existingAssociationId: c.existing?.associationId ?? null,
    ...associationOwner(c, ctx),
  };
}

/**
 * Plans the migration from IRSA to EKS Pod Identity for everything in the inventory, or in the
 * inventory of an {@link Analysis} (whose look-up tables and trust oracle the audit and the report of
 * the same inventory then reuse). Pure and synchronous: no I/O, the same inventory always yields the
 * same plan.
 */
export function plan(source: Inventory | Analysis, options: PlanOptions = {}): Plan {
  const limit = options.trustPolicyLimit ?? TRUST_POLICY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRUST_POLICY_LIMIT)
    throw new RangeError(`trustPolicyLimit must be a whole number of characters from 1 to ${MAX_TRUST_POLICY_LIMIT}, not ${limit}`);
  const { inventory, indexes: ctx, oracle } = analysisOf(source);
  const rolePlanning = planRoles(ctx, oracle, planCandidates(ctx, oracle), limit);
  const findings: Finding[] = [...rolePlanning.candidates.flatMap((c) => c.decision.findings), ...rolePlanning.findings];

  const migratingClusters = new Map(rolePlanning.candidates.filter(isMigrating).map((c) => [c.cluster.arn, c.cluster]));
  const agentMissing = [...migratingClusters.values()].filter((c) => !hasAgent(ctx, c)).sort((a, b) => compareText(a.name, b.name));
  for (const c of agentMissing)
    findings.push({
      rule: R.agentMissing.id,
      severity: R.agentMissing.severity,
      cluster: c.name,
      message: `${c.name} has no eks-pod-identity-agent add-on or DaemonSet and is not in Auto Mode`,
    });
  const agents = [...migratingClusters.values()].flatMap((c): PlannedAgent[] => {
    const addon = (ctx.addonsByCluster.get(c.arn) ?? []).find((a) => a.name === AGENT_ADDON);
    const owner = addon ? ctx.owners.addon(addon) : undefined;
    return owner?.kind === 'terraform' ? [{ cluster: c.name, clusterArn: c.arn, accountId: c.accountId, region: c.region, owner }] : [];
  });
  const terraformRoot = (inventory.owners?.terraform ?? [])
    .filter((t) => t.module === null && ROOT_TYPES.has(t.type))
    .map((t) => ({ workspace: t.workspace, address: t.address, type: t.type }))
    .sort((a, b) => compareText(`${a.workspace}|${a.address}`, `${b.workspace}|${b.address}`));
  const needsAgent = (c: Candidate) => isMigrating(c) && agentMissing.includes(c.cluster) && !c.decision.reasons.includes(R.agentMissing.id);
  const candidates = rolePlanning.candidates.map((c) => (needsAgent(c) ? notedBy(c, R.agentMissing) : c));
  for (const g of inventory.scanGaps) {
    findings.push({
      rule: R.scanGap.id,
      severity: R.scanGap.severity,
      ...(g.scope === 'cluster' ? { cluster: g.name } : {}),
      message: `${g.scope} ${g.name}${g.region ? ` (${g.region})` : ''} could not be read: ${g.error}`,
    });
  }
  for (const c of ctx.clusters.filter((c) => !c.kubernetes)) {
    findings.push({
      rule: R.clusterNotScanned.id,
      severity: R.clusterNotScanned.severity,
      cluster: c.name,
      message: `${c.name} (${c.arn}) has no Kubernetes evidence`,
    });
  }

  const roles = rolePlanning.roles.map((r) => withRoleOwner(r, ctx));
  findings.push(...ownerFindings(roles, candidates, ctx));
  const associations = candidates.map((c) => toAssociation(c, ctx));
  const allFindings = mergeFindings(findings);
  const identities = Object.fromEntries(ASSOCIATION_STATUSES.map((s) => [s, 0])) as Record<AssociationStatus, number>;
  for (const a of associations) identities[a.status]++;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of allFindings) bySeverity[f.severity]++;
  const scanned = ctx.clusters.filter((c) => c.kubernetes);
  const result: Plan = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    generatedAt: options.generatedAt ?? new Date().toISOString(),
    summary: {
      accounts: [...new Set([...inventory.roles.map((r) => r.accountId), ...ctx.clusters.map((c) => c.accountId)])].sort(),
      regions: [...new Set(ctx.clusters.map((c) => c.region))].sort(),
      clusters: ctx.clusters.length,
      clustersScanned: scanned.length,
      serviceAccounts: scanned.reduce((n, c) => n + (c.kubernetes?.serviceAccounts.length ?? 0), 0),
      annotatedServiceAccounts: associations.length,
      roles: inventory.roles.length,
      rolesChanged: rolePlanning.roles.filter((r) => r.changed && r.kind === 'existing').length,
      rolesCreated: rolePlanning.roles.filter((r) => r.kind === 'new').length,
      identities,
      findings: bySeverity,
      allEquivalent: rolePlanning.roles.every((r) => r.equivalent),
    },
    associations,
    roles,
    findings: allFindings,
    steps: planSteps(candidates, roles, agentMissing),
    ...(agents.length > 0 ? { agents: [...agents].sort((a, b) => compareText(a.clusterArn, b.clusterArn)) } : {}),
    ...(terraformRoot.length > 0 ? { terraformRoot } : {}),
  };
  return result;
}
