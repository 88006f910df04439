import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { plan } from '../../../src/plan/plan.js';
import { addonSupport } from '../../../src/plan/addon-support.js';
import { DeleteClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { freePort, runCommand } from '../../helpers/exec.js';
import { createEmulatedCluster, sdkConfig } from '../../helpers/moto.js';
import { buildWorld, handWrittenBundle, runCli, ACCT, REGION, type World } from './world.js';
import { stopAll } from '../../helpers/stop.js';

const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'collect-evidence.sh');
const GENERATED_AT = '2026-01-01T00:00:00.000Z';

/** The plan without evidence file paths (which differ between the two bundles by design). */
function comparablePlan(dir: string): unknown {
  const p = plan(readEvidenceBundle(dir), { generatedAt: GENERATED_AT }) as unknown as Record<string, unknown>;
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (k !== 'evidence' && k !== 'evidenceFiles') out[k] = strip(x);
      if (out.rule === 'scan-gap') out.message = "<the collector's own error text>";
      return out;
    }
    return typeof v === 'string' && v.includes(dir) ? '<path>' : v;
  };
  return strip(p);
}

/** Every AWS and Kubernetes file of the bundle has the time its collector recorded, between `from` and `to`. */
function expectRecordedTimes(dir: string, from: number, to: number, collector: string): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'collection.json'), 'utf8')).irsa2piCollection;
  expect(manifest.collector).toBe(collector);
  const evidence = readEvidenceBundle(dir).evidence.filter((e) => e.kind !== 'collection' && e.kind !== 'scan-gaps');
  expect(evidence.length).toBeGreaterThan(3);
  for (const e of evidence) {
    expect(e.collectedAt, e.path).toBeDefined();
    // The script's `date -u` has whole seconds.
    expect(Date.parse(e.collectedAt!), e.path).toBeGreaterThanOrEqual(Math.floor(from / 1000) * 1000);
    expect(Date.parse(e.collectedAt!), e.path).toBeLessThanOrEqual(to);
  }
  expect(Date.parse(manifest.startedAt)).toBeLessThanOrEqual(Math.min(...evidence.map((e) => Date.parse(e.collectedAt!))));
  expect(Date.parse(manifest.finishedAt)).toBeGreaterThanOrEqual(Math.max(...evidence.map((e) => Date.parse(e.collectedAt!))));
}

