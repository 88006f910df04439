import { asList, type PolicyDocument, type RawStatement } from '../../iam/policy.js';
import type { Plan, PlannedAssociation, PlannedRole } from '../../plan/model.js';
import { groupFindings } from '../../findings/merge.js';
import { findingGroupsView, severityCounts } from '../markdown-shared.js';
import { render } from '../templates.js';
import type { Emitter } from '../types.js';
import { compareText } from '../../order.js';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Statements of `to` absent from `from` (compared as canonical JSON, in `to`'s order). */
export function statementsAdded(from: PolicyDocument | null, to: PolicyDocument | null): RawStatement[] {
  const before = new Set(asList(from?.Statement).map(canonical));
  return asList(to?.Statement).filter((s) => !before.has(canonical(s)));
}

function roleView(r: PlannedRole) {
  const { current, transition, final } = r.trustPolicy;
  const diffs = [
    { title: 'Added for the transition (current → transition)', statements: statementsAdded(current, transition) },
    { title: 'Removed at finalization (transition → final)', statements: statementsAdded(final, transition) },
    { title: 'Added at finalization (transition → final)', statements: statementsAdded(transition, final) },
  ].filter((d) => d.statements.length > 0);
  return {
    ...r,
    migratedList: r.migrated,
    diffs,
    permissions: r.permissionsPolicy,
    differences: r.equivalence.differences.map((d) => `${d.phase} ${d.mechanism} ${d.identity}: expected ${d.expected}, got ${d.actual}`),
  };
}

function associationRow(a: PlannedAssociation) {
  return {
    ...a,
    associationRole: a.roleArn === a.currentRoleArn ? 'same' : a.roleArn,
    target: a.targetRoleArn ?? '-',
    viaText: a.via === 'addon' ? `add-on ${a.addon}` : 'association',
    reasonsText: a.reasons.join('\n') || '-',
    workloadsText: a.workloads.map((w) => `${w.kind}/${w.name}`).join('\n') || '-',
  };
}

/** The plan as the `plan-markdown` template reads it. */
export function planView(plan: Plan) {
  const clusters = new Map<string, { name: string; arn: string; accountId: string; region: string; rows: ReturnType<typeof associationRow>[] }>();
  for (const a of plan.associations) {
    let c = clusters.get(a.clusterArn);
    if (!c) clusters.set(a.clusterArn, (c = { name: a.cluster, arn: a.clusterArn, accountId: a.accountId, region: a.region, rows: [] }));
    c.rows.push(associationRow(a));
  }
  const sorted = [...clusters.values()].sort((a, b) => compareText(a.name, b.name) || compareText(a.arn, b.arn));
  for (const c of sorted) c.rows.sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.serviceAccount, b.serviceAccount));
  return {
    generatedAt: plan.generatedAt,
    schemaVersion: plan.schemaVersion,
    summary: { ...plan.summary, accountsText: plan.summary.accounts.join(', ') || '-', regionsText: plan.summary.regions.join(', ') || '-' },
    stepCount: plan.steps.length,
    identities: Object.entries(plan.summary.identities).map(([name, count]) => ({ name, count })),
    severities: severityCounts(plan.summary.findings),
    clusters: sorted,
    roles: plan.roles.filter((r) => r.changed || r.kind === 'new').map(roleView),
    steps: plan.steps,
    findingGroups: findingGroupsView(groupFindings(plan.findings)),
  };
}

/** The migration plan as GitHub-flavoured Markdown: summary, associations, trust diffs, steps, findings. */
export const emitPlanMarkdown: Emitter = (plan) => ({ kind: 'text', text: render('plan-markdown', planView(plan)) });
