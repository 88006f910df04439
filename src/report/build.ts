import { groupFindings } from '../findings/merge.js';
import { SEVERITIES, type Finding, type Severity } from '../findings/model.js';
import { accountOf, roleNameAndPath } from '../iam/arn.js';
import { and, type Decision, type Tri } from '../iam/evaluate.js';
import type { Identity } from '../iam/requests.js';
import { analysisOf, type Analysis } from '../analysis/index.js';
import type { Cluster, Inventory, PodIdentityAssociation } from '../model/inventory.js';
import type { Plan } from '../plan/model.js';
import { rolePolicies } from '../rules/admin.js';
import { RuleContext } from '../rules/context.js';
import { audit, type RuleSettings } from '../rules/index.js';
import { REPORT_SCHEMA_VERSION, type Mechanism, type OpenRole, type Report, type ReportCluster, type ReportEvidenceFile, type RoleMapping } from './model.js';
import { compareText } from '../order.js';

/** Options of {@link buildReport}. */
export interface ReportOptions extends RuleSettings {
  /** The findings to report; defaults to `audit(inventory, plan)` (audit rules and the plan's findings). */
  readonly findings?: readonly Finding[];
  /** Defaults to the plan's `generatedAt`. */
  readonly generatedAt?: string;
}

/** A service account no cluster will ever have: probes whether a trust admits every service account. */
const PROBE_NAMESPACE = 'irsa2pi-probe-namespace';
const PROBE_SERVICE_ACCOUNT = 'irsa2pi-probe-service-account';

interface Draft {
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  irsa: Tri | null;
  podIdentity: Tri | null;
  association: PodIdentityAssociation | undefined;
  problems: string[];
}

function why(d: Decision, what: string): string {
  return d.decision === 'unknown' ? `${what}: cannot be evaluated (${d.unknownBecause.join('; ')})` : `${what}: trust does not admit it`;
}

function mechanismOf(irsa: boolean, podIdentity: boolean): Mechanism {
  return irsa && podIdentity ? 'both' : irsa ? 'IRSA' : 'Pod Identity';
}

