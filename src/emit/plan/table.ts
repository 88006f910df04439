import { SEVERITIES, type Finding, type Severity } from '../../findings/model.js';
import type { AssociationStatus, Plan, PlannedAssociation } from '../../plan/model.js';
import { painter, type Colour } from '../colors.js';
import { layoutColumns, type Cell, type Column } from '../columns.js';
import { visible } from '../../escape.js';
import type { Emitter } from '../types.js';
import { compareText } from '../../order.js';
import { clusterLabeller, roleLabeller } from '../short-names.js';

const STATUS_COLOUR: Record<AssociationStatus, Colour> = { create: 'green', exists: 'cyan', conflict: 'red', blocked: 'yellow', skipped: 'gray' };
const SEVERITY_COLOUR: Record<Severity, Colour> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'blue', info: 'gray' };

/** The terminal width assumed when none is known. */
export const DEFAULT_TABLE_WIDTH = 120;

/** A value as one table cell line: even line breaks and tabs escaped, so that it cannot add rows or move text. */
const cell = (value: string, colour?: Colour): Cell => ({ text: visible(value), ...(colour ? { colour } : {}) });

const ASSOCIATION_COLUMNS: readonly Column[] = [
  { header: 'Cluster' },
  { header: 'Namespace' },
  { header: 'Service account' },
  { header: 'Role', truncatable: true, distinct: true },
  { header: 'Status' },
  { header: 'Notes', truncatable: true, optional: true, min: 16 },
  { header: 'Workloads', truncatable: true, optional: true, min: 16 },
];

function notes(a: PlannedAssociation, role: (arn: string) => string): string {
  const parts: string[] = [];
  if (a.via === 'addon') parts.push(`via add-on ${a.addon}`);
  if (a.targetRoleArn) parts.push(`chains ${role(a.roleArn)} → target`);
  parts.push(...a.reasons.filter((r) => r !== 'addon-owned-role' && r !== 'cross-account-role'));
  return parts.join(', ');
}

function associationRows(plan: Plan, wide: boolean): Cell[][] {
  const role = wide ? (arn: string) => arn : roleLabeller(plan.associations.flatMap((a) => [a.currentRoleArn, a.roleArn]));
  const cluster = wide ? (a: PlannedAssociation) => a.clusterArn : clusterLabeller(plan.associations);
  const sorted = [...plan.associations].sort(
    (a, b) =>
      compareText(a.cluster, b.cluster) ||
      compareText(a.clusterArn, b.clusterArn) ||
      compareText(a.namespace, b.namespace) ||
      compareText(a.serviceAccount, b.serviceAccount),
  );
  return sorted.map((a) => [
    cell(cluster(a)),
    cell(a.namespace),
    cell(a.serviceAccount),
    cell(role(a.currentRoleArn)),
    cell(a.status, STATUS_COLOUR[a.status]),
    cell(notes(a, role) || '-'),
    cell(a.workloads.map((w) => `${w.kind}/${w.name}`).join(', ') || '-'),
  ]);
}

function findingRows(findings: readonly Finding[]): Cell[][] {
  const counts = new Map<string, { severity: Severity; count: number }>();
  for (const f of findings) counts.set(f.rule, { severity: f.severity, count: (counts.get(f.rule)?.count ?? 0) + 1 });
  return [...counts.entries()]
    .sort(([ra, a], [rb, b]) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareText(ra, rb))
    .map(([rule, { severity, count }]) => [cell(severity, SEVERITY_COLOUR[severity]), cell(rule), cell(String(count))]);
}

/**
 * The plan for a terminal, laid out like `kubectl get`: one line per identity, fitted to
 * `options.width` (role and cluster ARNs shortened to what tells them apart), or every value whole
 * with `options.wide`; then the summary and the planning findings counted per rule.
 */
export const emitTable: Emitter = (plan: Plan, options) => {
  const paint = painter(options.color ?? false);
  const wide = options.wide ?? false;
  const width = wide ? undefined : (options.width ?? DEFAULT_TABLE_WIDTH);
  const out: string[] = [];
  if (plan.associations.length === 0) out.push('No service account is annotated with eks.amazonaws.com/role-arn.', '');
  else {
    const table = layoutColumns(ASSOCIATION_COLUMNS, associationRows(plan, wide), width, paint);
    out.push(...table.lines);
    if (table.omitted.length) out.push(`(${table.omitted.join(', ')} left out to fit ${width} columns: see --wide)`);
    out.push('');
  }
  const s = plan.summary;
  out.push(
    paint('bold', 'Summary'),
    `${s.clustersScanned} of ${s.clusters} clusters scanned; ${s.annotatedServiceAccounts} of ${s.serviceAccounts} service accounts use IRSA`,
    `${s.rolesChanged} roles to rewrite, ${s.rolesCreated} to create, ${plan.steps.length} steps`,
    `Identities: ${Object.entries(s.identities)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `Trust rewrites ${s.allEquivalent ? 'all proven equivalent' : paint('red', 'NOT all proven equivalent')}`,
    '',
  );
  if (plan.findings.length) {
    out.push(
      paint('bold', `Planning findings: ${plan.findings.length}, counted per rule`),
      'Each is about one identity, role or cluster the plan covers;',
      "'irsa2pi report' also runs the audit rules over every role and cluster.",
    );
    out.push(...layoutColumns([{ header: 'Severity' }, { header: 'Rule' }, { header: 'Count' }], findingRows(plan.findings), width, paint).lines, '');
  }
  return { kind: 'text', text: out.join('\n') };
};
