import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../output/run.js';

const FIRES = join(ROOT, 'fixtures', 'rules', 'irsa-role-stale', 'fires');

/** The roles `report` finds stale in the fixture, with these extra arguments. */
function staleRoles(...args: string[]): string[] {
  const r = cli(['report', '--evidence', FIRES, '--format', 'json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as { findings: { rule: string; roleArn?: string; severity: string }[] };
  return report.findings.filter((f) => f.rule === 'irsa-role-stale').map((f) => `${f.severity} ${f.roleArn ?? ''}`);
}

describe('report --stale-days', () => {
  it('sets the period after which an IRSA role is stale (90 days unless given), measured from the recorded collection time', () => {
    const app = 'low arn:aws:iam::111122223333:role/app';
    const idle = 'low arn:aws:iam::111122223333:role/idle';
    expect(staleRoles()).toEqual([app, idle]);
    expect(staleRoles('--stale-days', '213')).toEqual([app, idle]);
    expect(staleRoles('--stale-days', '214')).toEqual([idle]);
    expect(staleRoles('--stale-days', '400')).toEqual([idle]);
  });

  it.each(['090', '0', '401', '9.5', ' 90', '1e2'])('refuses --stale-days %j with one line (exit 2)', (days) => {
    const r = cli(['report', '--evidence', FIRES, '--stale-days', days]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain('--stale-days must be a whole number of days from 1 to 400 (IAM reports');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with --fail-on low when a role is stale, and names the rule in the Markdown report', () => {
    const r = cli(['report', '--evidence', FIRES, '--fail-on', 'low']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('irsa-role-stale');
    expect(cli(['report', '--evidence', FIRES, '--fail-on', 'low', '--stale-days', '400']).code).toBe(1);
    expect(cli(['report', '--evidence', join(ROOT, 'fixtures', 'rules', 'irsa-role-stale', 'quiet'), '--fail-on', 'low']).code).toBe(0);
  });
});