function clusterMappings(ctx: RuleContext, cluster: Cluster): RoleMapping[] {
  const kube = cluster.kubernetes;
  if (!kube) return [];
  const drafts = new Map<string, Draft>();
  const draft = (namespace: string, serviceAccount: string, roleArn: string): Draft => {
    const key = JSON.stringify([namespace, serviceAccount, roleArn]);
    let d = drafts.get(key);
    if (!d) drafts.set(key, (d = { namespace, serviceAccount, roleArn, irsa: null, podIdentity: null, association: undefined, problems: [] }));
    return d;
  };
  const missing = (roleArn: string, d: Draft): Tri => {
    const account = accountOf(roleArn);
    if (account && !ctx.scannedRoleAccounts.has(account) && roleNameAndPath(roleArn)) {
      d.problems.push(`${roleArn}: account ${account} was not scanned`);
      return 'unknown';
    }
    d.problems.push(`${roleArn} does not exist`);
    return 'no';
  };

  for (const sa of kube.serviceAccounts) {
    if (!sa.roleArn) continue;
    const d = draft(sa.namespace, sa.name, sa.roleArn);
    const role = ctx.rolesByArn.get(sa.roleArn);
    if (!role) {
      d.irsa = missing(sa.roleArn, d);
      continue;
    }
    const identity = ctx.saIdentity(cluster, sa);
    const decision = ctx.irsa(role, identity);
    d.irsa = decision.decision;
    if (decision.decision !== 'yes') {
      const noProvider = identity.issuerHostPath && !ctx.oracle.providerExists(role.accountId, identity);
      d.problems.push(noProvider ? `IRSA: account ${role.accountId} has no OIDC provider for ${identity.issuerHostPath}` : why(decision, 'IRSA'));
    }
  }

  const saNames = new Map(kube.serviceAccounts.map((sa) => [`${sa.namespace}/${sa.name}`, sa]));
  for (const a of ctx.associations().filter((a) => a.clusterArn === cluster.arn)) {
    const effective = a.targetRoleArn ?? a.roleArn;
    const d = draft(a.namespace, a.serviceAccount, effective);
    d.association = a;
    const sa = saNames.get(`${a.namespace}/${a.serviceAccount}`);
    const identity: Identity = sa ? ctx.saIdentity(cluster, sa) : ctx.identity(cluster, a.namespace, a.serviceAccount);
    const role = ctx.rolesByArn.get(a.roleArn);
    if (!role) {
      d.podIdentity = missing(a.roleArn, d);
      continue;
    }
    const decision = ctx.podIdentity(role, identity, !a.disableSessionTags);
    let result = decision.decision;
    if (result !== 'yes') d.problems.push(why(decision, `Pod Identity (${a.associationId}${a.disableSessionTags ? ', session tags disabled' : ''})`));
    if (a.targetRoleArn) {
      const target = ctx.rolesByArn.get(a.targetRoleArn);
      if (!target) result = and(result, missing(a.targetRoleArn, d));
      else {
        const chain = ctx.oracle.chain(target.trustPolicy, a.roleArn, identity, !a.disableSessionTags);
        if (chain.decision !== 'yes') d.problems.push(why(chain, `chaining from ${a.roleArn}`));
        result = and(result, chain.decision);
      }
    }
    d.podIdentity = result;
  }

  const index = ctx.indexes.workloadsByCluster.get(cluster.arn);
  const managed = ctx.managedPolicies;
  const mappings = [...drafts.values()].map((d): RoleMapping => {
    const role = ctx.rolesByArn.get(d.roleArn);
    const exists = saNames.has(`${d.namespace}/${d.serviceAccount}`);
    const problems = exists ? d.problems : [`service account ${d.namespace}/${d.serviceAccount} does not exist`, ...d.problems];
    const works = { irsa: d.irsa === 'yes', podIdentity: d.podIdentity === 'yes' };
    const status = works.irsa || works.podIdentity ? 'active' : d.irsa === 'unknown' || d.podIdentity === 'unknown' ? 'unknown' : 'broken';
    const mechanism = status === 'active' ? mechanismOf(works.irsa, works.podIdentity) : mechanismOf(d.irsa !== null, d.podIdentity !== null);
    const policies = role ? rolePolicies(role, managed) : [];
    return {
      namespace: d.namespace,
      serviceAccount: d.serviceAccount,
      serviceAccountExists: exists,
      roleArn: d.roleArn,
      roleName: role?.name ?? roleNameAndPath(d.roleArn)?.name ?? d.roleArn,
      roleAccountId: role?.accountId ?? accountOf(d.roleArn) ?? '',
      roleFound: role !== undefined,
      mechanism,
      status,
      irsa: d.irsa,
      podIdentity: d.podIdentity,
      associationId: d.association?.associationId ?? null,
      viaRoleArn: d.association?.targetRoleArn ? d.association.roleArn : null,
      problems,
      workloads: index?.workloadsOf(d.namespace, d.serviceAccount) ?? [],
      podCount: index?.pods(d.namespace, d.serviceAccount).length ?? 0,
      policies,
      admin: policies.some((p) => p.admin),
      roleLastUsed: role?.lastUsed ? { date: role.lastUsed.date ?? null, region: role.lastUsed.region ?? null } : null,
    };
  });
  return mappings.sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.serviceAccount, b.serviceAccount) || compareText(a.roleArn, b.roleArn));
}

function openRoles(ctx: RuleContext, cluster: Cluster): OpenRole[] {
  if (!cluster.issuerHostPath) return [];
  const candidates = new Set(ctx.eksTrustStatementsOf(cluster.issuerHostPath).map((s) => s.role));
  const probe = ctx.identity(cluster, PROBE_NAMESPACE, PROBE_SERVICE_ACCOUNT);
  const managed = ctx.managedPolicies;
  return [...candidates]
    .filter((role) => ctx.irsa(role, probe).decision === 'yes')
    .map((role) => ({ roleArn: role.arn, roleName: role.name, admin: rolePolicies(role, managed).some((p) => p.admin) }))
    .sort((a, b) => compareText(a.roleArn, b.roleArn));
}

