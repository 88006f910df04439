/**
 * `--format terraform`: the plan as a Terraform configuration directory.
 *
 * Terraform owns the end state of what the migration adds (associations, add-on associations, the
 * agent add-on, same-account chaining roles) and adopts what already exists with `import {}`
 * blocks. It never declares an existing role: trust changes come as `aws_iam_policy_document` data
 * sources for the role's own configuration to merge, plus full trust JSON files. What a given
 * Terraform state owns is left out of it and written for the owner, at its address (owners.ts).
 * @module
 */
import type { PolicyDocument, RawStatement } from '../../../iam/policy.js';
import type { Plan, PlannedAssociation, PlannedRole } from '../../../plan/model.js';
import { checkPlannedAssociation, checkPlannedRole, commentText, fileComponent, uniqueIdentifiers } from '../../names.js';
import { renderTemplate } from '../../templates.js';
import type { EmittedFile, Emitter } from '../../types.js';
import { alignAssignments } from './align.js';
import { namesKeepingState, rootName } from './kept-names.js';
import { compareText } from '../../../order.js';
import { got } from '../../lookup.js';
import { ownedByTerraform, ownerFiles, terraformOwner } from './owners.js';

/** Provider versions: the first that has each feature the output uses. */
export const PROVIDER_VERSIONS = {
  podIdentityAssociation: '5.29.0',
  addonPodIdentityAssociation: '5.75.0',
  targetRoleArn: '6.2.0',
} as const;

const AGENT_ADDON = 'eks-pod-identity-agent';

