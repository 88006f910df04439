import type { Report } from '../../report/model.js';

/** What the `report` command renders a report with: its text in pieces; `bundle` is the evidence directory the report was read from. */
export type ReportWriter = (report: Report, bundle: string) => Iterable<string>;

/** The name of an output format of the `report` command. */
export type ReportCommandFormat = 'markdown' | 'csv' | 'json' | 'sarif';

/**
 * Each output format of the `report` command as a loader of its writer, so that a run loads only the
 * emitter it writes with (Markdown brings the templates and their runtime).
 */
export const REPORT_WRITER_LOADERS: Readonly<Record<ReportCommandFormat, () => Promise<ReportWriter>>> = {
  markdown: async () => (await import('./index.js')).REPORT_CHUNKS.markdown,
  csv: async () => (await import('./index.js')).REPORT_CHUNKS.csv,
  json: async () => (await import('./index.js')).REPORT_CHUNKS.json,
  sarif: async () => {
    const { reportSarifChunks } = await import('./sarif.js');
    return (report, bundle) => reportSarifChunks(report, { bundle });
  },
};