function reportCluster(ctx: RuleContext, cluster: Cluster): ReportCluster {
  return {
    name: cluster.name,
    arn: cluster.arn,
    accountId: cluster.accountId,
    region: cluster.region,
    version: cluster.version ?? null,
    platformVersion: cluster.platformVersion ?? null,
    issuer: cluster.issuer ?? null,
    scanned: cluster.kubernetes !== undefined,
    serviceAccounts: cluster.kubernetes?.serviceAccounts.length ?? 0,
    pods: cluster.kubernetes?.pods.length ?? 0,
    mappings: clusterMappings(ctx, cluster),
    openRoles: openRoles(ctx, cluster),
  };
}

/** Files a collector writes about the collection, whose times are not those of reading the estate. */
const NOT_COLLECTED: ReadonlySet<string> = new Set(['collection', 'scan-gaps']);

function evidence(inventory: Inventory): Report['evidence'] {
  const files: ReportEvidenceFile[] = inventory.evidence
    .map((e) => ({
      path: e.path,
      kind: e.kind,
      accountId: e.accountId ?? null,
      region: e.region ?? null,
      cluster: e.cluster ?? null,
      modifiedAt: e.modifiedAt ?? null,
      collectedAt: e.collectedAt ?? null,
    }))
    .sort((a, b) => compareText(a.path, b.path));
  const timed = files
    .filter((f) => !NOT_COLLECTED.has(f.kind))
    .flatMap((f): { at: string; by: 'collector' | 'file' }[] =>
      f.collectedAt ? [{ at: f.collectedAt, by: 'collector' }] : f.modifiedAt ? [{ at: f.modifiedAt, by: 'file' }] : [],
    );
  const times = timed.map((t) => t.at).sort((a, b) => Date.parse(a) - Date.parse(b) || compareText(a, b));
  const sources = new Set(timed.map((t) => t.by));
  const accounts = new Set([
    ...files.flatMap((f) => (f.accountId ? [f.accountId] : [])),
    ...inventory.clusters.map((c) => c.accountId),
    ...inventory.roles.map((r) => r.accountId),
  ]);
  const regions = new Set([...files.flatMap((f) => (f.region ? [f.region] : [])), ...inventory.clusters.map((c) => c.region)]);
  return {
    files,
    ignored: [...inventory.ignored].sort(),
    accounts: [...accounts].sort(),
    regions: [...regions].sort(),
    collectedFrom: times[0] ?? null,
    collectedTo: times[times.length - 1] ?? null,
    collectedTimes: sources.size > 1 ? 'mixed' : ([...sources][0] ?? null),
  };
}

/**
 * The auditor's report: for every cluster, which pods can act as which role today (IRSA and Pod
 * Identity), what those roles may do, the findings, the migration plan and the evidence.
 * Given the analysis the plan was made from, its look-up tables and trust oracle are reused.
 * Pure: the same inventory and plan always yield the same report.
 */
export function buildReport(source: Inventory | Analysis, plan: Plan, options: ReportOptions = {}): Report {
  const analysis = analysisOf(source);
  const { inventory } = analysis;
  const ctx = new RuleContext(analysis);
  const findings = options.findings
    ? [...options.findings]
    : audit(analysis, plan, { staleDays: options.staleDays, now: options.now ?? options.generatedAt ?? plan.generatedAt });
  const clusters = ctx.clusters.map((c) => reportCluster(ctx, c));
  const all = clusters.flatMap((c) => c.mappings);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: options.generatedAt ?? plan.generatedAt,
    summary: {
      accounts: plan.summary.accounts,
      regions: plan.summary.regions,
      clusters: clusters.length,
      clustersScanned: clusters.filter((c) => c.scanned).length,
      serviceAccounts: plan.summary.serviceAccounts,
      annotatedServiceAccounts: plan.summary.annotatedServiceAccounts,
      roles: inventory.roles.length,
      rolesInUse: new Set(all.filter((m) => m.status === 'active').map((m) => m.roleArn)).size,
      mappings: {
        active: all.filter((m) => m.status === 'active').length,
        broken: all.filter((m) => m.status === 'broken').length,
        unknown: all.filter((m) => m.status === 'unknown').length,
      },
      identities: plan.summary.identities,
      findings: bySeverity,
    },
    clusters,
    findings,
    findingGroups: groupFindings(findings),
    plan: { summary: plan.summary, steps: plan.steps },
    evidence: evidence(inventory),
  };
}
