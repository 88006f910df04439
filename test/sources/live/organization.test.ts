import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { plan } from '../../../src/plan/plan.js';
import { collectEvidence, type CollectOptions } from '../../../src/sources/live/collect.js';
import { DeleteClusterCommand, DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { awsEnv, createEmulatedCluster } from '../../helpers/moto.js';
import { runCli } from './world.js';
import { buildOrgWorld, MGMT, WEST, EAST, type OrgWorld } from './org-world.js';
import { stopAll } from '../../helpers/stop.js';

const GENERATED_AT = '2026-01-01T00:00:00.000Z';

function planOf(dir: string): Record<string, any> {
  return JSON.parse(JSON.stringify(plan(readEvidenceBundle(dir), { generatedAt: GENERATED_AT })));
}

/** Files of a bundle, relative, without the output marker. */
function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name !== '.irsa2pi-output.json')
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

const accountsOf = (files: string[]) => [...new Set(files.filter((f) => f.startsWith('aws/')).map((f) => f.split('/')[1]))].sort();

describe('collect across an AWS Organization (moto Organizations + STS, EKS shim, kube fakes)', () => {
  let w: OrgWorld;
  const saved = { ...process.env };
  beforeAll(async () => {
    w = await buildOrgWorld();
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await stopAll(w);
  });

  /** collectEvidence in-process as the management account's caller. */
  const collectAsCaller = async (opts: CollectOptions) => {
    Object.assign(process.env, w.env);
    try {
      return await collectEvidence({
        contexts: w.contexts,
        loadKubeConfig: () => {
          const kc = new KubeConfig();
          kc.loadFromFile(w.kubeconfig);
          return kc;
        },
        ...opts,
      });
    } finally {
      process.env = { ...saved };
    }
  };

  it('--organization --region all writes one bundle whose plan equals the accounts collected one by one and merged; a refused account is a gap, the rest completes (exit 4)', async () => {
    w.front.assumeRoles.length = 0;
    const out = join(w.dir, 'org');
    const r = await runCli({ env: w.env }, ['collect', '--organization', '--region', 'all', ...w.contexts.flatMap((c) => ['--context', c]), '-o', out]);
    expect(r.code, r.stderr).toBe(4);

    const { workA, workB, data, locked, closed } = w.accounts;
    const gaps = JSON.parse(readFileSync(join(out, 'scan-gaps.json'), 'utf8')).irsa2piScanGaps;
    expect(gaps).toEqual([{ scope: 'account', name: locked, region: '', account: locked, error: expect.stringContaining('AccessDenied') }]);
    const files = filesOf(out);
    expect(accountsOf(files)).toEqual([MGMT, workA, workB, data].sort());
    expect(files).toContain(`aws/${workA}/${WEST}/cluster-shop.json`);
    expect(files).toContain(`aws/${workB}/${EAST}/cluster-pay.json`);
    expect(files).toContain('kubernetes/shop/resources.json');
    expect(files).toContain('kubernetes/pay/resources.json');

    // The caller's own (management) account is read with its own credentials; the closed account is not read.
    const assumed = w.front.assumeRoles.map((a) => a.roleArn).sort();
    expect(assumed).toEqual([workA, workB, data, locked].sort().map((a) => `arn:aws:iam::${a}:role/OrganizationAccountAccessRole`));
    expect(assumed.some((a) => a.includes(closed) || a.includes(MGMT))).toBe(false);
    expect(new Set(w.front.assumeRoles.map((a) => a.roleSessionName))).toEqual(new Set(['irsa2pi-collect']));

    expect(r.stderr).toContain(`irsa2pi: account ${workA}: 1 clusters, 2 service accounts, 0 scan gaps`);
    expect(r.stderr).toContain(`irsa2pi: account ${workB}: 1 clusters, 1 service accounts, 0 scan gaps`);
    expect(r.stderr).toContain(`irsa2pi: account ${data}: 0 clusters, 0 service accounts, 0 scan gaps`);
    expect(r.stderr).toMatch(new RegExp(`irsa2pi: account ${locked}: scan gap: cannot assume role OrganizationAccountAccessRole: AccessDenied`));

    // The same estate, one account at a time with that account's own credentials and regions, merged by hand
    // (CloudFormation is read in every region, empty or not: a stack owning an IRSA role may live in any).
    const merged = join(w.dir, 'merged');
    mkdirSync(merged);
    for (const account of [MGMT, workA, workB, data]) {
      const env: Record<string, string> = { ...awsEnv(w.shim.endpoint, EAST), KUBECONFIG: w.kubeconfig };
      if (account !== MGMT) {
        const c = (await w.inside(account, EAST)).credentials;
        Object.assign(env, { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_SESSION_TOKEN: c.sessionToken! });
      }
      const one = join(w.dir, `one-${account}`);
      const rr = await runCli({ env }, ['collect', '--region', 'all', ...w.contexts.flatMap((c) => ['--context', c]), '-o', one, '--quiet']);
      expect(rr.code, rr.stderr).toBe(0);
      for (const f of filesOf(one)) cpSync(join(one, f), join(merged, f));
    }
    const withoutGaps = join(w.dir, 'org-without-gaps');
    cpSync(out, withoutGaps, { recursive: true });
    rmSync(join(withoutGaps, 'scan-gaps.json'));
    expect(filesOf(withoutGaps)).toEqual(filesOf(merged));
    const orgPlan = planOf(withoutGaps);
    expect(orgPlan).toEqual(planOf(merged));

    // The cross-account target role's trust is planned from evidence, not `role-not-scanned`.
    expect(orgPlan.findings.filter((f: { rule: string }) => f.rule === 'role-not-scanned')).toEqual([]);
    const reader = orgPlan.associations.find((a: { serviceAccount: string }) => a.serviceAccount === 'reader');
    expect(reader.targetRoleArn).toBe(`arn:aws:iam::${data}:role/data-reader`);
    expect(reader.reasons).not.toContain('role-not-scanned');
    // Read from the cluster's account alone, the same target role is not scanned.
    const alone = planOf(join(w.dir, `one-${workA}`));
    expect(
      alone.findings
        .filter((f: { rule: string }) => f.rule === 'role-not-scanned')
        .map((f: { message: string }) => f.message)
        .join('\n'),
    ).toContain('data-reader');
    // The full bundle plans the refused account as a scan gap.
    const gapFindings = planOf(out).findings.filter((f: { rule: string }) => f.rule === 'scan-gap');
    expect(gapFindings.map((f: { message: string }) => f.message)).toEqual([
      expect.stringMatching(new RegExp(`^account ${locked} could not be read: cannot assume role`)),
    ]);
  }, 120_000);

  it('--ou reads the unit and the units below it only; listings are paged', async () => {
    w.front.assumeRoles.length = 0;
    const operations: string[] = [];
    const counts: string[] = [];
    const result = await collectAsCaller({
      regions: [WEST, EAST],
      accounts: { organization: true, ou: w.ou, accounts: [], assumeRole: 'OrganizationAccountAccessRole' },
      organizationsPageSize: 1,
      onAwsOperation: (op) => operations.push(op),
      onAccounts: (done, total) => counts.push(`${done}/${total}`),
    });
    expect(counts).toEqual(['0/2', '1/2', '2/2']);
    expect(result.gaps).toEqual([]);
    expect(accountsOf(result.files.map((f) => f.path))).toEqual([w.accounts.workA, w.accounts.workB].sort());
    expect(operations).not.toContain('organizations:ListAccounts');
    expect(operations.filter((o) => o === 'organizations:ListChildren').length).toBeGreaterThanOrEqual(2);
    expect(operations.filter((o) => o === 'organizations:ListAccountsForParent').length).toBeGreaterThanOrEqual(2);
    // IAM once per account, EKS ListClusters once per account and region.
    expect(operations.filter((o) => o === 'iam:GetAccountAuthorizationDetails')).toHaveLength(2);
    expect(operations.filter((o) => o === 'eks:ListClusters')).toHaveLength(4);
    expect(operations.filter((o) => o === 'eks:DescribeCluster')).toHaveLength(2);
  }, 60_000);

  it('--organization pages ListAccounts, skips closed accounts, and passes --assume-role, --external-id and --role-session-name', async () => {
    w.front.assumeRoles.length = 0;
    const operations: string[] = [];
    const result = await collectAsCaller({
      regions: [WEST],
      accounts: { organization: true, accounts: [], assumeRole: 'audit/Irsa2piAudit', externalId: 'ext-42', roleSessionName: 'audit-run' },
      organizationsPageSize: 2,
      onAwsOperation: (op) => operations.push(op),
    });
    // 6 accounts (the management account and 5 members), 2 a page.
    expect(operations.filter((o) => o === 'organizations:ListAccounts')).toHaveLength(3);
    expect(w.front.assumeRoles.map((a) => a.roleArn.split(':')[4]).sort()).toEqual(
      [w.accounts.workA, w.accounts.workB, w.accounts.data, w.accounts.locked].sort(),
    );
    for (const a of w.front.assumeRoles) {
      expect(a.roleArn).toMatch(/^arn:aws:iam::\d{12}:role\/audit\/Irsa2piAudit$/);
      expect(a.externalId).toBe('ext-42');
      expect(a.roleSessionName).toBe('audit-run');
    }
    expect(result.gaps.map((g) => `${g.scope} ${g.name}`)).toEqual([`account ${w.accounts.locked}`]);
    expect(result.files.some((f) => f.path.includes(w.accounts.closed))).toBe(false);
  }, 60_000);

  it('--concurrency bounds the AWS requests in flight across the whole scan', async () => {
    const selection = { organization: true, accounts: [], assumeRole: 'OrganizationAccountAccessRole' };
    w.front.maxInFlight = 0;
    await collectAsCaller({ regions: ['all'], accounts: selection, concurrency: 2 });
    expect(w.front.maxInFlight).toBeGreaterThan(0);
    expect(w.front.maxInFlight).toBeLessThanOrEqual(2);
    w.front.maxInFlight = 0;
    await collectAsCaller({ regions: ['all'], accounts: selection, concurrency: 8 });
    expect(w.front.maxInFlight).toBeGreaterThan(2);
    expect(w.front.maxInFlight).toBeLessThanOrEqual(8);
  }, 60_000);

  it('clusters of one name in two accounts of one region get a folder each, kubernetes/<account>.<region>.<name>/, and each its own Kubernetes objects', async () => {
    const { workA, data } = w.accounts;
    const eks = new EKSClient(await w.inside(data, WEST));
    await createEmulatedCluster(eks, 'shop', data);
    const twinArn = (await eks.send(new DescribeClusterCommand({ name: 'shop' }))).cluster!.arn!;
    try {
      const result = await collectAsCaller({
        regions: [WEST],
        accounts: { organization: false, accounts: [workA, data], assumeRole: 'OrganizationAccountAccessRole' },
        contexts: [...w.contexts, `${twinArn}=kb`],
      });
      expect(result.gaps).toEqual([]);
      const out = join(w.dir, 'twins');
      mkdirSync(out);
      for (const f of result.files) {
        mkdirSync(join(out, f.path, '..'), { recursive: true });
        writeFileSync(join(out, f.path), f.content);
      }
      expect(readdirSync(join(out, 'kubernetes')).sort()).toEqual([`${data}.${WEST}.shop`, `${workA}.${WEST}.shop`].sort());
      const inv = readEvidenceBundle(out);
      const sas = (account: string) =>
        inv.clusters
          .find((c) => c.accountId === account && c.name === 'shop')!
          .kubernetes!.serviceAccounts.map((s) => `${s.namespace}/${s.name}`)
          .sort();
      expect(sas(workA)).toEqual(['shop/local', 'shop/reader']);
      expect(sas(data)).toEqual(['pay/writer']);
    } finally {
      await eks.send(new DeleteClusterCommand({ name: 'shop' }));
      eks.destroy();
    }
  }, 60_000);

  it('--quiet silences the per-account lines; without it each account finishing prints one', async () => {
    const args = ['collect', '--account', w.accounts.workB, '--region', EAST, ...w.contexts.flatMap((c) => ['--context', c])];
    const loud = await runCli({ env: w.env }, [...args, '-o', join(w.dir, 'loud')]);
    expect(loud.code, loud.stderr).toBe(0);
    expect(loud.stderr.split('\n').filter((l) => l.startsWith('irsa2pi: account '))).toEqual([
      `irsa2pi: account ${w.accounts.workB}: 1 clusters, 1 service accounts, 0 scan gaps`,
    ]);
    const quiet = await runCli({ env: w.env }, [...args, '--quiet', '-o', join(w.dir, 'quiet')]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('refuses an organisation listing an account id that is not 12 digits (it would name a bundle folder): exit 2, nothing written', async () => {
    const out = join(w.dir, 'hostile-listing');
    w.front.extraAccountId = '../../../../tmp/irsa2pi-escape';
    try {
      const r = await runCli({ env: w.env }, ['collect', '--organization', '--region', WEST, '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /cannot list the accounts of the organisation \(organizations:ListAccounts\): the organisation listed an account id that is not 12 digits: "\.\.\/\.\.\//,
        ),
      ]);
      expect(existsSync(out)).toBe(false);
      expect(existsSync('/tmp/irsa2pi-escape')).toBe(false);
    } finally {
      w.front.extraAccountId = undefined;
    }
  });

  it('refuses malformed organisation options with one line naming the option (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['--account', '12345'], /--account "12345" is not an AWS account id/],
      [['--ou', 'ou-../x'], /--ou "ou-\.\.\/x" is not an organisational unit id/],
      [['--external-id', 'x'], /--external-id applies to the accounts of --organization, --ou or --account/],
      [
        ['--organization', '--ou', 'ou-abcd-12345678'],
        /--ou ou-abcd-12345678 scans one unit of the organisation and --organization all of it; give one of them/,
      ],
      [['--organization', '--assume-role', 'a b'], /--assume-role "a b" is not an IAM role name/],
      [['--organization', '--concurrency', '0'], /--concurrency "0" is not a whole number from 1 to 64/],
      [['--organization', '--region', 'all', '--region', WEST], /--region all reads every enabled region; give it alone/],
    ];
    for (const [args, message] of cases) {
      const out = join(w.dir, 'refused');
      const r = await runCli({ env: w.env }, ['collect', ...args, '-o', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
  });
});
