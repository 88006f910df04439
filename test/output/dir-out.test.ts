/**
 * `--out` of the directory outputs (terraform, script): only an empty directory or one irsa2pi wrote,
 * unchanged since, is replaced; anything else is refused with exit 2 and left exactly as it was.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  appendFileSync,
  unlinkSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, DEMO, expectOutputError } from './run.js';

const scratch = mkdtempSync(join(tmpdir(), 'irsa2pi-dir-out-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});
const fresh = () => mkdtempSync(join(scratch, 'case-'));

const emit = (out: string, format = 'script', cwd?: string) => cli(['plan', '--evidence', DEMO, '--format', format, '--out', out], cwd ? { cwd } : {});

/** Every file under `dir` with its content, for "left exactly as it was". */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [join(e.parentPath, e.name).slice(dir.length), readFileSync(join(e.parentPath, e.name), 'utf8')]),
  );
}

/** Entries irsa2pi left beside the output (temporary or moved-aside directories). */
const leftovers = (parent: string) => readdirSync(parent).filter((n) => n.includes('irsa2pi-'));

describe('--out directory', () => {
  it('refuses a non-empty directory irsa2pi did not write, whatever it holds, and touches nothing', () => {
    const parent = fresh();
    const dir = join(parent, 'repo');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(dir, 'notes.md'), 'mine');
    const before = snapshot(dir);
    for (const format of ['script', 'terraform']) {
      expectOutputError(emit(dir, format), dir, /directory irsa2pi did not write \(it holds \.git, notes\.md\)/);
      expect(snapshot(dir)).toEqual(before);
    }
    expect(leftovers(parent)).toEqual([]);
  });

  it('refuses the current directory and what holds it, even empty', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'sub'));
    expectOutputError(emit('.', 'script', dir), '.', /current directory or holds it/);
    expectOutputError(emit('..', 'script', join(dir, 'sub')), '..', /current directory or holds it/);
    expect(readdirSync(dir)).toEqual(['sub']);
  });

  it('writes a marker listing the digest of every file it wrote, and replaces an unchanged earlier output', () => {
    const parent = fresh();
    const dir = join(parent, 'scripts');
    expect(emit(dir).code).toBe(0);
    const marker = JSON.parse(readFileSync(join(dir, '.irsa2pi-output.json'), 'utf8')) as { format: string; kind: string; files: Record<string, string> };
    expect(marker).toMatchObject({ format: 'irsa2pi-output', kind: 'script' });
    const files = Object.keys(snapshot(dir))
      .map((p) => p.slice(1))
      .filter((p) => p !== '.irsa2pi-output.json')
      .sort();
    expect(Object.keys(marker.files).sort()).toEqual(files);
    for (const f of files)
      expect(marker.files[f]).toBe(
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      );
    const first = snapshot(dir);
    const r = emit(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshot(dir)).toEqual(first);
    unlinkSync(join(dir, 'README.md'));
    expect(emit(dir).code).toBe(0);
    expect(snapshot(dir)).toEqual(first);
    expect(leftovers(parent)).toEqual([]);
  });

  it('never loses rollback state: a script directory holding state/ or backup/ is refused and kept', () => {
    const dir = join(fresh(), 'scripts');
    expect(emit(dir).code).toBe(0);
    mkdirSync(join(dir, 'state'));
    writeFileSync(join(dir, 'state', 'created-associations.txt'), '111122223333\tus-east-1\tc1\ta-1\tns\tsa\n');
    mkdirSync(join(dir, 'backup'));
    writeFileSync(join(dir, 'backup', '111122223333-role.json'), '{"Version":"2012-10-17","Statement":[]}\n');
    const before = snapshot(dir);
    expectOutputError(
      emit(dir),
      dir,
      /holds (backup\/111122223333-role\.json, state\/created-associations\.txt|state\/created-associations\.txt, backup\/111122223333-role\.json), which irsa2pi did not write/,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses an earlier output with a file changed (one to 3 GB, more than can be read whole), or Terraform state added, and keeps it', () => {
    const scripts = join(fresh(), 'scripts');
    expect(emit(scripts).code).toBe(0);
    appendFileSync(join(scripts, 'migrate.sh'), '# my edit\n');
    const edited = snapshot(scripts);
    expectOutputError(emit(scripts), scripts, /holds migrate\.sh, which irsa2pi did not write or which changed since/);
    expect(snapshot(scripts)).toEqual(edited);
    truncateSync(join(scripts, 'migrate.sh'), 3 * 2 ** 30);
    expectOutputError(emit(scripts), scripts, /holds migrate\.sh, which irsa2pi did not write or which changed since/);
    expect(statSync(join(scripts, 'migrate.sh')).size).toBe(3 * 2 ** 30);
    const tf = join(fresh(), 'tf');
    expect(emit(tf, 'terraform').code).toBe(0);
    writeFileSync(join(tf, 'terraform.tfstate'), '{"version":4}');
    expectOutputError(emit(tf, 'terraform'), tf, /holds terraform\.tfstate/);
    expect(readFileSync(join(tf, 'terraform.tfstate'), 'utf8')).toBe('{"version":4}');
  });

  it('refuses another kind of irsa2pi output, a forged marker, and a file or a link where the directory goes', () => {
    const parent = fresh();
    const scripts = join(parent, 'scripts');
    expect(emit(scripts).code).toBe(0);
    expectOutputError(emit(scripts, 'terraform'), scripts, /holds script output of irsa2pi, not terraform/);
    const forged = join(parent, 'forged');
    mkdirSync(forged);
    writeFileSync(join(forged, '.irsa2pi-output.json'), JSON.stringify({ format: 'irsa2pi-output', kind: 'script', files: {} }));
    writeFileSync(join(forged, 'precious'), 'x');
    expectOutputError(emit(forged), forged, /holds precious/);
    writeFileSync(join(parent, 'file'), 'x');
    expectOutputError(emit(join(parent, 'file')), join(parent, 'file'), /exists and is not a directory/);
    mkdirSync(join(scripts, 'trust', 'evil'));
    symlinkSync('/etc/passwd', join(scripts, 'trust', 'evil', 'link'));
    expectOutputError(emit(scripts), scripts, /holds trust\/evil\/link/);
    expect(lstatSync(join(scripts, 'trust', 'evil', 'link')).isSymbolicLink()).toBe(true);
  });

  it('a link to an output directory has the directory replaced, and stays a link', () => {
    const parent = fresh();
    expect(emit(join(parent, 'real')).code).toBe(0);
    symlinkSync('real', join(parent, 'link'));
    const r = emit(join(parent, 'link'));
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(parent, 'link')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(parent, 'real', 'migrate.sh'))).toBe(true);
    expect(readdirSync(parent).sort()).toEqual(['link', 'real']);
  });
});
