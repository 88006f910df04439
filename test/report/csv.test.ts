import { parse } from 'csv-parse/sync';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvField, emitReportCsv, REPORT_CSV_HEADER, reportCsvRows, toCsv } from '../../src/emit/report/csv.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { HOSTILE, hostileInventory } from './hostile.js';

const AT = '2026-01-01T00:00:00.000Z';
const parseCsv = (text: string) => parse(text, { relax_column_count: false });

describe('CSV', () => {
  it('quotes per RFC 4180 only where needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(
      toCsv([
        ['a', 'b'],
        ['1', '2'],
      ]),
    ).toBe('a,b\r\n1,2\r\n');
  });

  it('writes a value a spreadsheet would run as a formula as text, and nothing else differently', () => {
    for (const formula of ['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', '\tcmd', '\r=1']) {
      const field = csvField(formula);
      expect(parseCsv(`${field}\r\n`)).toEqual([[`'${formula}`]]);
    }
    for (const plain of ['a=b', 'x-y', 'user@example.com', "'quoted", '1+1']) expect(csvField(plain)).toBe(plain);
    const rows = [
      ['=1+2', 'policy-a; =evil'],
      ['-', '@'],
    ];
    expect(parseCsv(toCsv(rows))).toEqual([
      ["'=1+2", 'policy-a; =evil'],
      ["'-", "'@"],
    ]);
  });

  it('round-trips hostile values', () => {
    const rows = [
      ['h1', 'h2', 'h3'],
      [HOSTILE.serviceAccount, HOSTILE.workload, HOSTILE.policy],
      ['', '"', ','],
    ];
    expect(parseCsv(toCsv(rows))).toEqual(rows);
  });

  it('writes one row per (cluster, namespace, service account, role, mechanism, workload) of the demo', () => {
    const inventory = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
    const report = buildReport(inventory, plan(inventory, { generatedAt: AT }));
    const parsed = parseCsv(emitReportCsv(report));
    expect(parsed[0]).toEqual([...REPORT_CSV_HEADER]);
    expect(parsed.slice(1)).toEqual(reportCsvRows(report));
    const expected = report.clusters.flatMap((c) => c.mappings).reduce((n, m) => n + Math.max(1, m.workloads.length), 0);
    expect(parsed.length - 1).toBe(expected);
    for (const row of parsed.slice(1)) expect(['IRSA', 'Pod Identity', 'both']).toContain(row[6]);
  });

  it('tells a role last used, one with no use in the 400 days IAM tracks, and one whose use was not collected apart', () => {
    const inventory = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
    const report = structuredClone(buildReport(inventory, plan(inventory, { generatedAt: AT })));
    const [used, idle, unknown] = report.clusters.flatMap((c) => c.mappings) as { roleLastUsed: unknown; roleArn: string }[];
    used!.roleLastUsed = { date: '2026-09-25T00:00:00.000Z', region: 'eu-west-1' };
    idle!.roleLastUsed = { date: null, region: null };
    unknown!.roleLastUsed = null;
    const rows = parseCsv(emitReportCsv(report));
    const column = rows[0]!.indexOf('role_last_used');
    expect(column).toBe(rows[0]!.length - 1);
    expect(rows.slice(1, 4).map((r) => r[column])).toEqual(['2026-09-25T00:00:00.000Z', 'none', '']);
  });

  it('guards a report whose policy is named like a formula', () => {
    const inventory = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
    const report = structuredClone(buildReport(inventory, plan(inventory, { generatedAt: AT })));
    const mapping = report.clusters.flatMap((c) => c.mappings).find((m) => m.policies.length > 0)!;
    (mapping.policies[0] as { name: string }).name = '=HYPERLINK("https://evil.example","open")';
    const cells = parseCsv(emitReportCsv(report)).flat();
    expect(cells.filter((c) => c.includes('HYPERLINK'))[0]).toMatch(/^'=HYPERLINK/);
    expect(cells.some((c) => /^[=+\-@]/.test(c))).toBe(false);
  });

  it('parses back the hostile report', () => {
    const inventory = hostileInventory();
    const report = buildReport(inventory, plan(inventory, { generatedAt: AT }));
    const parsed = parseCsv(emitReportCsv(report));
    expect(parsed.slice(1)).toEqual(reportCsvRows(report));
    expect(parsed.slice(1).map((r) => r[4])).toEqual(['broken|sa', HOSTILE.serviceAccount]);
  });
});
