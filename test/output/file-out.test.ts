/**
 * `--out` of a file output (plan json, report csv …) onto every kind of path: new, regular, a link,
 * a device, a FIFO, a descriptor, a directory, unwritable and uncreatable parents. The built CLI runs.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, DEMO, ENV, BIN, ROOT, expectOutputError } from './run.js';

const scratch = mkdtempSync(join(tmpdir(), 'irsa2pi-file-out-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});
const fresh = () => mkdtempSync(join(scratch, 'case-'));

/** {@link cli} without blocking this process, which serves the endpoints the run talks to. */
function cliAsync(args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise<ReturnType<typeof cli>>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

const planTo = (out: string, format = 'json') => cli(['plan', '--evidence', DEMO, '--format', format, '--out', out]);
const csvTo = (out: string) => cli(['report', '--evidence', DEMO, '--format', 'csv', '--out', out]);
const expectedCsv = () => cli(['report', '--evidence', DEMO, '--format', 'csv']).stdout;

describe('--out onto what is not a regular file', () => {
  it('/dev/full is a one-line exit-2 "no space" error, and stays a device', () => {
    const r = csvTo('/dev/full');
    expectOutputError(r, '/dev/full', /no space left on device/);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });

  it('/dev/null is written into and stays a device', () => {
    const r = csvTo('/dev/null');
    expect(r.code, r.stderr).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('/dev/stdout writes to standard output, a pipe or a file the shell opened', () => {
    const piped = csvTo('/dev/stdout');
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(expectedCsv());
    const file = join(fresh(), 'report.csv');
    execFileSync('sh', ['-c', `"$0" "$1" report --evidence "$2" --format csv --out /dev/stdout > "$3"`, process.execPath, BIN, DEMO, file], {
      cwd: ROOT,
      env: ENV,
    });
    expect(readFileSync(file, 'utf8')).toBe(expectedCsv());
  });

  it('a FIFO is written into, for whoever reads it, and stays a FIFO', async () => {
    const fifo = join(fresh(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let read = '';
    reader.stdout.on('data', (d: Buffer) => (read += d.toString()));
    const done = new Promise((resolve) => reader.on('close', resolve));
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'report', '--evidence', DEMO, '--format', 'csv', '--out', fifo], { cwd: ROOT, env: ENV });
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (code) => {
        resolve({ code, stderr });
      });
    });
    await done;
    expect(r.code, r.stderr).toBe(0);
    expect(read).toBe(expectedCsv());
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a FIFO no one reads yet: after a second the run says it waits for a reader, then writes to the one that comes', async () => {
    const fifo = join(fresh(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    const p = spawn(process.execPath, [BIN, 'report', '--evidence', DEMO, '--format', 'csv', '--out', fifo], { cwd: ROOT, env: ENV });
    try {
      let stderr = '';
      const ended = new Promise<number | null>((resolve) => p.on('close', resolve));
      const said = new Promise<void>((resolve) =>
        p.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('\n')) resolve();
        }),
      );
      await Promise.race([said, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      expect(stderr).toBe(`irsa2pi: waiting for a reader of ${fifo}\n`);
      const read = execFileSync('cat', [fifo], { encoding: 'utf8' });
      expect(await ended, stderr).toBe(0);
      expect(read).toBe(expectedCsv());
      expect(stderr).toBe(`irsa2pi: waiting for a reader of ${fifo}\nirsa2pi: wrote ${fifo}\n`);
    } finally {
      p.kill('SIGKILL');
    }
  });

  it('a link to a regular file replaces the file it names and stays a link', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'plan.json'), 'old');
    chmodSync(join(dir, 'real', 'plan.json'), 0o600);
    symlinkSync(join('real', 'plan.json'), join(dir, 'link.json'));
    const r = planTo(join(dir, 'link.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.json'))).toBe(join('real', 'plan.json'));
    expect(JSON.parse(readFileSync(join(dir, 'real', 'plan.json'), 'utf8')).schemaVersion).toBe(1);
    expect(statSync(join(dir, 'real', 'plan.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real']);
    expect(readdirSync(join(dir, 'real'))).toEqual(['plan.json']);
  });

  it('a link to nothing is refused, and nothing is created where it points', () => {
    const dir = fresh();
    symlinkSync(join(dir, 'victim.json'), join(dir, 'plan.json'));
    expectOutputError(planTo(join(dir, 'plan.json')), join(dir, 'plan.json'), /symbolic link to nothing/);
    expect(existsSync(join(dir, 'victim.json'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['plan.json']);
  });

  it('a directory where the file goes is a one-line exit-2 error, and the directory is untouched', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'plan.json'));
    writeFileSync(join(dir, 'plan.json', 'keep'), 'keep');
    expectOutputError(planTo(join(dir, 'plan.json')), join(dir, 'plan.json'), /is a directory/);
    expect(readFileSync(join(dir, 'plan.json', 'keep'), 'utf8')).toBe('keep');
    expectOutputError(planTo(`${join(dir, 'new')}/`), join(dir, 'new'), /names a directory/);
    expect(existsSync(join(dir, 'new'))).toBe(false);
  });
});

