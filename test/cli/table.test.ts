/** The default `plan` output: a table fitted to COLUMNS (120 when not a terminal and unset), `--wide` whole. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textWidth } from '../../src/emit/text-width.js';
import { cli, DEMO, ENV } from '../output/run.js';

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
});
