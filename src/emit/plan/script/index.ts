/**
 * `--format script`: the plan as reviewed bash scripts — `migrate.sh` (in phases), `finalize.sh`
 * and `rollback.sh` — plus the trust documents they apply.
 *
 * The planner blocks an identity whose names break the AWS / Kubernetes naming rules (`unsafe-name`);
 * every value that reaches a script is checked against them once more as a last resort (an
 * {@link InputError} names a value that fails), then single-quoted by the templates.
 * @module
 */
import type { PolicyDocument } from '../../../iam/policy.js';
import type { Plan, PlannedAssociation, PlannedRole } from '../../../plan/model.js';
import { checkName, checkPlannedAssociation, checkPlannedRole } from '../../names.js';
import type { EmittedFile, Emitter } from '../../types.js';
import { renderTemplate } from '../../templates.js';
import { push } from '../../../group.js';
import { compareText } from '../../../order.js';
import { InputError } from '../../../errors.js';
import { describeOwner } from '../../../analysis/owners.js';
import { MAX_TEMPLATE_BODY_BYTES } from '../../../analysis/stack-template.js';
import { sortedKeys, withTrust } from './stack-template.js';

/**
 * A document as the AWS CLI prints it with `--output json` (4-space indent, keys in order), so a
 * script can tell by a text comparison whether a role's live trust is at a phase.
 */
export function cliJson(doc: PolicyDocument | null): string {
  return `${JSON.stringify(doc, null, 4)}\n`;
}

function isMigrating(a: PlannedAssociation): boolean {
  return a.status === 'create' || a.status === 'exists';
}

function identityKey(a: Pick<PlannedAssociation, 'cluster' | 'namespace' | 'serviceAccount'>): string {
  return `${a.cluster}/${a.namespace}/${a.serviceAccount}`;
}

