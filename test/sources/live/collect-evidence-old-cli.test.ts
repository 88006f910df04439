import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan } from '../../../src/plan/plan.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { runCommand } from '../../helpers/exec.js';
import { startEksShim, type EksShim } from '../../helpers/eks-shim.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FIXTURE = join(ROOT, 'fixtures', 'addon-role');
const SCRIPT = join(ROOT, 'scripts', 'collect-evidence.sh');
const ACCOUNT = '111122223333';
const DIR = join('aws', ACCOUNT, 'eu-west-1');
const CONFIG = 'addon-configuration-vpc-cni-v1.19.0-eksbuild.1.json';

/** The EKS model of the installed AWS CLI's botocore. */
async function eksModel(): Promise<Record<string, unknown>> {
  const r = await runCommand('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))']);
  const file = join(r.stdout.trim(), 'data', 'eks', '2017-11-01', 'service-2.json.gz');
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Record<string, unknown>;
}

let shim: EksShim;
let work: string;
beforeAll(async () => {
  shim = await startEksShim({ motoEndpoint: 'http://127.0.0.1:9', accountId: ACCOUNT });
  work = mkdtempSync(join(tmpdir(), 'irsa2pi-review-old-cli-'));
});
afterAll(async () => {
  await shim.stop();
  rmSync(work, { recursive: true, force: true });
});

/** scripts/collect-evidence.sh's add-on functions run, with the real AWS CLI against the EKS shim, for c1's vpc-cni of the addon-role fixture; the bundle planned. */
async function collectAndPlan(name: string, dataPath: string | undefined) {
  const dir = join(work, name);
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(join(dir, DIR, CONFIG));
  const harness = [
    'set -euo pipefail',
    `account=${ACCOUNT}`,
    'now() { date -u +%Y-%m-%dT%H:%M:%SZ; }',
    'declare -A collected=()',
    `source <(sed -n '/^addon_named()/,/^for region in/p' "$SCRIPT" | sed '$d')`,
    'addon_support eu-west-1 "$D" vpc-cni v1.19.0-eksbuild.1 "$D/addon-c1-vpc-cni.json"',
  ].join('\n');
  const r = await runCommand('bash', ['-c', harness], {
    env: {
      SCRIPT,
      D: join(dir, DIR),
      AWS_ENDPOINT_URL: shim.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_DATA_PATH: dataPath,
    },
  });
  expect(r.code, r.stderr).toBe(0);
  const p = plan(readEvidenceBundle(dir), { generatedAt: 'x' });
  const node = p.associations.find((a) => a.serviceAccount === 'aws-node');
  return { status: node?.status, reasons: node?.reasons };
}

describe('collect-evidence.sh with an AWS CLI whose EKS model predates podIdentityConfiguration', () => {
  it('the current CLI: the shim says v1.19.0 takes aws-node, so it is planned', async () => {
    expect(await collectAndPlan('current', undefined)).toEqual({ status: 'create', reasons: ['addon-owned-role'] });
  }, 60_000);

  it('an older CLI (DescribeAddonConfiguration known, podIdentityConfiguration not: releases between late 2022 and Nov 2023) drops the field, and the plan must not read that as "takes none" and block', async () => {
    const model = await eksModel();
    const shapes = model.shapes as Record<string, { members: Record<string, unknown> }>;
    delete shapes.DescribeAddonConfigurationResponse!.members.podIdentityConfiguration;
    const models = join(work, 'models');
    mkdirSync(join(models, 'eks', '2017-11-01'), { recursive: true });
    writeFileSync(join(models, 'eks', '2017-11-01', 'service-2.json'), JSON.stringify(model));
    const got = await collectAndPlan('old-cli', models);
    expect(got.reasons).not.toContain('addon-no-pod-identity');
    expect(got.status).toBe('create');
  }, 60_000);
});