interface HclCondition {
  test: string;
  variable: string;
  values: string[];
}
interface HclPrincipals {
  type: string;
  identifiers: string[];
}
interface HclStatement {
  sid: string | null;
  effect: string;
  actions: string[] | null;
  notActions: string[] | null;
  resources: string[] | null;
  principals: HclPrincipals[];
  notPrincipals: HclPrincipals[];
  conditions: HclCondition[];
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

function principalsOf(value: unknown): HclPrincipals[] {
  if (value === undefined) return [];
  if (value === '*') return [{ type: '*', identifiers: ['*'] }];
  if (typeof value !== 'object' || value === null) return [{ type: 'AWS', identifiers: list(value) }];
  return Object.entries(value as Record<string, unknown>).map(([type, ids]) => ({ type, identifiers: list(ids) }));
}

/** One IAM statement as the blocks of an `aws_iam_policy_document` statement. */
export function hclStatement(s: RawStatement): HclStatement {
  const raw = s as unknown as Record<string, unknown>;
  const conditions: HclCondition[] = [];
  for (const [test, byKey] of Object.entries((raw.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [variable, values] of Object.entries(byKey)) conditions.push({ test, variable, values: list(values) });
  }
  return {
    sid: typeof raw.Sid === 'string' ? raw.Sid : null,
    effect: typeof raw.Effect === 'string' ? raw.Effect : 'Allow',
    actions: raw.Action === undefined ? null : list(raw.Action),
    notActions: raw.NotAction === undefined ? null : list(raw.NotAction),
    resources: raw.Resource === undefined ? null : list(raw.Resource),
    principals: principalsOf(raw.Principal),
    notPrincipals: principalsOf(raw.NotPrincipal),
    conditions,
  };
}

function statementsOf(doc: PolicyDocument | null): RawStatement[] {
  if (!doc) return [];
  const s = (doc as unknown as { Statement?: unknown }).Statement;
  return (Array.isArray(s) ? s : s ? [s] : []) as RawStatement[];
}

/** The statements of `transition` that `current` does not have: what the migration adds. */
export function addedStatements(role: PlannedRole): RawStatement[] {
  const current = new Set(statementsOf(role.trustPolicy.current).map((s) => JSON.stringify(s)));
  return statementsOf(role.trustPolicy.transition).filter((s) => !current.has(JSON.stringify(s)));
}

/** `trust/<account>-<role name>` (without the phase suffix). */
export function trustFileBase(role: Pick<PlannedRole, 'accountId' | 'name'>): string {
  return `trust/${fileComponent(role.accountId)}-${fileComponent(role.name)}`;
}

function identityLabel(a: PlannedAssociation): string {
  return `${a.cluster}/${a.namespace}/${a.serviceAccount}`;
}

function pretty(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Whether a trust changes between phases (so the files and data source are worth emitting). */
function trustChanges(r: PlannedRole): boolean {
  const t = r.trustPolicy;
  return JSON.stringify(t.current) !== JSON.stringify(t.transition) || JSON.stringify(t.transition) !== JSON.stringify(t.final);
}

/** The plan as a Terraform directory: versions, providers, associations, add-ons, roles, trust. */
export const emitTerraform: Emitter = (plan: Plan) => {
  plan.associations.filter((a) => a.status === 'create' || a.status === 'exists').forEach(checkPlannedAssociation);
  plan.roles.filter((r) => r.changed || r.kind === 'new').forEach(checkPlannedRole);
  const accountsRegions = new Map<string, Set<string>>();
  const note = (account: string, region: string) => accountsRegions.set(account, new Set([...(accountsRegions.get(account) ?? []), region]));
  const defaultRegion = [...plan.summary.regions].sort()[0] ?? 'us-east-1';
  for (const a of plan.associations) note(a.accountId, a.region);
  for (const g of plan.agents ?? []) note(g.accountId, g.region);
  for (const s of plan.steps)
    if (s.action === 'install-agent' && s.clusterArn) note(s.clusterArn.split(':')[4] ?? '', s.clusterArn.split(':')[3] ?? defaultRegion);
  const iamRegion = (account: string) => [...(accountsRegions.get(account) ?? [])].sort()[0] ?? defaultRegion;
  for (const r of plan.roles) note(r.accountId, iamRegion(r.accountId));

  // Provider aliases, one per (account, region).
  const providerKeys = [...accountsRegions.entries()]
    .flatMap(([account, regions]) => [...regions].map((region) => ({ account, region, key: `${account}|${region}` })))
    .sort((a, b) => compareText(a.key, b.key));
  const providerNames = uniqueIdentifiers(providerKeys.map((p) => ({ key: p.key, label: `acct_${p.account}_${p.region.replace(/-/g, '_')}` })));
  const provider = (account: string, region: string) => got(providerNames, `${account}|${region}`);

  // Chaining roles: those the plan creates, and those an earlier run created (adopted), which the
  // configuration keeps declaring, since leaving them out would make its next apply destroy them;
  // one another Terraform state holds at another address is left to it.
  const roleNames = namesKeepingState(plan.roles.map((r) => ({ key: r.arn, label: r.name, held: rootName(terraformOwner(r), 'aws_iam_role') })));
  const newRoles = plan.roles.filter((r) => {
    if (r.kind === 'new') return true;
    if (r.chainsTo === null) return false;
    const owner = terraformOwner(r);
    return owner === undefined || (owner.module === null && owner.address === `aws_iam_role.${got(roleNames, r.arn)}`);
  });
  const newRoleRef = new Map(newRoles.map((r) => [r.arn, got(roleNames, r.arn)]));

  // Standalone associations: create, and exists (imported). One that another Terraform state holds is
  // left to it, unless the state is this configuration's own (the address it gives the association).
  const assocKey = (a: PlannedAssociation) => `${a.clusterArn}|${a.namespace}|${a.serviceAccount}`;
  const assocCandidates = plan.associations.filter(
    (a) => a.via === 'association' && (a.status === 'create' || (a.status === 'exists' && a.existingAssociationId)),
  );
  const assocNames = namesKeepingState(
    assocCandidates.map((a) => ({
      key: assocKey(a),
      label: `${a.cluster}_${a.namespace}_${a.serviceAccount}`,
      held: rootName(terraformOwner(a), 'aws_eks_pod_identity_association'),
    })),
  );
  const ownState = (a: PlannedAssociation, address: string) => {
    const owner = terraformOwner(a);
    return owner !== undefined && owner.module === null && owner.address === address;
  };
  const inRoot = new Set<PlannedAssociation>();
  const standalone = assocCandidates.filter(
    (a) => !terraformOwner(a) || a.status !== 'exists' || ownState(a, `aws_eks_pod_identity_association.${got(assocNames, assocKey(a))}`),
  );
  standalone.forEach((a) => inRoot.add(a));
  const associations = standalone.map((a) => ({
    name: got(assocNames, assocKey(a)),
    provider: provider(a.accountId, a.region),
    identity: identityLabel(a),
    status: a.status,
    cluster: a.cluster,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    roleRef: newRoleRef.get(a.roleArn) ?? null,
    roleArn: a.roleArn,
    targetRoleArn: a.targetRoleArn,
    importId: a.status === 'exists' && a.existingAssociationId ? `${a.cluster},${a.existingAssociationId}` : null,
    workloads: a.workloads.map((w) => `${w.kind}/${w.name}`).join(', ') || 'none',
  }));

  // Add-ons: associations through an add-on, grouped per (cluster, add-on); plus agent installs.
  const addonGroups = new Map<string, { readonly first: PlannedAssociation; readonly addon: string; readonly group: PlannedAssociation[] }>();
  for (const a of plan.associations) {
    if (a.via !== 'addon' || !a.addon || (a.status !== 'create' && a.status !== 'exists')) continue;
    const key = `${a.clusterArn}|${a.addon}`;
    const known = addonGroups.get(key);
    if (known) known.group.push(a);
    else addonGroups.set(key, { first: a, addon: a.addon, group: [a] });
  }
  const agentSteps = plan.steps.filter((s) => s.action === 'install-agent').filter((s) => s.cluster !== '' && s.clusterArn !== '');
  // An agent an earlier run installed: this configuration's own state holds it, so it stays declared.
  const agentLabel = (cluster: string) => `${cluster}_${AGENT_ADDON}`;
  const keptAgents = (plan.agents ?? []).filter((g) => {
    const held = rootName(terraformOwner(g), 'aws_eks_addon');
    return held !== undefined && namesKeepingState([{ key: g.clusterArn, label: agentLabel(g.cluster), held }]).get(g.clusterArn) === held;
  });
  const addonKeys = [
    ...keptAgents.map((g) => ({ key: `${g.clusterArn}|${AGENT_ADDON}`, label: agentLabel(g.cluster), held: rootName(terraformOwner(g), 'aws_eks_addon') })),
    ...[...addonGroups.entries()].map(([key, { first, addon }]) => ({
      key,
      label: `${first.cluster}_${addon}`,
      held: rootName(terraformOwner(first), 'aws_eks_addon'),
    })),
    ...agentSteps.map((s) => ({ key: `${s.clusterArn}|${AGENT_ADDON}`, label: `${s.cluster}_${AGENT_ADDON}` })),
  ];
  const addonNames = namesKeepingState(addonKeys);
  for (const [key, { first }] of [...addonGroups.entries()])
    if (ownedByTerraform(first) && !ownState(first, `aws_eks_addon.${got(addonNames, key)}`)) addonGroups.delete(key);
  for (const { group } of addonGroups.values()) group.forEach((a) => inRoot.add(a));
  const addons = [...addonGroups.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([key, { first, addon, group }]) => {
      return {
        name: got(addonNames, key),
        provider: provider(first.accountId, first.region),
        cluster: first.cluster,
        addon,
        importId: `${first.cluster}:${addon}`,
        associations: [...group]
          .sort((a, b) => compareText(a.serviceAccount, b.serviceAccount))
          .map((a) => ({
            serviceAccount: a.serviceAccount,
            roleArn: a.roleArn,
            identity: identityLabel(a),
            status: a.status,
            pair: `${a.serviceAccount} ${a.roleArn}`,
          })),
      };
    });
  const agents = [
    ...agentSteps.map((s) => {
      const [, , , region = defaultRegion, account = ''] = s.clusterArn.split(':');
      return {
        name: got(addonNames, `${s.clusterArn}|${AGENT_ADDON}`),
        provider: provider(account, region),
        cluster: s.cluster,
        addon: AGENT_ADDON,
        importId: null,
      };
    }),
    ...keptAgents.map((g) => ({
      name: got(addonNames, `${g.clusterArn}|${AGENT_ADDON}`),
      provider: provider(g.accountId, g.region),
      cluster: g.cluster,
      addon: AGENT_ADDON,
      importId: `${g.cluster}:${AGENT_ADDON}`,
    })),
  ];

  // Roles: new chaining roles as resources; inline permissions for every role that has them.
  const roles = newRoles.map((r) => ({
    name: got(newRoleRef, r.arn),
    provider: provider(r.accountId, iamRegion(r.accountId)),
    arn: r.arn,
    roleName: r.name,
    path: r.path,
    chainsTo: r.chainsTo,
    trust: JSON.stringify(r.trustPolicy.transition),
    importId: r.kind === 'existing' ? r.name : null,
  }));
  const rolePolicies = plan.roles
    .filter((r) => r.permissionsPolicy)
    .map((r) => ({
      name: got(roleNames, r.arn),
      provider: provider(r.accountId, iamRegion(r.accountId)),
      roleRef: newRoleRef.get(r.arn) ?? null,
      roleName: r.name,
      policy: JSON.stringify(r.permissionsPolicy),
    }));

  // Trust of existing roles: the added statements as a data source, full phases as files.
  const trustRoles = plan.roles.filter((r) => r.kind === 'existing' && !newRoleRef.has(r.arn) && trustChanges(r));
  const trust = trustRoles.map((r) => ({
    name: got(roleNames, r.arn),
    provider: provider(r.accountId, iamRegion(r.accountId)),
    arn: r.arn,
    migrated: r.migrated.join(', '),
    transitionFile: `${trustFileBase(r)}.transition.json`,
    finalFile: `${trustFileBase(r)}.final.json`,
    statements: addedStatements(r).map(hclStatement),
  }));
  const trustWithStatements = trust.filter((t) => t.statements.length > 0);
  const owners = ownerFiles({ plan, trustRoles, trustFileBase, inRoot: (a) => inRoot.has(a) });

  // Identities that get nothing: comments saying why.
  const findingsFor = (a: PlannedAssociation) =>
    plan.findings.filter((f) => f.cluster === a.cluster && f.namespace === a.namespace && f.serviceAccount === a.serviceAccount).map((f) => f.message);
  const notes = plan.associations
    .filter(
      (a) =>
        a.status === 'blocked' ||
        a.status === 'conflict' ||
        a.status === 'skipped' ||
        (a.status === 'exists' && a.via === 'association' && !a.existingAssociationId && !terraformOwner(a)),
    )
    .map((a) => ({
      identity: commentText(identityLabel(a)),
      status: a.status,
      role: commentText(a.currentRoleArn),
      reasons: commentText(a.reasons.join(', ') || 'none given'),
      details: findingsFor(a).map(commentText),
    }));

  // What this configuration's own state holds at the root module and it no longer declares: Terraform
  // forgets it (removed {}, destroy = false) rather than destroying it. Its own state is any given
  // state holding something at an address it declares.
  const declared = new Set([
    ...associations.map((a) => `aws_eks_pod_identity_association.${a.name}`),
    ...addons.map((a) => `aws_eks_addon.${a.name}`),
    ...agents.map((a) => `aws_eks_addon.${a.name}`),
    ...roles.map((r) => `aws_iam_role.${r.name}`),
    ...rolePolicies.map((p) => `aws_iam_role_policy.${p.name}`),
  ]);
  const stateRoot = plan.terraformRoot ?? [];
  const ownWorkspaces = new Set(stateRoot.filter((t) => declared.has(t.address)).map((t) => t.workspace));
  const removed = [
    ...new Set(stateRoot.filter((t) => ownWorkspaces.has(t.workspace) && !declared.has(t.address) && !t.address.includes('[')).map((t) => t.address)),
  ]
    .sort(compareText)
    .map((address) => {
      const [type = '', name = ''] = address.split('.');
      return { type, name };
    });

  const needs = {
    target: associations.some((a) => a.targetRoleArn),
    addon: addons.length > 0,
  };
  const providerVersion = needs.target
    ? PROVIDER_VERSIONS.targetRoleArn
    : needs.addon
      ? PROVIDER_VERSIONS.addonPodIdentityAssociation
      : PROVIDER_VERSIONS.podIdentityAssociation;
  const versionWhy = needs.target
    ? 'target_role_arn (cross-account chaining)'
    : needs.addon
      ? 'aws_eks_addon pod_identity_association'
      : 'aws_eks_pod_identity_association';

  const ctx = {
    providerVersion,
    providerConstraint: `>= ${providerVersion}`,
    versionWhy,
    providers: providerKeys.map((p) => ({ name: got(providerNames, p.key), account: p.account, region: p.region })),
    associations,
    addons,
    agents,
    roles,
    rolePolicies,
    trust,
    trustWithStatements,
    notes,
    hasTrust: trust.length > 0,
    chainTargets: roles
      .map((r) => r.name)
      .flatMap((n) => [`aws_iam_role.${n}`, ...(rolePolicies.some((p) => p.roleRef === n) ? [`aws_iam_role_policy.${n}`] : [])]),
    trustFiles: trust.map((t) => ({ arn: commentText(t.arn), transition: t.transitionFile, final: t.finalFile, migrated: commentText(t.migrated) })),
    adopted: [
      ...associations.filter((a) => a.importId).map((a) => `aws_eks_pod_identity_association.${a.name}`),
      ...addons.map((a) => `aws_eks_addon.${a.name}`),
      ...roles.filter((r) => r.importId).map((r) => `aws_iam_role.${r.name}`),
      ...agents.filter((a) => a.importId).map((a) => `aws_eks_addon.${a.name}`),
    ],
    createdAssociations: associations.filter((a) => !a.importId).map((a) => `aws_eks_pod_identity_association.${a.name}`),
    addonsWithCreated: addons.filter((a) => a.associations.some((x) => x.status === 'create')).map((a) => `aws_eks_addon.${a.name}`),
    agentAddresses: agents.filter((a) => !a.importId).map((a) => `aws_eks_addon.${a.name}`),
    removed,
    requiredVersionConstraint: removed.length > 0 ? '>= 1.7.0' : '>= 1.5.0',
    owners: owners.map((o) => ({ path: o.path, workspace: commentText(o.workspace), addresses: o.addresses })),
    summary: plan.summary,
  };

  const tf = (name: string): EmittedFile => ({ path: `${name}.tf`, content: alignAssignments(renderTemplate('terraform', `${name}.tf`, ctx)) });
  const files: EmittedFile[] = [
    tf('versions'),
    tf('providers'),
    tf('associations'),
    tf('addons'),
    tf('roles'),
    tf('trust'),
    { path: 'README.md', content: renderTemplate('terraform', 'README.md', ctx) },
  ];
  if (removed.length > 0) files.push(tf('removed'));
  for (const o of owners) files.push({ path: o.path, content: alignAssignments(renderTemplate('terraform', 'owner.tf', o)) });
  for (const r of trustRoles) {
    files.push({ path: `${trustFileBase(r)}.transition.json`, content: pretty(r.trustPolicy.transition) });
    files.push({ path: `${trustFileBase(r)}.final.json`, content: pretty(r.trustPolicy.final) });
  }
  return { kind: 'files', files };
};
