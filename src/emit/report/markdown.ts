import type { Step } from '../../plan/model.js';
import type { Report, ReportCluster } from '../../report/model.js';
import { findingGroupsView, severityCounts } from '../markdown-shared.js';
import { clusterDiagrams, MERMAID_LIMITS, type DiagramPart } from './diagrams.js';
import { COLLAPSE_ABOVE, COLLAPSE_CLOSING, collapseOpening, renderPieces } from '../templates.js';

export { clusterDiagram } from './diagrams.js';

const list = (items: readonly string[]) => items.join(', ') || '-';

/** What the collection times of the evidence section are, by `collectedTimes`. */
const COLLECTED_TIMES = {
  collector: ' (recorded by the collector)',
  file: ' (file times: when each file was last modified, its collection time only if nothing changed it since; the collector recorded none)',
  mixed: ' (recorded by the collector; file times for the files it did not record)',
} as const;

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The line above one diagram of a cluster drawn in several; a summarised one says what it leaves out. */
function diagramTitle(d: DiagramPart): string {
  const head = `Namespace ${d.namespace ?? ''}${d.part ? ` (${d.part})` : ''}`;
  if (!d.summarised) return `${head}:`;
  return `${head}: its ${count(d.mappings, 'role mapping', 'role mappings')} drawn as counts per role (service accounts, workloads, pods), as in full they are over what Mermaid draws in one diagram (${MERMAID_LIMITS.chars.toLocaleString('en-US')} characters, ${MERMAID_LIMITS.edges} edges); the table lists each.`;
}

/** A cluster's diagrams as the `report-cluster` template reads them: one block, or several collapsed. */
function diagramsView(c: ReportCluster) {
  const parts = clusterDiagrams(c);
  const [only] = parts;
  if (parts.length === 1 && only?.namespace === null) return { diagram: only.text, diagrams: null };
  const summarised = new Set(parts.filter((d) => d.summarised).map((d) => d.namespace)).size;
  return {
    diagram: null,
    diagrams: parts.map((d) => ({ title: diagramTitle(d), text: d.text })),
    diagramsSummary: `${count(parts.length, 'diagram', 'diagrams')}: one per namespace${summarised ? `, ${count(summarised, 'namespace', 'namespaces')} as counts per role` : ''}`,
    diagramsCollapse: Infinity,
  };
}

/** One cluster as the `report-cluster` template reads it. */
function clusterView(c: ReportCluster) {
  return {
    ...c,
    version: c.version ?? 'unknown',
    platformVersion: c.platformVersion ?? 'unknown',
    ...diagramsView(c),
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
      collectedTimes: report.evidence.collectedTimes ? COLLECTED_TIMES[report.evidence.collectedTimes] : '',
      files: report.evidence.files.map((f) => ({ ...f, collected: f.collectedAt ?? (f.modifiedAt ? `${f.modifiedAt} (file time)` : '') })),
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
  if (!(stepsPerPiece >= 1 && (Number.isInteger(stepsPerPiece) || stepsPerPiece === Infinity)))
    throw new RangeError(`stepsPerPiece must be a positive whole number, not ${stepsPerPiece}`);
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