function changes(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** The migrated identities (`cluster/namespace/serviceAccount`) a role serves after the migration. */
function identitiesOf(r: PlannedRole, migrated: ReadonlySet<string>): string[] {
  return r.migrated.filter((m) => migrated.has(m)).sort();
}

/**
 * The scripts tell clusters apart by name alone (`--cluster`, the `cluster/namespace/serviceAccount`
 * keys of their state), so a plan with two clusters of one name
 * (in other regions or accounts) is refused rather than acted on as if they were one.
 */
function refuseSharedClusterNames(clusters: Iterable<ScriptCluster>): void {
  const byName = new Map<string, string[]>();
  for (const c of clusters) push(byName, c.name, `${c.account} ${c.region}`);
  const shared = [...byName.entries()].filter(([, where]) => where.length > 1).sort(([a], [b]) => compareText(a, b));
  if (shared.length === 0) return;
  const listed = shared.map(([name, where]) => `${JSON.stringify(name)} in ${[...where].sort(compareText).join(' and ')}`).join('; ');
  throw new InputError(
    `refusing to emit: clusters ${listed} share a name, and the scripts tell clusters apart by name only (--cluster, state/); use --format json or --format terraform, or plan one region (or account) at a time`,
  );
}

/** A cluster the scripts act on; `arn` is how they find its kubeconfig context. */
interface ScriptCluster {
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
}

const PARTITION = /^aws(-[a-z]+)*$/;

/** The cluster, once its ARN is the one EKS gives a cluster of that name, account and region. */
function scriptCluster(arn: string, name: string, account: string, region: string, where: string): ScriptCluster {
  const partition = arn.split(':')[1] ?? '';
  if (!PARTITION.test(partition) || arn !== `arn:${partition}:eks:${region}:${account}:cluster/${name}`) {
    throw new InputError(`refusing to emit: ${where}: ${JSON.stringify(arn)} is not the ARN of EKS cluster ${name} in ${account} ${region}`);
  }
  return { name, arn, account, region };
}

const PHASES = ['current', 'transition', 'final'] as const;

/**
 * The stack's template at each phase of a stack-owned role's trust: as the AWS CLI prints `get-template`'s
 * `TemplateBody` (`stack/<account>-<role>.<phase>.json`, compared with the live template) and compact, as the
 * change set's `TemplateBody` (`….body.json`). At `current` the template is the evidence's own.
 */
function stackFiles(r: PlannedRole, base: string): EmittedFile[] {
  const template = r.stack?.template;
  if (!r.stack || !template)
    throw new InputError(
      `refusing to emit: role ${r.arn} belongs to a stack whose template the plan does not hold, so its trust cannot be changed through the stack`,
    );
  const { logicalId } = r.stack;
  return PHASES.flatMap((p) => {
    const t = p === 'current' ? template : withTrust(template, logicalId, r.trustPolicy[p], `role ${r.arn}`);
    const body = JSON.stringify(t);
    if (Buffer.byteLength(body) > MAX_TEMPLATE_BODY_BYTES)
      throw new InputError(`refusing to emit: role ${r.arn}: the ${p} template of stack ${r.stack?.name ?? ''} has over ${MAX_TEMPLATE_BODY_BYTES} bytes`);
    return [
      { path: `stack/${base}.${p}.json`, content: cliJson(t as unknown as PolicyDocument) },
      { path: `stack/${base}.${p}.body.json`, content: `${body}\n` },
    ];
  });
}

/** The lowest AWS CLI versions (1 and 2) that have what the scripts call, by what they call. */
const CLI_MINIMUMS = {
  podIdentity: { what: 'EKS Pod Identity commands', v1: '1.30.7', v2: '2.13.39' },
  targetRole: { what: 'create-pod-identity-association --target-role-arn', v1: '1.40.34', v2: '2.27.34' },
  addonAssociations: { what: 'update-addon --pod-identity-associations', v1: '1.33.0', v2: '2.16.0' },
} as const;

/** The plan as bash scripts and the documents they apply. */
export const emitScript: Emitter = (plan: Plan) => {
  const migrating = plan.associations.filter(isMigrating);
  migrating.forEach(checkPlannedAssociation);
  const agentSteps = plan.steps.filter((s) => s.action === 'install-agent');

  const clusterMap = new Map<string, ScriptCluster>();
  for (const a of migrating) clusterMap.set(a.clusterArn, scriptCluster(a.clusterArn, a.cluster, a.accountId, a.region, `${identityKey(a)}: clusterArn`));
  const agents = agentSteps.map((s) => {
    const [, , , region = '', account = ''] = s.clusterArn.split(':');
    const where = `install-agent step ${s.id}`;
    const agent = {
      cluster: checkName('cluster', s.cluster, `${where}: cluster`),
      account: checkName('account', account, `${where}: account`),
      region: checkName('region', region, `${where}: region`),
    };
    clusterMap.set(s.clusterArn, scriptCluster(s.clusterArn, agent.cluster, agent.account, agent.region, `${where}: clusterArn`));
    return agent;
  });
  refuseSharedClusterNames(clusterMap.values());
  const clusters = [...clusterMap.values()].sort((a, b) => compareText(a.name, b.name) || compareText(a.account, b.account) || compareText(a.region, b.region));
  const migratedKeys = new Set(migrating.map(identityKey));

  // Roles whose trust the scripts touch, and the chaining roles they create.
  const touched = plan.roles.filter(
    (r) => r.kind === 'new' || changes(r.trustPolicy.current, r.trustPolicy.transition) || changes(r.trustPolicy.transition, r.trustPolicy.final),
  );
  touched.forEach(checkPlannedRole);
  const base = (r: PlannedRole) => `${r.accountId}-${r.name}`;
  const files: EmittedFile[] = [];
  const newRoles = touched
    .filter((r) => r.kind === 'new')
    .map((r) => {
      const trustFile = `roles/${base(r)}.trust.json`;
      const policyFile = `roles/${base(r)}.permissions.json`;
      files.push({ path: trustFile, content: cliJson(r.trustPolicy.transition) }, { path: policyFile, content: cliJson(r.permissionsPolicy) });
      return { account: r.accountId, name: r.name, path: r.path, trustFile, policyFile, identities: identitiesOf(r, migratedKeys) };
    });
  const existing = touched.filter((r) => r.kind === 'existing' && r.trustPolicy.current);
  const roleOwners: { key: string; kind: 'stack' | 'terraform'; stack: string; region: string; logicalId: string; describe: string }[] = [];
  for (const r of existing) {
    for (const p of PHASES) files.push({ path: `trust/${base(r)}.${p}.json`, content: cliJson(r.trustPolicy[p]) });
    const owner = r.owner;
    if (owner?.kind === 'terraform') {
      for (const p of PHASES)
        files.push({ path: `trust/${base(r)}.${p}.terraform.json`, content: `${JSON.stringify(sortedKeys(r.trustPolicy[p]), null, 4)}\n` });
      roleOwners.push({ key: `${r.accountId}|${r.name}`, kind: 'terraform', stack: '', region: '', logicalId: '', describe: describeOwner(owner) });
    } else if (owner?.kind === 'cloudformation' || owner?.kind === 'eksctl') {
      files.push(...stackFiles(r, base(r)));
      const stack = r.stack;
      if (!stack) throw new InputError(`refusing to emit: role ${r.arn}: its stack is not in the plan`);
      roleOwners.push({
        key: `${r.accountId}|${r.name}`,
        kind: 'stack',
        stack: checkName('stack', stack.name, `role ${r.arn}: stack`),
        region: checkName('region', stack.region, `role ${r.arn}: stack region`),
        logicalId: checkName('logicalId', stack.logicalId, `role ${r.arn}: logical ID`),
        describe: describeOwner(owner),
      });
    }
  }
  const roleEntry = (r: PlannedRole) => ({
    account: r.accountId,
    name: r.name,
    arn: r.arn,
    currentFile: `trust/${base(r)}.current.json`,
    transitionFile: `trust/${base(r)}.transition.json`,
    finalFile: `trust/${base(r)}.final.json`,
    identities: identitiesOf(r, migratedKeys),
  });
  const transitionRoles = existing.filter((r) => changes(r.trustPolicy.current, r.trustPolicy.transition)).map(roleEntry);
  const finalRoles = existing.filter((r) => changes(r.trustPolicy.transition, r.trustPolicy.final)).map(roleEntry);
  const backupRoles = existing.map(roleEntry);

  const associations = migrating
    .filter((a) => a.via === 'association')
    .map((a) => ({
      account: a.accountId,
      region: a.region,
      cluster: a.cluster,
      namespace: a.namespace,
      serviceAccount: a.serviceAccount,
      roleArn: a.roleArn,
      targetRoleArn: a.targetRoleArn ?? '',
      status: a.status,
    }));

  const addonGroups = new Map<string, { readonly first: PlannedAssociation; readonly addon: string; readonly group: PlannedAssociation[] }>();
  for (const a of migrating) {
    if (a.via !== 'addon' || !a.addon) continue;
    const key = `${a.clusterArn}|${a.addon}`;
    const known = addonGroups.get(key);
    if (known) known.group.push(a);
    else addonGroups.set(key, { first: a, addon: a.addon, group: [a] });
  }
  const addons = [...addonGroups.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, { first, addon, group }]) => {
      return {
        account: first.accountId,
        region: first.region,
        cluster: first.cluster,
        addon,
        terraform: first.owner?.kind === 'terraform' ? describeOwner(first.owner) : '',
        pairs: [...group].sort((a, b) => compareText(a.serviceAccount, b.serviceAccount)).map((a) => `${a.namespace}/${a.serviceAccount}=${a.roleArn}`),
      };
    });

  const trustsOf = new Map<string, string[]>();
  for (const r of newRoles) for (const key of r.identities) push(trustsOf, key, `${r.account}|${r.name}|${r.trustFile}|${r.trustFile}`);
  for (const r of transitionRoles) for (const key of r.identities) push(trustsOf, key, `${r.account}|${r.name}|${r.transitionFile}|${r.finalFile}`);
  const identities = migrating.map((a) => ({
    key: identityKey(a),
    trusts: trustsOf.get(identityKey(a)) ?? [],
    cluster: a.cluster,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    annotation: a.currentRoleArn,
    account: a.accountId,
    region: a.region,
    roleArn: a.roleArn,
    targetRoleArn: a.targetRoleArn ?? '',
    addon: a.via === 'addon' ? (a.addon ?? '') : '',
    addonOwner: a.via === 'addon' && a.owner?.kind === 'terraform' ? describeOwner(a.owner) : '',
    workloads: a.workloads.map((w) => `${w.kind}/${w.name}`),
  }));

  const accounts = [...new Set([...clusters.map((c) => c.account), ...touched.map((r) => r.accountId)])].sort();
  const notMigrated = plan.associations
    .filter((a) => !isMigrating(a))
    .map((a) => ({ identity: identityKey(a), status: a.status, reasons: a.reasons.join(', ') || 'none given' }));

  const cliNeeds = [
    ...(identities.length > 0 ? [CLI_MINIMUMS.podIdentity] : []),
    ...(associations.some((a) => a.targetRoleArn !== '') ? [CLI_MINIMUMS.targetRole] : []),
    ...(addons.length > 0 ? [CLI_MINIMUMS.addonAssociations] : []),
  ];
  const ctx = {
    clusters,
    accounts,
    cliNeeds,
    agents,
    newRoles,
    transitionRoles,
    finalRoles,
    backupRoles,
    roleOwners,
    associations,
    addons,
    identities,
    notMigrated,
    summary: plan.summary,
  };
  files.unshift(
    { path: 'migrate.sh', content: renderTemplate('scripts', 'migrate.sh', ctx), mode: 0o755 },
    { path: 'finalize.sh', content: renderTemplate('scripts', 'finalize.sh', ctx), mode: 0o755 },
    { path: 'rollback.sh', content: renderTemplate('scripts', 'rollback.sh', ctx), mode: 0o755 },
    { path: 'README.md', content: renderTemplate('scripts', 'README.md', ctx) },
  );
  return { kind: 'files', files };
};