describe('irsa2pi collect against moto + EKS shim + kube fake', () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld({ withC2: true, associations: 4 });
  });
  afterAll(async () => {
    await stopAll(world);
  });

  it('plans live without --evidence, keeping the bundle with --save-evidence, and the plan equals the offline plan of that bundle', async () => {
    const saved = join(world.dir, 'saved-by-plan');
    const out = join(world.dir, 'live-plan.json');
    const r = await runCli(world, [
      'plan',
      '--region',
      REGION,
      '--cluster',
      'c1',
      '--context',
      'fake',
      '--save-evidence',
      saved,
      '--format',
      'json',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const live = JSON.parse(readFileSync(out, 'utf8'));
    const offline = plan(readEvidenceBundle(saved), { generatedAt: live.generatedAt });
    expect(live).toEqual(JSON.parse(JSON.stringify(offline)));
    expect(live.associations.map((a: { status: string }) => a.status)).toEqual(['exists']);
  });

  it('reports live into a temporary bundle it removes, and exits 4 when a cluster is a scan gap', async () => {
    const out = join(world.dir, 'live-report.md');
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('irsa2pi-evidence-')).length;
    const r = await runCli(world, ['report', '--region', REGION, '--context', 'c1=fake', '--context', 'c2=dead', '--out', out, '--quiet']);
    expect(r.code).toBe(4);
    expect(readFileSync(out, 'utf8')).toContain('scan-gap');
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('irsa2pi-evidence-')).length).toBe(before);
  });

  it('--profile picks the AWS profile for live collection', async () => {
    const config = join(world.dir, 'aws-config');
    writeFileSync(config, `[profile audit]\nregion = ${REGION}\naws_access_key_id = testing\naws_secret_access_key = testing\n`);
    const out = join(world.dir, 'by-profile');
    const env = { ...world.env };
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    const r = await runCli({ ...world, env: { ...env, AWS_CONFIG_FILE: config } }, [
      'collect',
      '--profile',
      'audit',
      '--cluster',
      'c1',
      '--context',
      'fake',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'kubernetes', 'c1', 'resources.json'))).toBe(true);
    const without = await runCli({ ...world, env: { ...env, AWS_CONFIG_FILE: config, AWS_REGION: REGION } }, [
      'collect',
      '--cluster',
      'c1',
      '--context',
      'fake',
      '--out',
      join(world.dir, 'no-profile'),
      '--quiet',
    ]);
    expect(without.code).not.toBe(0);
  });

  it('writes a bundle whose plan equals the plan of the README snippet run with the AWS CLI and kubectl', async () => {
    const out = join(world.dir, 'collected');
    const from = Date.now();
    const r = await runCli(world, ['collect', '--out', out, '--region', REGION, '--cluster', 'c1', '--context', 'fake']);
    expect(r.stderr).toContain(`${REGION}/c1:`);
    expect(r.code).toBe(0);
    expectRecordedTimes(out, from, Date.now(), 'irsa2pi collect');
    expect(r.stderr).not.toContain('testing'); // the dummy credentials
    expect(existsSync(join(out, 'scan-gaps.json'))).toBe(false);
    const assocFiles = readdirSync(join(out, 'aws', ACCT, REGION)).filter((f) => f.startsWith('pod-identity-association-'));
    expect(assocFiles).toHaveLength(5);
    // CLI shapes: decoded policy documents, ISO timestamps, kubectl's List.
    const gaad = JSON.parse(readFileSync(join(out, 'aws', ACCT, 'iam-authorization-details.json'), 'utf8'));
    expect(typeof gaad.RoleDetailList[0].AssumeRolePolicyDocument).toBe('object');
    expect(gaad.RoleDetailList[0].CreateDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    const list = JSON.parse(readFileSync(join(out, 'kubernetes', 'c1', 'resources.json'), 'utf8'));
    expect(list.kind).toBe('List');
    expect(list.items.every((o: { apiVersion?: string; kind?: string }) => o.apiVersion && o.kind)).toBe(true);

    const hand = join(world.dir, 'hand');
    await handWrittenBundle(world, hand, ['c1']);
    const expected = comparablePlan(hand);
    const actual = comparablePlan(out);
    expect(actual).toEqual(expected);
    const statuses = (actual as { associations: { status: string }[] }).associations.map((a) => a.status);
    expect(statuses).toEqual(['exists']);
    const inv = readEvidenceBundle(out);
    expect(inv.associations).toHaveLength(5);
    expect(inv.clusters[0]?.kubernetes).toBeDefined();
  }, 300_000);

  it('records an unreachable cluster as a scan gap, completes the other one and exits 4', async () => {
    const out = join(world.dir, 'partial');
    const r = await runCli(world, ['collect', '--out', out, '--region', REGION, '--context', 'c1=fake', '--context', 'c2=dead']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/c2: .*scan gap/);
    const gaps = JSON.parse(readFileSync(join(out, 'scan-gaps.json'), 'utf8'));
    expect(gaps.irsa2piScanGaps).toHaveLength(1);
    expect(gaps.irsa2piScanGaps[0]).toMatchObject({ scope: 'cluster', name: 'c2', region: REGION });
    expect(gaps.irsa2piScanGaps[0].error).toMatch(/ECONNREFUSED/);
    expect(existsSync(join(out, 'kubernetes', 'c1', 'resources.json'))).toBe(true);
    expect(existsSync(join(out, 'kubernetes', 'c2'))).toBe(false);
    const inv = readEvidenceBundle(out);
    const byName = Object.fromEntries(inv.clusters.map((c) => [c.name, c]));
    expect(byName.c1?.kubernetes).toBeDefined();
    expect(byName.c2?.kubernetes).toBeUndefined();
  });

  it('--quiet prints nothing; a cluster no context reaches is a scan gap', async () => {
    const out = join(world.dir, 'quiet');
    const r = await runCli(world, ['collect', '--out', out, '--region', REGION, '--cluster', 'c2', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(4);
    const gaps = JSON.parse(readFileSync(join(out, 'scan-gaps.json'), 'utf8'));
    expect(gaps.irsa2piScanGaps[0].error).toMatch(/no kubeconfig context/);
  });

  it('a region whose EKS endpoint fails is a scan gap; IAM is still collected', async () => {
    const out = join(world.dir, 'badregion');
    const closed = await freePort();
    const r = await runCli({ ...world, env: { ...world.env, AWS_ENDPOINT_URL_EKS: `http://127.0.0.1:${closed}` } }, [
      'collect',
      '--out',
      out,
      '--region',
      REGION,
      '--quiet',
    ]);
    expect(r.code).toBe(4);
    const gaps = JSON.parse(readFileSync(join(out, 'scan-gaps.json'), 'utf8'));
    expect(gaps.irsa2piScanGaps).toEqual([expect.objectContaining({ scope: 'region', name: REGION, region: REGION })]);
    expect(existsSync(join(out, 'aws', ACCT, 'iam-authorization-details.json'))).toBe(true);
  });

  it('scripts/collect-evidence.sh (aws + kubectl only) writes a bundle with the same plan and the same scan gap', async () => {
    const collected = join(world.dir, 'partial-2');
    expect((await runCli(world, ['collect', '--out', collected, '--region', REGION, '--context', 'c1=fake', '--context', 'c2=dead', '--quiet'])).code).toBe(4);
    const scripted = join(world.dir, 'scripted');
    const from = Date.now();
    const r = await runCommand('bash', [SCRIPT, '-o', scripted, '-r', REGION, '-c', 'c1=fake', '-c', 'c2=dead'], {
      env: { ...world.env, KUBECACHEDIR: join(world.dir, 'kcache-script') },
      timeoutMs: 280_000,
    });
    expect(r.stderr).toContain('c2: scan gap');
    expect(r.code).toBe(4);
    const to = Date.now();
    expect(r.stderr).not.toContain('testing');
    const gaps = JSON.parse(readFileSync(join(scripted, 'scan-gaps.json'), 'utf8'));
    expect(gaps.irsa2piScanGaps).toEqual([expect.objectContaining({ scope: 'cluster', name: 'c2', region: REGION })]);
    // moto fault: its GetAccountAuthorizationDetails omits Policies[].PolicyName (real IAM prints it).
    const gaadPath = join(scripted, 'aws', ACCT, 'iam-authorization-details.json');
    const gaad = JSON.parse(readFileSync(gaadPath, 'utf8'));
    for (const p of gaad.Policies) p.PolicyName ??= String(p.Arn).split('/').pop();
    writeFileSync(gaadPath, JSON.stringify(gaad, null, 4));
    expectRecordedTimes(scripted, from, to, 'scripts/collect-evidence.sh');
    expect(comparablePlan(scripted)).toEqual(comparablePlan(collected));
  }, 300_000);

  it('clusters of one name in two regions get a folder each, kubernetes/<region>.<name>/, from both collectors', async () => {
    const east = new EKSClient(sdkConfig(world.shim.endpoint, 'us-east-1'));
    await createEmulatedCluster(east, 'c1', ACCT);
    try {
      const collected = join(world.dir, 'two-regions');
      const r = await runCli(world, [
        'collect',
        '--out',
        collected,
        '--region',
        REGION,
        '--region',
        'us-east-1',
        '--context',
        'c1=fake',
        '--context',
        'c2=dead',
        '--quiet',
      ]);
      expect(r.code, r.stderr).toBe(4);
      expect(readdirSync(join(collected, 'kubernetes')).sort()).toEqual([`${REGION}.c1`, 'us-east-1.c1']);
      const inv = readEvidenceBundle(collected);
      expect(inv.clusters.map((c) => [c.region, c.name, (c.kubernetes?.serviceAccounts.length ?? 0) > 0])).toEqual([
        [REGION, 'c1', true],
        [REGION, 'c2', false],
        ['us-east-1', 'c1', true],
      ]);
      const scripted = join(world.dir, 'two-regions-scripted');
      const from = Date.now();
      const s = await runCommand('bash', [SCRIPT, '-o', scripted, '-r', REGION, '-r', 'us-east-1', '-c', 'c1=fake', '-c', 'c2=dead'], {
        env: { ...world.env, KUBECACHEDIR: join(world.dir, 'kcache-two-regions') },
        timeoutMs: 280_000,
      });
      expect(s.code, s.stderr).toBe(4);
      expect(readdirSync(join(scripted, 'kubernetes')).sort()).toEqual([`${REGION}.c1`, 'us-east-1.c1']);
      const to = Date.now();
      const gaadPath = join(scripted, 'aws', ACCT, 'iam-authorization-details.json');
      const gaad = JSON.parse(readFileSync(gaadPath, 'utf8'));
      for (const p of gaad.Policies) p.PolicyName ??= String(p.Arn).split('/').pop();
      writeFileSync(gaadPath, JSON.stringify(gaad, null, 4));
      expectRecordedTimes(scripted, from, to, 'scripts/collect-evidence.sh');
      expect(comparablePlan(scripted)).toEqual(comparablePlan(collected));
    } finally {
      await east.send(new DeleteClusterCommand({ name: 'c1' }));
      east.destroy();
    }
  }, 300_000);

  it('both collectors describe each add-on version in use once per region, and bisect the later versions for the lowest taking Pod Identity, writing the same files', async () => {
    const cni = `arn:aws:iam::${ACCT}:role/cni`;
    const seeded = [
      world.shim.seedAddon({ clusterName: 'c1', addonName: 'vpc-cni', region: REGION, addonVersion: 'v1.15.0-eksbuild.2', serviceAccountRoleArn: cni }),
      world.shim.seedAddon({ clusterName: 'c2', addonName: 'vpc-cni', region: REGION, addonVersion: 'v1.15.0-eksbuild.2', serviceAccountRoleArn: cni }),
      world.shim.seedAddon({ clusterName: 'c2', addonName: 'coredns', region: REGION, addonVersion: 'v1.11.3-eksbuild.1' }),
    ];
    // Later vpc-cni versions: v1.15.1, v1.15.3 | v1.16.0, v1.16.4, v1.18.3, v1.19.0; the bisection asks v1.16.0, v1.15.1, v1.15.3.
    const expectedAsked = [
      'coredns v1.11.3-eksbuild.1',
      'eks-pod-identity-agent v1.3.4-eksbuild.1',
      'vpc-cni v1.15.0-eksbuild.2',
      'vpc-cni v1.15.1-eksbuild.1',
      'vpc-cni v1.15.3-eksbuild.1',
      'vpc-cni v1.16.0-eksbuild.1',
    ];
    const listed = () => world.shim.state.requests.filter((r) => r.path === '/addons/supported-versions').map((r) => r.query.addonName);
    try {
      const asked = () =>
        world.shim.state.requests.filter((r) => r.path === '/addons/configuration-schemas').map((r) => `${r.query.addonName} ${r.query.addonVersion}`);
      const configurations = (dir: string) => {
        const files = readdirSync(join(dir, 'aws', ACCT, REGION)).filter((f) => f.startsWith('addon-configuration-'));
        return Object.fromEntries(files.map((f) => [f, JSON.parse(readFileSync(join(dir, 'aws', ACCT, REGION, f), 'utf8')) as unknown]));
      };
      world.shim.state.requests.length = 0;
      const collected = join(world.dir, 'addon-configurations');
      const r = await runCli(world, ['collect', '--out', collected, '--region', REGION, '--context', 'c1=fake', '--context', 'c2=dead']);
      expect(r.code, r.stderr).toBe(4);
      expect(asked().sort()).toEqual(expectedAsked);
      expect(listed()).toEqual(['vpc-cni']);
      expect(r.stderr).toContain('add-on coredns v1.11.3-eksbuild.1: DescribeAddonConfiguration: ResourceNotFoundException');
      const fromCollect = configurations(collected);
      expect(Object.keys(fromCollect).sort()).toEqual(
        [
          'eks-pod-identity-agent-v1.3.4-eksbuild.1',
          'vpc-cni-v1.15.0-eksbuild.2',
          'vpc-cni-v1.15.1-eksbuild.1',
          'vpc-cni-v1.15.3-eksbuild.1',
          'vpc-cni-v1.16.0-eksbuild.1',
        ].map((f) => `addon-configuration-${f}.json`),
      );
      const inv = readEvidenceBundle(collected);
      expect(inv.addonConfigurations?.map((c) => [c.addonName, c.addonVersion, c.podIdentityServiceAccounts])).toEqual([
        ['eks-pod-identity-agent', 'v1.3.4-eksbuild.1', []],
        ['vpc-cni', 'v1.15.0-eksbuild.2', []],
        ['vpc-cni', 'v1.15.1-eksbuild.1', []],
        ['vpc-cni', 'v1.15.3-eksbuild.1', []],
        ['vpc-cni', 'v1.16.0-eksbuild.1', ['aws-node']],
      ]);
      const installed = inv.addons.find((a) => a.name === 'vpc-cni' && a.clusterName === 'c1')!;
      expect(addonSupport(installed, 'aws-node', inv.addonConfigurations ?? [])).toMatchObject({ kind: 'no-pod-identity', minimum: 'v1.16.0-eksbuild.1' });

      world.shim.state.requests.length = 0;
      const scripted = join(world.dir, 'addon-configurations-scripted');
      const s = await runCommand('bash', [SCRIPT, '-o', scripted, '-r', REGION, '-c', 'c1=fake', '-c', 'c2=dead'], {
        env: { ...world.env, KUBECACHEDIR: join(world.dir, 'kcache-addon-configurations') },
        timeoutMs: 280_000,
      });
      expect(s.code, s.stderr).toBe(4);
      expect(asked().sort()).toEqual(expectedAsked);
      expect(listed()).toEqual(['vpc-cni']);
      expect(s.stderr).toContain('add-on coredns v1.11.3-eksbuild.1: DescribeAddonConfiguration:');
      expect(configurations(scripted)).toEqual(fromCollect);
      const times = JSON.parse(readFileSync(join(scripted, 'collection.json'), 'utf8')).irsa2piCollection.files as Record<string, string>;
      expect(
        Object.keys(times)
          .filter((f) => f.includes('addon-configuration-'))
          .sort(),
      ).toEqual(Object.keys(fromCollect).map((f) => `aws/${ACCT}/${REGION}/${f}`));
    } finally {
      for (const a of seeded) world.shim.state.addons.delete(`${REGION}/${a.clusterName}/${a.addonName}`);
    }
  }, 300_000);

  it('scripts/collect-evidence.sh is shellcheck-clean', async () => {
    const r = await runCommand('shellcheck', ['-S', 'warning', SCRIPT]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('refuses to replace a directory that is not an evidence bundle (exit 2, nothing touched)', async () => {
    const foreign = join(world.dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    const r = await runCli(world, ['collect', '--out', foreign, '--region', REGION, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/directory irsa2pi did not write/);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});
