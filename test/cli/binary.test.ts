import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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

describe('irsa2pi CLI (built binary)', () => {
  it('prints its version and help', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    expect(run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = run(['plan', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--evidence <dir>');
    expect(help.stdout).toContain('--fail-on <severity>');
  });

  it('orders every output the same whatever the machine\'s locale (Danish sorts "aa" after "z" and capitals first)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'irsa2pi-locale-')), 'bundle');
    cpSync(join(ROOT, 'fixtures', 'demo'), dir, { recursive: true });
    const sa = (namespace: string, name: string) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace, annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/read-from-s3' } },
    });
    writeFileSync(
      join(dir, 'kubernetes', 'prod-eu', 'extra.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [sa('b-batch', 'job'), sa('aa-batch', 'job'), sa('aa-batch', 'Zed'), sa('aa-batch', 'app')] }),
    );
    const outputs = (locale: string) =>
      ['json', 'markdown', 'script'].map((format) => {
        const args = format === 'script' ? ['--out', join(dir, '..', `script-${locale}`)] : [];
        const r = run(['plan', '--evidence', dir, '--format', format, ...args], { LC_ALL: locale, LANG: locale });
        expect(r.code, r.stderr).toBe(0);
        return format === 'script' ? readFileSync(join(dir, '..', `script-${locale}`, 'migrate.sh'), 'utf8') : r.stdout;
      });
    const english = outputs('C.UTF-8');
    expect(outputs('da_DK.UTF-8')).toEqual(english);
    const plan = JSON.parse(english[0]!) as { associations: { namespace: string; serviceAccount: string }[] };
    const batch = plan.associations.filter((a) => a.namespace.endsWith('-batch')).map((a) => `${a.namespace}/${a.serviceAccount}`);
    expect(batch).toEqual(['aa-batch/app', 'aa-batch/Zed', 'aa-batch/job', 'b-batch/job'].sort((a, b) => a.localeCompare(b, 'en')));
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts'));
    const bare = sources.filter((e) => e.name !== 'order.ts' && readFileSync(join(e.parentPath, e.name), 'utf8').includes('.localeCompare('));
    expect(
      bare.map((e) => e.name),
      'sort with compareText (src/order.ts)',
    ).toEqual([]);
  });

  it('plans the demo as a table with a cluster column, with a findings summary', () => {
    const r = run(['plan', '--evidence', 'fixtures/demo']);
    expect(r.code).toBe(0);
    for (const cluster of ['legacy', 'prod-eu', 'prod-us']) expect(r.stdout).toMatch(new RegExp(`^${cluster} {3,}\\S`, 'm'));
    for (const status of ['create', 'exists', 'conflict', 'blocked', 'skipped']) expect(r.stdout).toContain(status);
    expect(r.stdout).toContain('Planning findings');
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('writes the JSON plan atomically and deterministically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-cli-'));
    const out = join(dir, 'nested', 'plan.json');
    const first = run(['plan', '--evidence', 'fixtures/demo', '--format', 'json', '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    const plan = JSON.parse(text);
    expect(plan.schemaVersion).toBe(1);
    expect(plan.generatedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['plan.json']);
    run(['plan', '--evidence', 'fixtures/demo', '--format', 'json', '--out', out]);
    expect(readFileSync(out, 'utf8')).toBe(text);
  });

  it('exits 1 when a finding reaches --fail-on, 0 when none does', () => {
    expect(run(['plan', '--evidence', 'fixtures/demo', '--fail-on', 'high']).code).toBe(1);
    expect(run(['plan', '--evidence', 'fixtures/demo', '--fail-on', 'critical']).code).toBe(0);
    expect(run(['plan', '--evidence', 'fixtures/basic', '--fail-on', 'info']).code).toBe(0);
  });

  it.each([
    [['plan', '--evidence', 'fixtures/invalid/malformed-json'], /^irsa2pi: error: fixtures\/invalid\/malformed-json\/\S+\.json:\d+:\d+: malformed JSON/],
    [['plan', '--evidence', 'fixtures/invalid/unknown-cluster-folder'], /^irsa2pi: error: .*kubernetes\/nope/],
    [['plan', '--evidence', 'fixtures/does-not-exist'], /^irsa2pi: error: fixtures\/does-not-exist: evidence directory does not exist/],
    [['plan', '--evidence', 'fixtures/basic', '--format', 'xml'], /unknown --format "xml"/],
    [['plan', '--evidence', 'fixtures/basic', '--context', 'c'], /give either --evidence or the live options/],
    [['plan', '--evidence', 'fixtures/basic', '--fail-on', 'severe'], /invalid/],
    [
      ['plan', '--evidence', 'fixtures/basic', '--trust-policy-limit', '5000'],
      /^irsa2pi: error: --trust-policy-limit must be a number of characters from 1 to 4096/,
    ],
    [['plan', '--evidence', 'fixtures/basic', '--trust-policy-limit', '2k'], /^irsa2pi: error: --trust-policy-limit must be a number/],
  ])('exits 2 with one clear line for %j', (args, pattern) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('writes nothing when the input is bad', () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-cli-'));
    const out = join(dir, 'plan.json');
    expect(run(['plan', '--evidence', 'fixtures/invalid/malformed-yaml', '--format', 'json', '--out', out]).code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('prints a stack trace only with --debug', () => {
    const r = run(['plan', '--evidence', 'fixtures/invalid/malformed-json', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('lists unrelated files as ignored on stderr', () => {
    const r = run(['plan', '--evidence', 'fixtures/with-unrelated-files']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('ignored fixtures/with-unrelated-files/README.txt');
  });
});
