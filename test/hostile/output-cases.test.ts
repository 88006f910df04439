/**
 * The hostile-input corpus for output paths: one case per class of attack on `--out` (a directory to
 * clobber, a link planted where the temporary file goes, a parent that cannot be created). Each must
 * end, with exit 2 and one line naming the path where it is refused, and leave everything else as it was.
 */
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli, DEMO, ENV, ROOT, expectOutputError } from '../output/run.js';

const scratch = mkdtempSync(join(tmpdir(), 'irsa2pi-hostile-out-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('hostile --out paths', () => {
  it('directory clobber: a home-like directory given as --out is refused, untouched, for every directory output', () => {
    const home = join(scratch, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'id_ed25519'), 'secret');
    writeFileSync(join(home, 'thesis.tex'), 'years of work');
    for (const format of ['script', 'terraform']) {
      expectOutputError(cli(['plan', '--evidence', DEMO, '--format', format, '--out', home]), home, /did not write/);
    }
    expect(readFileSync(join(home, '.ssh', 'id_ed25519'), 'utf8')).toBe('secret');
    expect(readFileSync(join(home, 'thesis.tex'), 'utf8')).toBe('years of work');
    expect(readdirSync(scratch)).toEqual(['home']);
  });

  it('symlinked temporary file: links planted at the temporary names a run could use are never followed', async () => {
    const dir = mkdtempSync(join(scratch, 'planted-'));
    const victim = join(scratch, 'victim');
    writeFileSync(victim, 'unrelated');
    const out = join(dir, 'plan.json');
    const child = spawn(process.execPath, [BIN, 'plan', '--evidence', DEMO, '--format', 'json', '--out', out], { cwd: ROOT, env: ENV, stdio: 'ignore' });
    for (const name of [`.plan.json.${child.pid}.tmp`, `.plan.json.tmp`, `plan.json.tmp`, `.plan.json.${child.pid}`]) symlinkSync(victim, join(dir, name));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('unrelated');
    expect(lstatSync(out).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8')).schemaVersion).toBe(1);
    expect(readdirSync(dir).filter((n) => !lstatSync(join(dir, n)).isSymbolicLink())).toEqual(['plan.json']);
  });

  it('uncreatable output parent: a path under /proc ends at once with exit 2, for a file and a directory', () => {
    for (const [format, out] of [
      ['json', '/proc/irsa2pi-x/plan.json'],
      ['script', '/proc/irsa2pi-x/deeper/scripts'],
    ]) {
      const started = Date.now();
      const r = cli(['plan', '--evidence', DEMO, '--format', format!, '--out', out!], { timeout: 20_000 });
      expect(Date.now() - started).toBeLessThan(20_000);
      expectOutputError(r, '/proc/irsa2pi-x', /cannot create this directory/);
    }
  });
});
