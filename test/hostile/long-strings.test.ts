/**
 * Forged strings too long for Kubernetes or AWS, end to end through the built CLI: a 400 MB role-arn
 * annotation (copies of it in the findings outgrew the longest string Node holds: exit 3) and a 40 MB
 * quoted YAML scalar (the yaml package built it a character at a time: 1.6 GB, 40 s) are one-line
 * exit-2 errors naming the file. The files are generated here, in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'irsa2pi.js');
const PEAK_RSS = join(import.meta.dirname, 'peak-rss.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'irsa2pi-hostile-long-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** The control bundle plus `rel`, written as `head`, `mb` MiB of `x`, then `tail`. */
function bundleWithLong(name: string, rel: string, head: string, mb: number, tail: string): string {
  const dir = join(scratch, name);
  cpSync(join(import.meta.dirname, '..', 'fixtures', 'hostile', 'control-base'), dir, { recursive: true });
  rmSync(join(dir, 'expect.json'));
  const fd = openSync(join(dir, rel), 'w');
  writeSync(fd, head);
  const mib = 'x'.repeat(1 << 20);
  for (let i = 0; i < mb; i++) writeSync(fd, mib);
  writeSync(fd, tail);
  closeSync(fd);
  return dir;
}

function plan(dir: string, timeout: number) {
  const out = join(dir, '..', `${dir.split('/').pop()}.plan.json`);
  const peakFile = `${out}.peak`;
  const r = spawnSync(process.execPath, ['--import', PEAK_RSS, BIN, 'plan', '--evidence', dir, '--format', 'json', '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, NO_COLOR: '1', IRSA2PI_PEAK_FILE: peakFile },
  });
  return {
    code: r.status,
    signal: r.signal,
    stderr: r.stderr,
    written: existsSync(out),
    peakKb: existsSync(peakFile) ? Number(readFileSync(peakFile, 'utf8')) : Number.NaN,
  };
}

function expectOneLine(r: ReturnType<typeof plan>, message: RegExp) {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(2);
  expect(
    r.stderr.split('\n').filter((l) => l !== ''),
    r.stderr,
  ).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.written).toBe(false);
}

describe('forged long strings, end to end', () => {
  it('a 400 MB role-arn annotation in a kubectl List is an exit-2 error naming the file and the path', { timeout: 300_000 }, () => {
    const arn = 'arn:aws:iam::111122223333:role/';
    const dir = bundleWithLong(
      'annotation-400mb',
      'kubernetes/c1/service-accounts.json',
      `{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"big","namespace":"shop","annotations":{"eks.amazonaws.com/role-arn":"${arn}`,
      400,
      '"}}}]}',
    );
    const r = plan(dir, 280_000);
    expectOneLine(
      r,
      /^irsa2pi: error: \S+\/kubernetes\/c1\/service-accounts\.json: \$\.items\[0\]\.metadata\.annotations\.eks\.amazonaws\.com\/role-arn is 419430431 characters long, more than the 262144 Kubernetes or AWS ever hold\n$/,
    );
  });

  it('a 40 MB quoted YAML scalar is refused before it is built, in bounded memory', { timeout: 120_000 }, () => {
    const dir = bundleWithLong(
      'yaml-40mb',
      'kubernetes/c1/big.yaml',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: big\n  namespace: shop\n  annotations:\n    note: "',
      40,
      '"\n',
    );
    const r = plan(dir, 100_000);
    expectOneLine(r, /^irsa2pi: error: \S+\/kubernetes\/c1\/big\.yaml:7:11: malformed YAML: a scalar or other token longer than 2097152 characters\n$/);
    expect(r.peakKb, 'peak RSS in KiB').toBeLessThan(512 * 1024);
  });
});
