/** The default `plan` output: a table fitted to COLUMNS (120 when not a terminal and unset), `--wide` whole. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textWidth } from '../../src/emit/text-width.js';
import { BIN, cli, DEMO, ENV, ROOT } from '../output/run.js';

/** util-linux `script`, which runs a command on a pseudo-terminal. */
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

const table = (args: readonly string[], columns?: string) => {
  const env: NodeJS.ProcessEnv = { ...ENV };
  delete env.COLUMNS;
  const r = cli(['plan', '--evidence', DEMO, ...args], { env: columns === undefined ? env : { ...env, COLUMNS: columns } });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const widest = (text: string) => Math.max(...text.split('\n').map(textWidth));

describe('plan --format table', () => {
  it.each([
    ['80', 80],
    ['100', 100],
    [undefined, 120],
    ['', 120],
    ['wide', 120],
    ['0', 120],
  ])('COLUMNS=%j: every line fits %i columns', (columns, width) => {
    const text = table([], columns);
    expect(widest(text)).toBeLessThanOrEqual(width);
    expect(widest(text)).toBeGreaterThan(width - 20);
  });

  it('--wide prints every ARN whole, whatever COLUMNS says', () => {
    const text = table(['--wide'], '80');
    expect(text).toContain('arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu   analytics');
    expect(text).toContain('arn:aws:iam::111122223333:role/teams/payments/payments-api');
    expect(text.split('\n\n')[0]).not.toContain('…');
    expect(widest(text)).toBeGreaterThan(200);
  });

  it('a table written to --out fits COLUMNS too', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'irsa2pi-table-')), 'plan.txt');
    expect(table(['--out', out], '90')).toBe('');
    const text = readFileSync(out, 'utf8');
    expect(widest(text)).toBeLessThanOrEqual(90);
    expect(widest(text)).toBeGreaterThan(70);
  });

  it.runIf(hasScript)('on a terminal, the width of the terminal wins over COLUMNS, and colour does not count', () => {
    const command = `stty cols 90 && '${process.execPath}' '${BIN}' plan --evidence '${DEMO}'`;
    const env: NodeJS.ProcessEnv = { ...ENV, COLUMNS: '200' };
    delete env.NO_COLOR;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\u001b\[3\dm/);
    const plain = r.stdout.replaceAll('\r', '').replace(/\u001b\[\d+(;\d+)*m/g, '');
    expect(widest(plain)).toBeLessThanOrEqual(90);
    expect(widest(plain)).toBeGreaterThan(80);
  });
});
