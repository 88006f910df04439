import type { Step } from '../plan/model.js';
import type { Report, ReportCluster } from '../report/model.js';
import { findingGroupsView, severityCounts } from './markdown-shared.js';
import { COLLAPSE_ABOVE, COLLAPSE_CLOSING, collapseOpening, mermaidId, mermaidLabel, renderPieces } from './templates.js';

/** A Mermaid `flowchart LR` of one cluster: workload → service account → role. */
export function clusterDiagram(cluster: ReportCluster): string {
  const lines = ['flowchart LR'];
  const nodes = new Map<string, string>();
  const edges = new Set<string>();
  const node = (prefix: string, key: string, label: string) => {
    const id = mermaidId(prefix, `${key}`);
    if (!nodes.has(id)) nodes.set(id, `  ${id}[${mermaidLabel(label)}]`);
    return id;
  };
  for (const m of cluster.mappings) {
    const sa = node('sa', `${m.namespace}/${m.serviceAccount}`, `${m.namespace}/${m.serviceAccount}`);
    const role = node('role', m.roleArn, m.admin ? `${m.roleName} (admin)` : m.roleName);
    for (const w of m.workloads) edges.add(`  ${node('wl', `${w.namespace}/${w.kind}/${w.name}`, `${w.kind}/${w.name}`)} --> ${sa}`);
    const label = mermaidLabel(m.status === 'active' ? m.mechanism : `${m.mechanism} ${m.status}`);
    edges.add(m.status === 'active' ? `  ${sa} -->|${label}| ${role}` : `  ${sa} -.->|${label}| ${role}`);
  }
  return [...lines, ...nodes.values(), ...edges].join('\n');
}

const list = (items: readonly string[]) => items.join(', ') || '-';

/** One cluster as the `report-cluster` template reads it. */
function clusterView(c: ReportCluster) {
  return {
    ...c,
    version: c.version ?? 'unknown',
    platformVersion: c.platformVersion ?? 'unknown',
    diagram: clusterDiagram(c),
  };
}

/** The report model as the `report-head`, `report-findings` and `report-evidence` templates read it. */
export function reportView(report: Report) {
  return {
    generatedAt: report.generatedAt,
    summary: report.summary,
    identities: Object.entries(report.summary.identities).map(([name, count]) => ({ name, count })),
    severities: severityCounts(report.summary.findings),
    findingGroups: findingGroupsView(report.findingGroups),
    plan: report.plan,
    evidence: {
      ...report.evidence,
      accounts: list(report.evidence.accounts),
      regions: list(report.evidence.regions),
      collectedFrom: report.evidence.collectedFrom ?? 'unknown',
      collectedTo: report.evidence.collectedTo ?? 'unknown',
    },
  };
}

/** The steps table as the `steps` partial renders it, a longer one in pieces of `perPiece` rows. */
function* stepPieces(steps: readonly Step[], perPiece: number): Generator<readonly [string, unknown] | string> {
  if (steps.length <= Math.max(perPiece, COLLAPSE_ABOVE)) {
    yield ['partials/steps', { steps }];
    return;
  }
  yield collapseOpening(`${steps.length} steps`);
  yield ['partials/step-table-head', {}];
  for (let i = 0; i < steps.length; i += perPiece) yield ['partials/step-rows', { steps: steps.slice(i, i + perPiece), first: i }];
  yield COLLAPSE_CLOSING;
}

/**
 * The auditor's report as GitHub-flavoured Markdown, in pieces (one per cluster, the steps table
 * `stepsPerPiece` rows at a time), so it is never held whole.
 */
export function* reportMarkdownChunks(report: Report, stepsPerPiece = 1000): Generator<string> {
  if (!(stepsPerPiece >= 1 && (Number.isInteger(stepsPerPiece) || stepsPerPiece === Infinity))) throw new RangeError(`stepsPerPiece must be a positive whole number, not ${stepsPerPiece}`);
  const view = reportView(report);
  yield* renderPieces(
    (function* () {
      yield ['report-head', view] as const;
      for (const c of report.clusters) yield ['report-cluster', clusterView(c)] as const;
      yield ['report-findings', view] as const;
      yield* stepPieces(report.plan.steps, stepsPerPiece);
      yield ['report-evidence', view] as const;
    })(),
  );
}

/** The auditor's report as GitHub-flavoured Markdown. */
export function emitReportMarkdown(report: Report): string {
  return [...reportMarkdownChunks(report)].join('');
}
