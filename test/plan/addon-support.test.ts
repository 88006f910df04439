import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { plan } from '../../src/plan/plan.js';
import { compareAddonVersions } from '../../src/order.js';
import { CATALOGUE } from '../../src/findings/catalogue.js';
import type { Addon, Cluster } from '../../src/model/inventory.js';
import { cluster, inventory, irsaStatement, role, serviceAccount } from '../helpers/inventory.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'addon-role');
const DIR = join('aws', '111122223333', 'eu-west-1');
const INSTALLED = 'v1.19.0-eksbuild.1';
const CONFIG = `addon-configuration-vpc-cni-${INSTALLED}.json`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The addon-role fixture with its vpc-cni configuration files replaced by `configs` (version → service accounts; undefined: no list). */
function bundle(configs: Record<string, string[] | undefined>): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-addon-support-'));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(join(dir, DIR, CONFIG));
  for (const [version, accounts] of Object.entries(configs)) {
    const doc = {
      addonName: 'vpc-cni',
      addonVersion: version,
      configurationSchema: '{}',
      ...(accounts ? { podIdentityConfiguration: accounts.map((serviceAccount) => ({ serviceAccount, recommendedManagedPolicies: [] })) } : {}),
    };
    writeFileSync(join(dir, DIR, `addon-configuration-vpc-cni-${version}.json`), `${JSON.stringify(doc, null, 4)}\n`);
  }
  return dir;
}

function planOf(dir: string) {
  const p = plan(readEvidenceBundle(dir), { generatedAt: 'x' });
  const aws = p.associations.find((a) => a.serviceAccount === 'aws-node');
  if (!aws) throw new Error('no aws-node identity');
  const updates = p.steps.filter((s) => s.action === 'update-addon');
  const findings = p.findings.filter((f) => f.rule.startsWith('addon-no') || f.rule === 'addon-pod-identity-unknown');
  return { aws, updates, findings };
}

describe('add-on versions without Pod Identity support (addon-no-pod-identity)', () => {
  it('a version whose configuration names the service account is planned through UpdateAddon, with no note', () => {
    const { aws, updates, findings } = planOf(bundle({ [INSTALLED]: ['aws-node'] }));
    expect([aws.status, aws.via, aws.reasons]).toEqual(['create', 'addon', ['addon-owned-role']]);
    expect(updates).toHaveLength(1);
    expect(findings).toEqual([]);
  });

  it('a version with an empty podIdentityConfiguration is blocked, naming the lowest later version that supports it', () => {
    const { aws, updates, findings } = planOf(
      bundle({ [INSTALLED]: [], 'v1.19.2-eksbuild.1': ['aws-node'], 'v1.19.10-eksbuild.1': ['aws-node'], 'v1.18.0-eksbuild.1': ['aws-node'] }),
    );
    expect([aws.status, aws.reasons]).toEqual(['blocked', ['addon-no-pod-identity']]);
    expect(updates).toEqual([]);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['addon-no-pod-identity', 'high']]);
    expect(findings[0]?.message).toContain(`add-on vpc-cni ${INSTALLED} cannot take Pod Identity associations`);
    expect(findings[0]?.message).toContain('update the add-on to ≥ v1.19.2-eksbuild.1 first');
  });

  it('a version with no podIdentityConfiguration at all is blocked too, and says no supporting version is known', () => {
    const { aws, findings } = planOf(bundle({ [INSTALLED]: undefined }));
    expect([aws.status, aws.reasons]).toEqual(['blocked', ['addon-no-pod-identity']]);
    expect(findings[0]?.message).toContain('no collected version of vpc-cni is known to support it');
    expect(findings[0]?.message).not.toContain('≥');
  });

  it('a version that names only other service accounts is blocked, saying which', () => {
    const { aws, updates, findings } = planOf(bundle({ [INSTALLED]: ['cni-metrics'] }));
    expect([aws.status, aws.reasons]).toEqual(['blocked', ['addon-no-pod-identity']]);
    expect(updates).toEqual([]);
    expect(findings[0]?.message).toContain('only for service account cni-metrics');
    expect(findings[0]?.message).toContain('not aws-node');
  });

  it('an uncollected configuration never blocks: the identity is planned with a low note that its support is unknown', () => {
    const { aws, updates, findings } = planOf(bundle({ 'v1.20.0-eksbuild.1': [] }));
    expect([aws.status, aws.reasons]).toEqual(['create', ['addon-owned-role', 'addon-pod-identity-unknown']]);
    expect(updates).toHaveLength(1);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['addon-pod-identity-unknown', 'low']]);
    expect(findings[0]?.message).toContain(`add-on vpc-cni ${INSTALLED}`);
    expect(findings[0]?.message).toContain('unknown');
  });

  it('two clusters: the one on a version without support is blocked, the one on a later version migrates, and the role serves only that one', () => {
    const cni = 'arn:aws:iam::111122223333:role/cni';
    const old = cluster('c1', [serviceAccount('kube-system', 'aws-node', cni)]);
    const current = cluster('c2', [serviceAccount('kube-system', 'aws-node', cni)]);
    const addon = (c: Cluster, version: string): Addon => ({
      name: 'vpc-cni',
      clusterName: c.name,
      clusterArn: c.arn,
      version,
      serviceAccountRoleArn: cni,
      namespace: undefined,
      podIdentityAssociations: [],
      source: 'builder',
    });
    const config = (addonVersion: string, accounts: string[]) => ({
      addonName: 'vpc-cni',
      addonVersion,
      podIdentityServiceAccounts: accounts,
      source: `${addonVersion}.json`,
    });
    const r = role('cni', [
      irsaStatement(old, 'StringEquals', ['system:serviceaccount:kube-system:aws-node']),
      irsaStatement(current, 'StringEquals', ['system:serviceaccount:kube-system:aws-node']),
    ]);
    const p = plan(
      {
        ...inventory([old, current], [r]),
        addons: [addon(old, 'v1.15.0-eksbuild.2'), addon(current, 'v1.19.0-eksbuild.1')],
        addonConfigurations: [config('v1.15.0-eksbuild.2', []), config('v1.19.0-eksbuild.1', ['aws-node'])],
      },
      { generatedAt: 'x' },
    );
    expect(p.associations.map((a) => [a.cluster, a.status, a.reasons])).toEqual([
      ['c1', 'blocked', ['addon-no-pod-identity']],
      ['c2', 'create', ['addon-owned-role']],
    ]);
    expect(p.findings.find((f) => f.rule === 'addon-no-pod-identity')?.message).toContain('update the add-on to ≥ v1.19.0-eksbuild.1 first');
    expect(p.steps.filter((s) => s.action === 'update-addon').map((s) => s.cluster)).toEqual(['c2']);
    const final = JSON.stringify(p.roles.find((x) => x.arn === cni)?.trustPolicy.final);
    expect(final).toContain(current.arn);
    expect(final).not.toContain(old.arn);
  });

  it('both rules are in the catalogue (docs/rules.md, SARIF)', () => {
    expect(CATALOGUE.map((r) => r.id)).toEqual(expect.arrayContaining(['addon-no-pod-identity', 'addon-pod-identity-unknown']));
  });

  it('orders add-on versions by their numbers', () => {
    const versions = ['v1.19.10-eksbuild.1', 'v1.19.2-eksbuild.2', 'v1.19.2-eksbuild.10', 'v1.9.0-eksbuild.1'];
    expect([...versions].sort(compareAddonVersions)).toEqual(['v1.9.0-eksbuild.1', 'v1.19.2-eksbuild.2', 'v1.19.2-eksbuild.10', 'v1.19.10-eksbuild.1']);
  });
});
