/**
 * What irsa2pi creates under `--out` is as readable as the umask says, as for any file a shell
 * creates: directories 0777 and files 0666 (scripts 0777) less the umask. What it replaces keeps its mode.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { creationMode } from '../../src/cli/write-atomic.js';
import { BIN, DEMO, ENV, ROOT } from './run.js';

const scratch = mkdtempSync(join(tmpdir(), 'irsa2pi-umask-'));

function withUmask(umask: string, args: readonly string[]) {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const r = spawnSync('sh', ['-c', `umask ${umask} && exec ${quoted}`], { cwd: ROOT, encoding: 'utf8', env: ENV, timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
}

/** Every entry under `dir` (itself included) as `path mode`, octal. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = { '.': (statSync(dir).mode & 0o777).toString(8) };
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name);
    out[relative(dir, path)] = (statSync(path).mode & 0o777).toString(8);
  }
  return out;
}

describe.each([
  ['022', { dir: '755', file: '644', script: '755' }],
  ['077', { dir: '700', file: '600', script: '700' }],
  ['002', { dir: '775', file: '664', script: '775' }],
])('umask %s', (umask, want) => {
  it('a script directory, its missing parent, subdirectories, files and scripts get the modes the umask leaves', () => {
    const parent = join(mkdtempSync(join(scratch, `s${umask}-`)), 'new-parent');
    const out = join(parent, 'scripts');
    withUmask(umask, ['plan', '--evidence', DEMO, '--format', 'script', '--out', out]);
    expect((statSync(parent).mode & 0o777).toString(8)).toBe(want.dir);
    const all = modes(out);
    expect(Object.keys(all)).not.toContain('.umask-probe');
    expect(Object.keys(all)).toContain('trust');
    for (const [path, mode] of Object.entries(all)) {
      const isDir = statSync(join(out, path)).isDirectory();
      expect(mode, path).toBe(isDir ? want.dir : path.endsWith('.sh') ? want.script : want.file);
    }
    expect(readdirSync(parent)).toEqual(['scripts']);
  });

  it('a Terraform directory and a JSON plan file too', () => {
    const base = mkdtempSync(join(scratch, `t${umask}-`));
    withUmask(umask, ['plan', '--evidence', DEMO, '--format', 'terraform', '--out', join(base, 'tf')]);
    for (const [path, mode] of Object.entries(modes(join(base, 'tf'))))
      expect(mode, path).toBe(statSync(join(base, 'tf', path)).isDirectory() ? want.dir : want.file);
    withUmask(umask, ['plan', '--evidence', DEMO, '--format', 'json', '--out', join(base, 'plans', 'plan.json')]);
    expect(modes(join(base, 'plans'))).toEqual({ '.': want.dir, 'plan.json': want.file });
  });
});

it('a directory or file irsa2pi replaces keeps the mode it had, whatever the umask', () => {
  const base = mkdtempSync(join(scratch, 'keep-'));
  const out = join(base, 'scripts');
  withUmask('022', ['plan', '--evidence', DEMO, '--format', 'script', '--out', out]);
  chmodSync(out, 0o750);
  withUmask('000', ['plan', '--evidence', DEMO, '--format', 'script', '--out', out]);
  expect((statSync(out).mode & 0o777).toString(8)).toBe('750');
  expect((statSync(join(out, 'migrate.sh')).mode & 0o777).toString(8)).toBe('777');
  const file = join(base, 'plan.json');
  withUmask('022', ['plan', '--evidence', DEMO, '--format', 'json', '--out', file]);
  chmodSync(file, 0o640);
  withUmask('000', ['plan', '--evidence', DEMO, '--format', 'json', '--out', file]);
  expect((statSync(file).mode & 0o777).toString(8)).toBe('640');
});

it('a mode asked for without group or other bits stays private; any other is widened for the umask to narrow', () => {
  expect([0o644, 0o755, 0o664, 0o600, 0o700, 0o400].map((m) => creationMode(m).toString(8))).toEqual(['666', '777', '666', '600', '700', '400']);
});
