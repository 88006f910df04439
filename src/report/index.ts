import { emitReportCsv } from '../emit/csv.js';
import { jsonChunks } from '../emit/json.js';
import { emitReportMarkdown, reportMarkdownChunks } from '../emit/markdown-report.js';
import type { Report } from './model.js';

/** Renders a report as one text document. */
export type ReportEmitter = (report: Report) => string;

/** Every output format of `report`, by name. */
export const REPORT_EMITTERS = {
  markdown: emitReportMarkdown,
  csv: emitReportCsv,
  json: (report: Report) => `${JSON.stringify(report, null, 2)}\n`,
} as const satisfies Record<string, ReportEmitter>;

export type ReportFormat = keyof typeof REPORT_EMITTERS;

/** Every output format of `report` in pieces that join to what {@link REPORT_EMITTERS} returns, for writing a large report without holding it whole. */
export const REPORT_CHUNKS = {
  markdown: (report: Report) => reportMarkdownChunks(report),
  csv: (report: Report) => [emitReportCsv(report)],
  json: (report: Report) => jsonChunks(report),
} as const satisfies Record<ReportFormat, (report: Report) => Iterable<string>>;

export { buildReport, type ReportOptions } from './build.js';
export { groupFindings } from '../findings/merge.js';
export { ruleInfo } from '../findings/catalogue.js';
export type * from './model.js';
export { REPORT_SCHEMA_VERSION } from './model.js';
