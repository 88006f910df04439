import type { Report } from '../../report/model.js';

/** What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field: quoted when it holds `,`, `"`, CR or LF, with quotes doubled. A value a
 * spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, tab or CR: IAM allows policy
 * names like `=HYPERLINK(…)`) is written with a leading `'`, which spreadsheets show as text.
 * Control and bidi characters stay as they are: CSV is data, exact like the JSON outputs, not text for
 * a terminal.
 */
export function csvField(value: CsvValue): string {
  const raw = value === null || value === undefined ? '' : String(value);
  const s = FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** What a CSV field is written from (null and undefined as an empty field). */
export type CsvValue = string | number | boolean | null | undefined;

/** RFC 4180 text: CRLF line ends, header first. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((r) => `${r.map(csvField).join(',')}\r\n`).join('');
}

export const REPORT_CSV_HEADER = [
  'cluster',
  'account',
  'region',
  'namespace',
  'service_account',
  'role_arn',
  'mechanism',
  'status',
  'workload_kind',
  'workload_name',
  'pod_count',
  'admin',
  'policies',
  'association_id',
  'problems',
  'role_last_used',
] as const;

/** A role's last use: its UTC time, `none` when IAM recorded no use in its 400 days, empty when not collected. */
function lastUsed(m: Report['clusters'][number]['mappings'][number]): string {
  if (!m.roleLastUsed) return '';
  return m.roleLastUsed.date ?? 'none';
}

/** One row per (cluster, namespace, service account, role, mechanism, workload); a mapping without workloads gets one row. */
export function reportCsvRows(report: Report): string[][] {
  const rows: string[][] = [];
  for (const c of report.clusters) {
    for (const m of c.mappings) {
      const workloads = m.workloads.length ? m.workloads : [{ kind: '', name: '' }];
      for (const w of workloads) {
        rows.push([
          c.name,
          c.accountId,
          c.region,
          m.namespace,
          m.serviceAccount,
          m.roleArn,
          m.mechanism,
          m.status,
          w.kind,
          w.name,
          String(m.podCount),
          m.admin ? 'yes' : 'no',
          m.policies.map((p) => p.name).join('; '),
          m.associationId ?? '',
          m.problems.join('; '),
          lastUsed(m),
        ]);
      }
    }
  }
  return rows;
}

/** The role-to-pod map for spreadsheets. */
export function emitReportCsv(report: Report): string {
  return toCsv([[...REPORT_CSV_HEADER], ...reportCsvRows(report)]);
}
