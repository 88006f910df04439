/**
 * `--cluster` and `--region` with `--evidence`: the bundle's inventory narrowed to those clusters as a
 * live collection with the same options would read it; IAM (every role) stays whole.
 */
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, DEMO } from '../output/run.js';

interface PlanJson {
  associations: { cluster: string; clusterArn: string; region: string; namespace: string; serviceAccount: string }[];
  roles: { arn: string }[];
  findings: { rule: string; cluster?: string }[];
  summary: { clusters: number; regions: string[] };
}

function planOf(args: readonly string[], evidence = DEMO): PlanJson {
  const r = cli(['plan', '--evidence', evidence, '--format', 'json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

/** The demo with a second `prod-us`, in eu-west-1: two clusters of one name in two regions. */
function twinBundle(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'irsa2pi-filter-')), 'bundle');
  cpSync(DEMO, dir, { recursive: true });
  const us = readFileSync(join(dir, 'aws/111122223333/us-east-1/cluster-prod-us.json'), 'utf8');
  writeFileSync(join(dir, 'aws/111122223333/eu-west-1/cluster-prod-us.json'), us.replaceAll('us-east-1', 'eu-west-1'));
  renameSync(join(dir, 'kubernetes/prod-us'), join(dir, 'kubernetes/us-east-1.prod-us'));
  cpSync(join(dir, 'kubernetes/us-east-1.prod-us'), join(dir, 'kubernetes/eu-west-1.prod-us'), { recursive: true });
  return dir;
}

describe('--cluster and --region over an evidence bundle', () => {
  const whole = planOf([]);
  const key = (a: PlanJson['associations'][number]) => `${a.clusterArn} ${a.namespace}/${a.serviceAccount}`;

  it('--cluster keeps only that cluster: its identities and findings, every role', () => {
    const only = planOf(['--cluster', 'prod-us']);
    expect(only.associations.length).toBeGreaterThan(0);
    expect(only.associations.map(key)).toEqual(whole.associations.filter((a) => a.cluster === 'prod-us').map(key));
    expect(only.findings.filter((f) => f.cluster !== undefined && f.cluster !== 'prod-us')).toEqual([]);
    expect(only.findings.some((f) => f.cluster === 'prod-us')).toBe(true);
    expect(only.summary.clusters).toBe(1);
    const report = cli(['report', '--evidence', DEMO, '--format', 'json', '--cluster', 'prod-us']);
    expect(report.code, report.stderr).toBe(0);
    expect((JSON.parse(report.stdout) as { clusters: { name: string }[] }).clusters.map((c) => c.name)).toEqual(['prod-us']);
  });

  it('--region keeps the clusters of that region; with --cluster, both must hold', () => {
    expect(new Set(planOf(['--region', 'us-east-1']).associations.map((a) => a.cluster))).toEqual(new Set(['legacy', 'prod-us']));
    expect(new Set(planOf(['--region', 'us-east-1', '--cluster', 'legacy', '--cluster', 'prod-us']).associations.map((a) => a.cluster))).toEqual(
      new Set(['legacy', 'prod-us']),
    );
    expect(new Set(planOf(['--cluster', 'legacy', '--cluster', 'prod-eu']).associations.map((a) => a.cluster))).toEqual(new Set(['legacy', 'prod-eu']));
  });

  it('two clusters of one name: --region picks one, and the table tells them apart without it', () => {
    const dir = twinBundle();
    const eu = planOf(['--cluster', 'prod-us', '--region', 'eu-west-1'], dir);
    expect(eu.associations.length).toBeGreaterThan(0);
    expect(new Set(eu.associations.map((a) => a.clusterArn))).toEqual(new Set(['arn:aws:eks:eu-west-1:111122223333:cluster/prod-us']));
    const both = planOf(['--cluster', 'prod-us'], dir);
    expect(new Set(both.associations.map((a) => a.region))).toEqual(new Set(['eu-west-1', 'us-east-1']));
    const table = cli(['plan', '--evidence', dir, '--cluster', 'prod-us'], { env: { ...process.env, NO_COLOR: '1', COLUMNS: '120' } });
    expect(table.code, table.stderr).toBe(0);
    const firstCells = table.stdout
      .split('\n')
      .filter((l) => /^\S+ {3,}batch {3,}nightly /.test(l))
      .map((l) => l.split(' ')[0]);
    expect(firstCells).toEqual(['eu-west-1/prod-us', 'us-east-1/prod-us']);
  });

  it.each([
    [['--cluster', 'nope'], /^--cluster nope: the evidence bundle \S+ has no cluster of that name \(it has legacy, prod-eu, prod-us\)$/],
    [['--cluster', 'prod-us', '--cluster', 'prod-uss'], /^--cluster prod-uss: /],
    [['--region', 'ap-south-1'], /^--region ap-south-1: the evidence bundle \S+ has no cluster in that region \(it has clusters in eu-west-1, us-east-1\)$/],
    [
      ['--region', 'us-east-1', '--cluster', 'prod-eu'],
      /^--cluster prod-eu: the evidence bundle \S+ has no cluster of that name in us-east-1 \(it has legacy, prod-us\)$/,
    ],
    [['--cluster', 'bad\u001b]0;x\u0007'], /^--cluster bad\\x1b\]0;x\\x07: /],
  ])('%j naming nothing in the bundle is a usage error naming it, exit 2, nothing on stdout', (args, message) => {
    const r = cli(['plan', '--evidence', DEMO, ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]!.replace(/^irsa2pi: error: /, '')).toMatch(message);
    expect(lines[1]).toBe("irsa2pi: see 'irsa2pi plan --help' for the usage");
  });
});

describe('--cluster on a bundle whose other clusters still matter', () => {
  const SECOND = join(import.meta.dirname, '..', 'fixtures', 'bundles', 'chain-second-cluster');
  const planOf = (args: string[]) => {
    const r = cli(['plan', '--evidence', SECOND, '--format', 'json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as {
      associations: { cluster: string; namespace: string; serviceAccount: string; status: string }[];
      findings: { rule: string }[];
    };
  };

  it("migrating the second cluster adopts the chaining role the first cluster's migration made (its association is of a cluster left out, not a squatter)", () => {
    const status = (p: ReturnType<typeof planOf>) =>
      p.associations.find((a) => a.cluster === 'prod-us' && a.namespace === 'tools' && a.serviceAccount === 'toolbox')?.status;
    expect(status(planOf([]))).toBe('create');
    const filtered = planOf(['--cluster', 'prod-us']);
    expect(status(filtered)).toBe('create');
    expect(filtered.findings.map((f) => f.rule)).not.toContain('chain-role-conflict');
  });

  it("the report of one cluster does not call the other clusters' providers and trusts unknown or unused", () => {
    const rules = (args: string[]) => {
      const r = cli(['report', '--evidence', DEMO, '--format', 'json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { findings: { rule: string; message: string }[] }).findings;
    };
    const all = rules([]);
    const one = rules(['--cluster', 'prod-eu']);
    for (const rule of ['irsa-trust-unknown-provider', 'oidc-provider-unused']) {
      expect(one.filter((f) => f.rule === rule).length, rule).toBeLessThanOrEqual(all.filter((f) => f.rule === rule).length);
      for (const f of one.filter((f) => f.rule === rule))
        expect(
          all.map((a) => a.message),
          f.message,
        ).toContain(f.message);
    }
  });
});
