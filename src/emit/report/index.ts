import type { Report } from '../../report/model.js';
import { jsonChunks } from '../json-chunks.js';
import { emitReportCsv } from './csv.js';
import { emitReportMarkdown, reportMarkdownChunks } from './markdown.js';

/** Renders a report as one text document. */
export type ReportEmitter = (report: Report) => string;

/** Every output format of `report` but SARIF (which needs the bundle's path), by name. */
export const REPORT_EMITTERS = {
  markdown: emitReportMarkdown,
  csv: emitReportCsv,
  json: (report: Report) => `${JSON.stringify(report, null, 2)}\n`,
} as const satisfies Record<string, ReportEmitter>;

/** The name of a format of {@link REPORT_EMITTERS}. */
export type ReportFormat = keyof typeof REPORT_EMITTERS;

/** Every format of {@link REPORT_EMITTERS} in pieces that join to what it returns, for writing a large report without holding it whole. */
export const REPORT_CHUNKS = {
  markdown: (report: Report) => reportMarkdownChunks(report),
  csv: (report: Report) => [emitReportCsv(report)],
  json: (report: Report) => jsonChunks(report),
} as const satisfies Record<ReportFormat, (report: Report) => Iterable<string>>;
