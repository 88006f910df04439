import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPORT_CSV_HEADER } from '../../src/emit/report/csv.js';
import { tableProblems } from './markdown-check.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'irsa2pi.js');

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('irsa2pi report (built binary)', () => {
  beforeAll(() => {
    // `npm test` builds first; build here too when dist predates the report command.
    if (!existsSync(join(ROOT, 'dist', 'report', 'index.js'))) {
      const b = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(b.status, b.stdout + b.stderr).toBe(0);
    }
  });

  it('writes the demo report as Markdown, reproducibly', () => {
    const r = run(['report', '--evidence', 'fixtures/demo', '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('# IRSA and EKS Pod Identity audit\n')).toBe(true);
    expect(r.stdout).toContain('Generated 2026-01-01T00:00:00.000Z');
    expect(r.stdout).toContain('```mermaid');
    expect(tableProblems(r.stdout)).toEqual([]);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect(run(['report', '--evidence', 'fixtures/demo']).stdout).toBe(r.stdout);
  });

  it('writes CSV and JSON to --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-report-'));
    const csv = join(dir, 'report.csv');
    expect(run(['report', '--evidence', 'fixtures/demo', '--format', 'csv', '--out', csv])).toMatchObject({ code: 0, stdout: '' });
    expect(parse(readFileSync(csv, 'utf8'))[0]).toEqual([...REPORT_CSV_HEADER]);
    const json = join(dir, 'report.json');
    expect(run(['report', '--evidence', 'fixtures/demo', '--format', 'json', '--out', json]).code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.schemaVersion).toBe(1);
    expect(report.generatedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(report.clusters.length).toBe(3);
  });

  it('exits 1 when a finding reaches --fail-on, 0 otherwise', () => {
    expect(run(['report', '--evidence', 'fixtures/demo', '--fail-on', 'critical']).code).toBe(1);
    expect(run(['report', '--evidence', 'fixtures/rules/irsa-trust-no-subject/quiet', '--fail-on', 'low']).code).toBe(0);
    expect(run(['report', '--evidence', 'fixtures/rules/irsa-trust-no-subject/fires', '--fail-on', 'critical']).code).toBe(1);
  });

  it.each([
    [['report', '--evidence', 'fixtures/does-not-exist'], /^irsa2pi: error: fixtures\/does-not-exist: evidence directory does not exist\n$/],
    [
      ['report', '--evidence', 'fixtures/invalid/malformed-json'],
      /^irsa2pi: error: fixtures\/invalid\/malformed-json\/\S+\.json:\d+:\d+: malformed JSON[^\n]*\n$/,
    ],
    [
      ['report', '--evidence', 'fixtures/demo', '--format', 'xml'],
      /^irsa2pi: error: unknown --format "xml"[^\n]*\nirsa2pi: see 'irsa2pi report --help' for the usage\n$/,
    ],
  ])('exits 2 on bad input %j, with one line on stderr and no output file', (args, message) => {
    const out = join(mkdtempSync(join(tmpdir(), 'irsa2pi-report-')), 'report.md');
    const r = run([...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('plan --format markdown renders the migration view', () => {
    const r = run(['plan', '--evidence', 'fixtures/demo', '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('# IRSA to EKS Pod Identity migration plan\n')).toBe(true);
    for (const heading of ['## Associations', '## Roles', '## Steps', '## Findings']) expect(r.stdout).toContain(`\n${heading}\n`);
    expect(tableProblems(r.stdout)).toEqual([]);
  });
});
