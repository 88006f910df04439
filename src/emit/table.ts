import Table from 'cli-table3';
import { SEVERITIES, type Severity } from '../findings/model.js';
import type { AssociationStatus, Plan, PlannedAssociation } from '../plan/model.js';
import { painter, type Colour } from './colors.js';
import { visible } from '../escape.js';
import type { Emitter } from './types.js';
import { group } from '../group.js';
import { compareText } from '../order.js';

const STATUS_COLOUR: Record<AssociationStatus, Colour> = { create: 'green', exists: 'cyan', conflict: 'red', blocked: 'yellow', skipped: 'gray' };
const SEVERITY_COLOUR: Record<Severity, Colour> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'blue', info: 'gray' };

/** `arn:aws:iam::1111:role/teams/x` → `1111:role/teams/x`. */
export function shortArn(arn: string): string {
  return arn.split(':').slice(4).join(':');
}

/** A value as one table cell line: even line breaks and tabs escaped, so that it cannot add rows or move text. */
const cell = (value: string) => visible(value);

function notes(a: PlannedAssociation): string {
  const parts: string[] = [];
  if (a.via === 'addon') parts.push(`via add-on ${a.addon}`);
  if (a.targetRoleArn) parts.push(`chains ${shortArn(a.roleArn)} → target`);
  parts.push(...a.reasons.filter((r) => r !== 'addon-owned-role' && r !== 'cross-account-role'));
  return parts.map(cell).join('\n');
}

function newTable(head: string[], color: boolean): Table.Table {
  return new Table({ head, style: { head: color ? ['bold'] : [], border: color ? ['gray'] : [], compact: false }, wordWrap: true });
}

/** The plan for a terminal: associations grouped by cluster, then a findings summary. */
export const emitTable: Emitter = (plan: Plan, options) => {
  const color = options.color ?? false;
  const paint = painter(color);
  const out: string[] = [];
  const byCluster = group(plan.associations, (a) => a.clusterArn);
  const clusters = [...byCluster.values()].sort((a, b) => compareText(a[0]!.cluster, b[0]!.cluster) || compareText(a[0]!.clusterArn, b[0]!.clusterArn));
  for (const rows of clusters) {
    const first = rows[0]!;
    out.push(paint('bold', cell(`Cluster ${first.cluster} (${first.accountId}, ${first.region})`)));
    const table = newTable(['Namespace', 'Service account', 'Role', 'Workloads', 'Status', 'Notes'], color);
    const sorted = [...rows].sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.serviceAccount, b.serviceAccount));
    for (const a of sorted) {
      const workloads = a.workloads.map((w) => cell(`${w.kind}/${w.name}`)).join('\n') || '-';
      table.push([cell(a.namespace), cell(a.serviceAccount), cell(shortArn(a.currentRoleArn)), workloads, paint(STATUS_COLOUR[a.status], a.status), notes(a)]);
    }
    out.push(table.toString(), '');
  }
  if (plan.associations.length === 0) out.push('No service account is annotated with eks.amazonaws.com/role-arn.', '');
  const s = plan.summary;
  out.push(
    paint('bold', 'Summary'),
    `${s.clustersScanned}/${s.clusters} clusters scanned, ${s.annotatedServiceAccounts} IRSA service accounts of ${s.serviceAccounts}, ${s.rolesChanged} roles to rewrite, ${s.rolesCreated} to create, ${plan.steps.length} steps`,
    `Identities: ${Object.entries(s.identities).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `Trust rewrites ${s.allEquivalent ? 'all proven equivalent' : paint('red', 'NOT all proven equivalent')}`,
    '',
  );
  if (plan.findings.length) {
    out.push(paint('bold', 'Findings'));
    const counts = new Map<string, { severity: Severity; count: number }>();
    for (const f of plan.findings) counts.set(f.rule, { severity: f.severity, count: (counts.get(f.rule)?.count ?? 0) + 1 });
    const table = newTable(['Severity', 'Rule', 'Count'], color);
    const rows = [...counts.entries()].sort(([ra, a], [rb, b]) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareText(ra, rb));
    for (const [rule, { severity, count }] of rows) table.push([paint(SEVERITY_COLOUR[severity], severity), cell(rule), String(count)]);
    out.push(table.toString(), '');
  }
  return { kind: 'text', text: out.join('\n') };
};
