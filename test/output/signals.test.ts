/**
 * SIGINT or SIGTERM while `--out` is being written leaves no temporary file: the output is there whole
 * or not at all, and the process ends by the signal. A report of 20,000 service accounts (about 10 MB
 * of Markdown, written over a second or more) is generated here.
 */
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, ENV, ROOT } from './run.js';

const scratch = mkdtempSync(join(tmpdir(), 'irsa2pi-signals-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});
const bundle = join(scratch, 'bundle');
let whole = '';

beforeAll(() => {
  cpSync(join(ROOT, 'test', 'fixtures', 'hostile', 'control-base'), bundle, { recursive: true });
  rmSync(join(bundle, 'expect.json'));
  const items = Array.from({ length: 20_000 }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: `sa-${i}`, namespace: 'shop', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/s3-readers' } },
  }));
  writeFileSync(join(bundle, 'kubernetes', 'c1', 'many.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  whole = cli(['report', '--evidence', bundle, '--format', 'markdown'], { timeout: 120_000, maxBuffer: 1 << 30 }).stdout;
}, 180_000);

describe('a signal during the write of --out', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s removes the temporary file', { timeout: 120_000 }, async (signal) => {
    const dir = mkdtempSync(join(scratch, 'out-'));
    const out = join(dir, 'report.md');
    const child = spawn(process.execPath, [BIN, 'report', '--evidence', bundle, '--format', 'markdown', '--out', out], {
      cwd: ROOT,
      env: ENV,
      stdio: 'ignore',
    });
    const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, sig) => {
        resolve({ code, signal: sig });
      }),
    );
    const state = { exited: false };
    void ended.then(() => {
      state.exited = true;
    });
    let sawTemporary = false;
    while (!state.exited) {
      if (readdirSync(dir).some((name) => name !== 'report.md')) {
        sawTemporary = true;
        child.kill(signal);
        break;
      }
      await sleep(1);
    }
    const end = await ended;
    expect(sawTemporary, 'the write ended before a temporary file was seen: make the report larger').toBe(true);
    expect(end.signal).toBe(signal);
    expect(readdirSync(dir).filter((name) => name !== 'report.md')).toEqual([]);
    if (existsSync(out)) expect(readFileSync(out, 'utf8')).toBe(whole);
  });
});

describe('a signal during live collection', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s removes the temporary evidence directory of plan without --evidence', { timeout: 60_000 }, async (signal) => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const tmp = mkdtempSync(join(scratch, 'tmp-'));
    const env = {
      ...ENV,
      TMPDIR: tmp,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/nonexistent',
      KUBECONFIG: '/nonexistent',
    };
    const child = spawn(process.execPath, [BIN, 'plan', '--region', 'us-east-1', '--quiet', '--format', 'json'], { cwd: ROOT, env, stdio: 'ignore' });
    const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, sig) => {
        resolve({ code, signal: sig });
      }),
    );
    try {
      while (sockets.length === 0) await sleep(20);
      expect(readdirSync(tmp).filter((name) => name.startsWith('irsa2pi-evidence-'))).toHaveLength(1);
      child.kill(signal);
      expect(await ended).toEqual({ code: null, signal });
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