describe('--out below what cannot hold it', () => {
  it('a parent that cannot be created (under /proc) is an exit-2 error at once, not a hang', () => {
    for (const format of ['json', 'script']) {
      const r = cli(['plan', '--evidence', DEMO, '--format', format, '--out', `/proc/irsa2pi-x/out.${format}`], { timeout: 15_000 });
      expectOutputError(r, '/proc/irsa2pi-x', /cannot create this directory/);
    }
  });

  it('an --out that cannot be written is refused before live collection asks AWS anything', async () => {
    let asked = 0;
    const silent = createServer((socket) => {
      asked++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const env = {
      ...ENV,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_CONFIG_FILE: '/nonexistent',
      KUBECONFIG: '/nonexistent',
    };
    const dir = fresh();
    writeFileSync(join(dir, 'file'), 'x');
    try {
      for (const [args, path, message] of [
        [['collect', '--out', '/proc/irsa2pi-x/bundle'], '/proc/irsa2pi-x', /cannot create this directory/],
        [['plan', '--format', 'script', '--out', '/proc/irsa2pi-x/scripts'], '/proc/irsa2pi-x', /cannot create this directory/],
        [['plan', '--format', 'json', '--out', '/proc/irsa2pi-x/plan.json'], '/proc/irsa2pi-x', /cannot create this directory/],
        [['report', '--format', 'csv', '--out', join(dir, 'file', 'report.csv')], join(dir, 'file'), /not a directory/],
        [['report', '--format', 'csv', '--out', dir], dir, /is a directory/],
      ] as const) {
        const r = await cliAsync([...args, '--region', 'us-east-1', '--quiet'], env);
        expectOutputError(r, path, message);
      }
      expect(asked).toBe(0);
    } finally {
      silent.close();
    }
  });

  it('a parent that is a file is an exit-2 error naming it', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'file'), 'x');
    expectOutputError(planTo(join(dir, 'file', 'sub', 'plan.json')), join(dir, 'file'), /not a directory/);
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('x');
  });

  it('missing parents are created', () => {
    const dir = fresh();
    const r = planTo(join(dir, 'a', 'b', 'plan.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'a', 'b', 'plan.json'), 'utf8')).schemaVersion).toBe(1);
  });

  // Root writes anywhere, so as root the CLI runs as nobody, which needs a checkout other users can read
  // (a clone inside a 0700 directory is not one).
  const nobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const runnable = cli(['--version'], nobody).code === 0;
  it.skipIf(!runnable)('a directory the user cannot write to is an exit-2 error naming the path (run as nobody)', () => {
    const dir = fresh();
    chmodSync(dir, 0o555);
    for (const [args, path] of [
      [['plan', '--evidence', DEMO, '--format', 'json', '--out', join(dir, 'plan.json')], join(dir, 'plan.json')],
      [['plan', '--evidence', DEMO, '--format', 'json', '--out', join(dir, 'sub', 'plan.json')], join(dir, 'sub')],
      [['plan', '--evidence', DEMO, '--format', 'terraform', '--out', join(dir, 'tf')], join(dir, 'tf')],
    ] as const) {
      expectOutputError(cli(args, nobody), path, /permission denied \(EACCES\)/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('paths named to forge lines', () => {
  it('an --out or bundle file named with a newline and a terminal escape is written and named on one escaped line', () => {
    const dir = fresh();
    const bundle = join(dir, 'bundle');
    execFileSync('cp', ['-r', DEMO, bundle]);
    writeFileSync(join(bundle, 'notes\nirsa2pi: error: forged\u001b[2J.txt'), 'x');
    const r = cli(['plan', '--evidence', bundle, '--format', 'json', '--out', join(dir, 'plan\nirsa2pi: error: forged\u001b[2J.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['bundle', 'plan\nirsa2pi: error: forged\u001b[2J.json']);
    expect(r.stderr.split('\n')).toEqual([
      `irsa2pi: ignored ${bundle}/notes\\x0airsa2pi: error: forged\\x1b[2J.txt (not a regular file of AWS CLI or kubectl output)`,
      `irsa2pi: wrote ${dir}/plan\\x0airsa2pi: error: forged\\x1b[2J.json`,
      '',
    ]);
  });
});

describe('standard output that cannot be written', () => {
  it('a full disk behind stdout, with or without --out /dev/stdout, is a one-line exit-2 error, not a crash', () => {
    for (const [out, named] of [
      [[], 'standard output'],
      [['--out', '/dev/stdout'], '/dev/stdout'],
    ] as const) {
      const r = spawnSync('sh', ['-c', '"$@" > /dev/full', 'sh', process.execPath, BIN, 'plan', '--evidence', DEMO, '--format', 'json', ...out], {
        cwd: ROOT,
        env: ENV,
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`irsa2pi: error: ${named}: cannot write: no space left on device (ENOSPC)\n`);
    }
  });

  it('a reader that stops early (200 KB of plan into head -c 10) still ends the run quietly with exit 0', () => {
    for (const out of [[], ['--out', '/dev/stdout']]) {
      const r = spawnSync(
        'bash',
        ['-c', '"$@" | head -c 10 > /dev/null; exit "${PIPESTATUS[0]}"', 'bash', process.execPath, BIN, 'plan', '--evidence', DEMO, '--format', 'json', ...out],
        { cwd: ROOT, env: ENV, encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/error/);
    }
  });
});
