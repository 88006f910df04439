import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDirectoryAtomic } from '../../src/cli/write-atomic.js';
import { InputError } from '../../src/errors.js';
import { PLAN_EMITTERS } from '../../src/emit/plan/index.js';
import { checkName, hclString, shellQuote } from '../../src/emit/names.js';
import { emitScript } from '../../src/emit/plan/script/index.js';
import type { EmittedFile } from '../../src/emit/types.js';
import type { Plan } from '../../src/plan/model.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { runCommand } from '../helpers/exec.js';
import { cluster, inventory, irsaStatement, role, serviceAccount } from '../helpers/inventory.js';
import type { Cluster } from '../../src/model/inventory.js';
import { expectHelpersOnly } from './template-check.js';

const ROOT = path.join(import.meta.dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'fixtures');
const planOf = (name: string, generatedAt = '2026-01-01T00:00:00.000Z') => plan(readEvidenceBundle(path.join(FIXTURES, name)), { generatedAt });
const withMigrations = readdirSync(FIXTURES)
  .filter((n) => existsSync(path.join(FIXTURES, n, 'expect.json')) || n === 'demo')
  .filter((n) => planOf(n).associations.some((a) => a.status === 'create' || a.status === 'exists'));

function files(p: Plan): EmittedFile[] {
  const r = emitScript(p, {});
  if (r.kind !== 'files') throw new Error('expected files');
  return [...r.files];
}

function written(p: Plan): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'irsa2pi-script-')), 'out');
  writeDirectoryAtomic(dir, files(p));
  return dir;
}

const SCRIPTS = ['migrate.sh', 'finalize.sh', 'rollback.sh'];

describe.each(withMigrations)('scripts for %s', (name) => {
  const p = planOf(name);

  it('are shellcheck-clean at severity warning and parse with bash -n', async () => {
    const dir = written(p);
    const sc = await runCommand('shellcheck', ['-S', 'warning', ...SCRIPTS], { cwd: dir });
    expect(sc.code, sc.stdout + sc.stderr).toBe(0);
    for (const s of SCRIPTS) {
      const n = await runCommand('bash', ['-n', s], { cwd: dir });
      expect(n.code, n.stderr).toBe(0);
      expect(statSync(path.join(dir, s)).mode & 0o777).toBe(0o755);
    }
  });

  it('ship each changed trust per phase, as the AWS CLI prints it', () => {
    const fs = files(p);
    for (const r of p.roles.filter((x) => x.kind === 'existing' && JSON.stringify(x.trustPolicy.current) !== JSON.stringify(x.trustPolicy.final))) {
      for (const phase of ['current', 'transition', 'final'] as const) {
        const f = fs.find((x) => x.path === `trust/${r.accountId}-${r.name}.${phase}.json`);
        expect(f, `${r.arn} ${phase}`).toBeDefined();
        expect(JSON.parse(f!.content)).toEqual(r.trustPolicy[phase]);
        expect(f!.content).toBe(`${JSON.stringify(r.trustPolicy[phase], null, 4)}\n`);
      }
    }
    for (const r of p.roles.filter((x) => x.kind === 'new')) {
      expect(JSON.parse(fs.find((x) => x.path === `roles/${r.accountId}-${r.name}.trust.json`)!.content)).toEqual(r.trustPolicy.transition);
      expect(JSON.parse(fs.find((x) => x.path === `roles/${r.accountId}-${r.name}.permissions.json`)!.content)).toEqual(r.permissionsPolicy);
    }
  });

  it('are byte-identical for the same plan', () => {
    expect(files(planOf(name, '2031-01-01T00:00:00.000Z'))).toEqual(files(p));
  });
});

describe('hostile names', () => {
  const payloads = ["it's", 'x$(touch /tmp/pwned)', 'x`id`', 'a\nb', "'; rm -rf / #"];
  const fields: [string, (p: Plan & { associations: any[] }, v: string) => void][] = [
    ['namespace', (p, v) => (p.associations[0].namespace = v)],
    ['service account', (p, v) => (p.associations[0].serviceAccount = v)],
    ['cluster name', (p, v) => (p.associations[0].cluster = v)],
    ['annotated role', (p, v) => (p.associations[0].currentRoleArn = `arn:aws:iam::111122223333:role/${v}`)],
    ['association role', (p, v) => (p.associations[0].roleArn = v)],
    ['workload name', (p, v) => (p.associations[0].workloads = [{ kind: 'Deployment', namespace: 'shop', name: v }])],
    ['name', (p, v) => ((p.roles[0] as any).name = v)],
  ];
  for (const [field, set] of fields) {
    it.each(payloads)(`${field} %j is refused with an InputError naming it`, (payload) => {
      const p = JSON.parse(JSON.stringify(planOf('basic')));
      set(p, payload);
      let err: unknown;
      try {
        emitScript(p, {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toContain(field);
      expect((err as InputError).message).toContain(JSON.stringify(field === 'annotated role' ? `arn:aws:iam::111122223333:role/${payload}` : payload));
    });
  }

  it('identities that are not migrated never reach the scripts (README mentions them on one line)', () => {
    const p = JSON.parse(JSON.stringify(planOf('basic')));
    p.associations.push({ ...p.associations[0], namespace: "x'$(id)\n`id`", status: 'blocked', reasons: ['fargate'] });
    const fs = files(p);
    for (const s of SCRIPTS) expect(fs.find((f) => f.path === s)!.content).not.toContain('$(id)');
    expect(fs.find((f) => f.path === 'README.md')!.content).toContain("- c1/x'$(id)\\x0a`id`/cart-reader: blocked (fargate)");
  });

  it('checkName accepts the real names and rejects look-alikes', () => {
    expect(checkName('roleArn', 'arn:aws:iam::111122223333:role/teams/a/b+c=d,e.f@g-h_i', 'r')).toBeTruthy();
    expect(checkName('cluster', 'Prod_EU-1', 'c')).toBe('Prod_EU-1');
    expect(() => checkName('cluster', `-x`, 'c')).toThrow(InputError);
    expect(() => checkName('cluster', 'a'.repeat(101), 'c')).toThrow(InputError);
    expect(() => checkName('namespace', 'Shop', 'n')).toThrow(/DNS-1123/);
    expect(() => checkName('serviceAccount', 'a..b', 's')).toThrow(InputError);
    expect(checkName('serviceAccount', 'a.b-c', 's')).toBe('a.b-c');
    expect(() => checkName('roleArn', 'arn:aws:iam::111122223333:role/a b', 'r')).toThrow(InputError);
  });
});

describe('clusters of one name', () => {
  const R = 'arn:aws:iam::111122223333:role/api';
  /** The builders' cluster moved to another region: its ARN and issuer follow. */
  const inRegion = (c: Cluster, region: string): Cluster => {
    const issuerHostPath = c.issuerHostPath!.replace(c.region, region).replace(/\/id\/.{4}/, '/id/FFFF');
    return { ...c, region, arn: c.arn.replace(c.region, region), issuer: `https://${issuerHostPath}`, issuerHostPath };
  };
  const eu = cluster('c1', [serviceAccount('shop', 'api', R)]);
  const us = inRegion(cluster('c1', [serviceAccount('shop', 'api', R)]), 'us-east-1');
  const both = plan(
    inventory(
      [eu, us],
      [
        role('api', [
          irsaStatement(eu, 'StringEquals', ['system:serviceaccount:shop:api']),
          irsaStatement(us, 'StringEquals', ['system:serviceaccount:shop:api']),
        ]),
      ],
    ),
    { generatedAt: 'x' },
  );

  it('in two regions, both migrated: the scripts are refused with one line naming them and what to use instead', () => {
    expect(both.associations.map((a) => [a.region, a.status])).toEqual([
      ['eu-west-1', 'create'],
      ['us-east-1', 'create'],
    ]);
    let err: unknown;
    try {
      emitScript(both, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const message = (err as InputError).line;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^refusing to emit: clusters "c1" in 111122223333 eu-west-1 and 111122223333 us-east-1 share a name/);
    expect(message).toContain('--format json or --format terraform, or plan one region');
  });

  it('only one of them touched by the scripts: emitted', () => {
    const one = {
      ...both,
      associations: both.associations.map((a) => (a.region === 'us-east-1' ? { ...a, status: 'skipped' as const, reasons: ['test'] } : a)),
    };
    expect(files(one).find((f) => f.path === 'migrate.sh')!.content).toContain("IDENTITIES=( 'c1/shop/api' )");
  });

  it('the CLI exits 2 with the one line and writes nothing', async () => {
    // fixtures/basic with a copy of c1 in us-east-1, its provider trusted by the same role.
    const bundle = mkdtempSync(path.join(tmpdir(), 'irsa2pi-same-name-'));
    cpSync(path.join(FIXTURES, 'basic'), bundle, { recursive: true });
    const account = path.join(bundle, 'aws', '111122223333');
    const toUs = (text: string) => text.replaceAll('eu-west-1', 'us-east-1');
    cpSync(path.join(account, 'eu-west-1'), path.join(account, 'us-east-1'), { recursive: true });
    for (const f of readdirSync(path.join(account, 'us-east-1')))
      writeFileSync(path.join(account, 'us-east-1', f), toUs(readFileSync(path.join(account, 'us-east-1', f), 'utf8')));
    const providers = JSON.parse(readFileSync(path.join(account, 'oidc-providers.json'), 'utf8')) as { OpenIDConnectProviderList: { Arn: string }[] };
    providers.OpenIDConnectProviderList.push({ Arn: toUs(providers.OpenIDConnectProviderList[0]!.Arn) });
    writeFileSync(path.join(account, 'oidc-providers.json'), JSON.stringify(providers));
    const iam = JSON.parse(readFileSync(path.join(account, 'iam-authorization-details.json'), 'utf8')) as {
      RoleDetailList: { RoleName: string; AssumeRolePolicyDocument: { Statement: unknown[] } }[];
    };
    const trust = iam.RoleDetailList.find((r) => r.RoleName === 's3-readers')!.AssumeRolePolicyDocument;
    trust.Statement.push(JSON.parse(toUs(JSON.stringify(trust.Statement[0]))));
    writeFileSync(path.join(account, 'iam-authorization-details.json'), JSON.stringify(iam));
    renameSync(path.join(bundle, 'kubernetes', 'c1'), path.join(bundle, 'kubernetes', 'eu-west-1.c1'));
    cpSync(path.join(bundle, 'kubernetes', 'eu-west-1.c1'), path.join(bundle, 'kubernetes', 'us-east-1.c1'), { recursive: true });
    const json = await runCommand('node', [path.join(ROOT, 'bin', 'irsa2pi.js'), 'plan', '--evidence', bundle, '--format', 'json']);
    expect((JSON.parse(json.stdout) as Plan).associations.map((a) => [a.region, a.status])).toEqual([
      ['eu-west-1', 'create'],
      ['us-east-1', 'create'],
    ]);
    const out = path.join(bundle, 'out');
    const r = await runCommand('node', [path.join(ROOT, 'bin', 'irsa2pi.js'), 'plan', '--evidence', bundle, '--format', 'script', '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^irsa2pi: error: refusing to emit: clusters "c1" in 111122223333 eu-west-1 and 111122223333 us-east-1 share a name, .*plan one region \(or account\) at a time\n$/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('escaping primitives', () => {
  it('shellQuote gives back the exact value through bash', async () => {
    for (const v of ["it's", "''", '$(id) `id` $HOME \\ "q"', 'a\nb\tc', '', '*']) {
      const r = await runCommand('bash', ['-c', `printf %s ${shellQuote(v)}`]);
      expect(r.stdout).toBe(v);
    }
  });

  it('hclString escapes quotes, backslashes, newlines and template sequences', () => {
    expect(hclString('a"b\\c\nd${x}%{y}$${z}')).toBe('"a\\"b\\\\c\\nd$${x}%%{y}$$${z}"');
  });

  it('script templates interpolate only through escaping helpers', () => {
    expectHelpersOnly(path.join(ROOT, 'templates', 'scripts'));
  });
});

describe('CLI', () => {
  it('registers terraform and script and writes their directories', async () => {
    expect(Object.keys(PLAN_EMITTERS)).toEqual(expect.arrayContaining(['terraform', 'script']));
    const out = mkdtempSync(path.join(tmpdir(), 'irsa2pi-cli-'));
    for (const format of ['terraform', 'script']) {
      const r = await runCommand('node', [
        path.join(ROOT, 'bin', 'irsa2pi.js'),
        'plan',
        '--evidence',
        path.join(FIXTURES, 'cross-account'),
        '--format',
        format,
        '--out',
        path.join(out, format),
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readdirSync(path.join(out, 'terraform')).sort()).toEqual([
      '.irsa2pi-output.json',
      'README.md',
      'addons.tf',
      'associations.tf',
      'providers.tf',
      'roles.tf',
      'trust',
      'trust.tf',
      'versions.tf',
    ]);
    expect(readdirSync(path.join(out, 'script')).sort()).toEqual([
      '.irsa2pi-output.json',
      'README.md',
      'finalize.sh',
      'migrate.sh',
      'roles',
      'rollback.sh',
      'trust',
    ]);
    expect(statSync(path.join(out, 'script', 'migrate.sh')).mode & 0o777).toBe(0o755);
    const missing = await runCommand('node', [path.join(ROOT, 'bin', 'irsa2pi.js'), 'plan', '--evidence', path.join(FIXTURES, 'basic'), '--format', 'script']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('give --out <dir>');
    expect(readFileSync(path.join(out, 'terraform', 'README.md'), 'utf8')).toContain('-target=aws_iam_role.');
  });
});

describe('preflight: the AWS CLI version the scripts need', () => {
  /** A directory whose `aws` reports VERSION and logs every other call (failing it); the real tools stay behind it. */
  function fakeAws(version: string): { path: string; log: string } {
    const bin = mkdtempSync(path.join(tmpdir(), 'irsa2pi-aws-'));
    const log = path.join(bin, 'calls.log');
    writeFileSync(
      path.join(bin, 'aws'),
      `#!/bin/bash\nif [ "$*" = --version ]; then echo '${version} Python/3.11.7 Linux/6 botocore/1.40.0' >&2; exit 0; fi\necho "$*" >>'${log}'\necho 'fake aws: no AWS here' >&2\nexit 255\n`,
      { mode: 0o755 },
    );
    return { path: `${bin}:${process.env.PATH ?? ''}`, log };
  }

  async function preflight(fixture: string, version: string): Promise<{ code: number | null; stdout: string; stderr: string; calls: string[] }> {
    const dir = written(planOf(fixture));
    const aws = fakeAws(version);
    const r = await runCommand('bash', [path.join(dir, 'migrate.sh'), '--phase', 'preflight'], {
      env: { PATH: aws.path, KUBECONFIG: path.join(dir, 'no-kubeconfig') },
    });
    return { ...r, calls: existsSync(aws.log) ? readFileSync(aws.log, 'utf8').split('\n').filter(Boolean) : [] };
  }

  it.each([
    [
      'cross-account',
      'aws-cli/1.40.33',
      'AWS CLI 1.40.33 is too old: create-pod-identity-association --target-role-arn needs version 1.40.34 or later (v1 ≥ 1.40.34, v2 ≥ 2.27.34)',
    ],
    [
      'cross-account',
      'aws-cli/2.27.33',
      'AWS CLI 2.27.33 is too old: create-pod-identity-association --target-role-arn needs version 2.27.34 or later (v1 ≥ 1.40.34, v2 ≥ 2.27.34)',
    ],
    [
      'addon-role',
      'aws-cli/1.32.117',
      'AWS CLI 1.32.117 is too old: update-addon --pod-identity-associations needs version 1.33.0 or later (v1 ≥ 1.33.0, v2 ≥ 2.16.0)',
    ],
    [
      'addon-role',
      'aws-cli/2.15.99',
      'AWS CLI 2.15.99 is too old: update-addon --pod-identity-associations needs version 2.16.0 or later (v1 ≥ 1.33.0, v2 ≥ 2.16.0)',
    ],
    ['basic', 'aws-cli/1.30.6', 'AWS CLI 1.30.6 is too old: EKS Pod Identity commands needs version 1.30.7 or later (v1 ≥ 1.30.7, v2 ≥ 2.13.39)'],
    ['basic', 'aws-cli/3.0.0', 'AWS CLI 3.0.0: only versions 1 and 2 are known (EKS Pod Identity commands needs 1.30.7 or 2.13.39)'],
    ['basic', 'aws-cli/unknown', 'cannot tell the AWS CLI version from: aws-cli/unknown Python/3.11.7 Linux/6 botocore/1.40.0'],
  ])('%s with %s: one ERROR line before any AWS call', async (fixture, version, message) => {
    const r = await preflight(fixture, version);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`ERROR: ${message}\n`);
    expect(r.calls).toEqual([]);
  });

  it.each([
    ['cross-account', 'aws-cli/1.40.34', 'create-pod-identity-association --target-role-arn supported (≥ 1.40.34)'],
    ['cross-account', 'aws-cli/2.100.0', 'create-pod-identity-association --target-role-arn supported (≥ 2.27.34)'],
    ['addon-role', 'aws-cli/2.16.0', 'update-addon --pod-identity-associations supported (≥ 2.16.0)'],
  ])('%s with %s: says the version is enough and goes on to the credentials', async (fixture, version, said) => {
    const r = await preflight(fixture, version);
    expect(r.stdout).toContain(`${version.slice('aws-cli/'.length)}: ${said}`);
    expect(r.calls[0]).toMatch(/^sts get-caller-identity/);
  });

  it('a plan without target roles or add-ons does not ask for their versions', async () => {
    const r = await preflight('basic', 'aws-cli/1.30.7');
    expect(r.stdout).toContain('aws-cli 1.30.7: EKS Pod Identity commands supported (≥ 1.30.7)');
    expect(r.stdout).not.toMatch(/target-role-arn|update-addon/);
    expect(r.calls[0]).toMatch(/^sts get-caller-identity/);
  });
});

describe("the scripts' switches", () => {
  it.each(['true', 'yes', 'TRUE', '2', ''])('DRY_RUN=%s is refused before any AWS call (only 1 prints the changes, only 0 makes them)', async (value) => {
    const dir = written(planOf('basic'));
    const r = await runCommand('bash', [path.join(dir, 'migrate.sh'), '--phase', 'preflight'], {
      env: { PATH: process.env.PATH ?? '', DRY_RUN: value, AWS_CONFIG_FILE: path.join(dir, 'none'), KUBECONFIG: path.join(dir, 'none') },
    });
    if (value === '') {
      expect(r.stderr).not.toContain('DRY_RUN must be');
      return;
    }
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`ERROR: DRY_RUN must be 1 (print the changes) or 0 (make them), not ${value}\n`);
  });
});

describe("messages: live values never drive the operator's terminal", () => {
  it('say, warn and fail print control, C1, bidi and invisible characters as \\xHH escapes, and other text as it is', async () => {
    const lib = readFileSync(path.join(written(planOf('basic')), 'migrate.sh'), 'utf8');
    const pick = (re: RegExp) => re.exec(lib)![0];
    const defs = [/^UNSAFE_TEXT=.*\n/m, /^visible\(\) \{\n[\s\S]*?^\}\n/m, /^say\(\) .*\n/m, /^warn\(\) .*\n/m, /^fail\(\) .*\n/m].map(pick).join('');
    const hostile = 'role/x\u001b]0;owned\u0007\u001b[2J\u009b31m\u202eFAKE\u200b\ufeff\u2028\u0085 ok: é 日本 ‐';
    const r = await runCommand('bash', ['-c', `${defs}say "$1"; warn "$1"; fail "$1"`, 'bash', hostile], {
      env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' },
    });
    const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/u;
    expect(r.stdout + r.stderr).not.toMatch(unsafe);
    const shown = 'role/x\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b31m\\xe2\\x80\\xaeFAKE\\xe2\\x80\\x8b\\xef\\xbb\\xbf\\xe2\\x80\\xa8\\xc2\\x85 ok: é 日本 ‐';
    expect(r.stdout).toBe(`${shown}\n`);
    expect(r.stderr).toBe(`WARNING: ${shown}\nERROR: ${shown}\n`);
  });
});

describe('backup_trust: rollback never brings back a trust of an earlier cycle', () => {
  async function backup(saved: string, live: string): Promise<{ backup: string; stderr: string }> {
    const dir = written(planOf('basic'));
    const lib = readFileSync(path.join(dir, 'migrate.sh'), 'utf8');
    const fn = /^backup_trust\(\) \{\n[\s\S]*?^\}\n/m.exec(lib)![0];
    const current = readdirSync(path.join(dir, 'trust')).find((f) => f.endsWith('.current.json'))!;
    const [account, role] = [current.slice(0, 12), current.slice(13, -'.current.json'.length)];
    const state = mkdtempSync(path.join(tmpdir(), 'irsa2pi-state-'));
    mkdirSync(path.join(state, 'backup'));
    const file = path.join(state, 'backup', `${account}-${role}.json`);
    writeFileSync(file, `${saved}\n`);
    const livePolicy = live === 'current' ? readFileSync(path.join(dir, 'trust', current), 'utf8').replace(/\n$/, '') : live;
    const script = `say() { printf '%s\\n' "$*"; }\nwarn() { printf 'WARNING: %s\\n' "$*" >&2; }\nfail() { printf 'ERROR: %s\\n' "$*" >&2; }\nerr_text() { :; }\nERR_FILE=/dev/null DRY_RUN=0 DIR=$1 STATE_DIR=$2\n${fn}backup_trust "$3" "$4" "$5"`;
    const r = await runCommand('bash', ['-c', script, 'bash', dir, state, account, role, livePolicy]);
    expect(r.code, r.stderr).toBe(0);
    return { backup: readFileSync(file, 'utf8'), stderr: r.stderr };
  }

  it("a backup of an earlier cycle is replaced when the live trust is the plan's current one again", async () => {
    const r = await backup('{"old": "wider"}', 'current');
    expect(r.backup).not.toContain('wider');
    expect(r.stderr).toMatch(/^WARNING: .* holds a trust of an earlier run/);
  });

  it('a backup is kept while the live trust is one the plan wrote (an interrupted run going on)', async () => {
    const r = await backup('{"saved": "before"}', '{"at": "transition"}');
    expect(r.backup).toBe('{"saved": "before"}\n');
    expect(r.stderr).toBe('');
  });
});

describe('norm_url: how the scripts compare a kubeconfig server with a cluster endpoint', () => {
  it.each([
    ['https://ABC.gr7.eu-west-1.EKS.amazonaws.com', 'https://abc.gr7.eu-west-1.eks.amazonaws.com'],
    ['HTTPS://abc.example:443/', 'https://abc.example'],
    ['https://abc.example:6443//', 'https://abc.example:6443'],
    ['http://127.0.0.1:80', 'http://127.0.0.1'],
    ['http://127.0.0.1:443', 'http://127.0.0.1:443'],
    ['https://abc.example:80', 'https://abc.example:80'],
    ['https://abc.example/k8s/clusters/c-1/', 'https://abc.example/k8s/clusters/c-1'],
    ['https://abc.example/?x=1', 'https://abc.example'],
  ])('%s → %s', async (url, want) => {
    const lib = readFileSync(path.join(written(planOf('basic')), 'migrate.sh'), 'utf8');
    const fn = /^norm_url\(\) \{\n[\s\S]*?^\}\n/m.exec(lib)![0];
    const r = await runCommand('bash', ['-c', `${fn}norm_url "$1"`, 'bash', url]);
    expect(r.stdout).toBe(want);
  });
});
