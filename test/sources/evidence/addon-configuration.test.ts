import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { bundleError as errorOf } from '../../helpers/bundle-error.js';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'addon-role');
const DIR = join('aws', '111122223333', 'eu-west-1');
const FILE = 'addon-configuration-vpc-cni-v1.19.0-eksbuild.1.json';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The addon-role fixture with its configuration file holding `content` (undefined: no such file). */
function bundle(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-addon-config-'));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  if (content === undefined) rmSync(join(dir, DIR, FILE));
  else writeFileSync(join(dir, DIR, FILE), typeof content === 'string' ? content : JSON.stringify(content, null, 4));
  return dir;
}

const config = (extra: Record<string, unknown>) => ({ addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1', configurationSchema: '{}', ...extra });

describe('describe-addon-configuration evidence', () => {
  it('reads the service accounts a version takes Pod Identity associations for, and records the file', () => {
    const inv = readEvidenceBundle(FIXTURE);
    expect(inv.addonConfigurations).toEqual([
      { addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1', podIdentityServiceAccounts: ['aws-node'], source: join(FIXTURE, DIR, FILE) },
    ]);
    expect(inv.evidence.find((e) => e.path.endsWith(FILE))?.kind).toBe('eks-addon-configuration');
  });

  it.each([
    ['an empty podIdentityConfiguration', config({ podIdentityConfiguration: [] })],
    ['no podIdentityConfiguration', config({})],
  ])('%s is collected with no service account: the version takes none', (_, doc) => {
    expect(readEvidenceBundle(bundle(doc)).addonConfigurations?.map((c) => c.podIdentityServiceAccounts)).toEqual([[]]);
  });

  it('no file: no configuration, so the support is unknown (never an empty one)', () => {
    expect(readEvidenceBundle(bundle(undefined)).addonConfigurations).toBeUndefined();
  });

  it.each([
    [config({ podIdentityConfiguration: 'aws-node' }), /\$\.podIdentityConfiguration must be a list/],
    [
      config({ podIdentityConfiguration: [{ recommendedManagedPolicies: [] }] }),
      /\$\.podIdentityConfiguration\[0\]\.serviceAccount must be a non-empty string/,
    ],
    [config({ addonVersion: '' }), /not recognised|addonVersion must be a non-empty string/],
    [
      config({ podIdentityConfiguration: [{ serviceAccount: 'aws-node\n## injected | <b>x</b>' }] }),
      /\$\.podIdentityConfiguration\[0\]\.serviceAccount "aws-node\\n## injected \| <b>x<\/b>" is not a Kubernetes service account name/,
    ],
  ])('refuses a malformed configuration with one line naming the file (%#)', (doc, pattern) => {
    const dir = bundle(doc);
    const e = errorOf(dir);
    expect(e.line).toMatch(pattern);
    expect(e.line).toContain(join(dir, DIR, FILE));
    expect(e.line).not.toContain('\n');
  });

  it('refuses two files of one version that disagree', () => {
    const dir = bundle(config({ podIdentityConfiguration: [{ serviceAccount: 'aws-node' }] }));
    writeFileSync(join(dir, DIR, 'addon-configuration-vpc-cni-copy.json'), JSON.stringify(config({ podIdentityConfiguration: [] })));
    expect(errorOf(dir).line).toMatch(/podIdentityConfiguration names \["aws-node"\] here but \[\] in .*addon-configuration-vpc-cni-copy\.json$/);
  });

  it('the CLI exits 2 on a malformed configuration, with one line naming the file and no stack', async () => {
    const dir = bundle(config({ podIdentityConfiguration: { serviceAccount: 'aws-node' } }));
    let stderr = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    let code: number;
    try {
      code = await main(['plan', '--evidence', dir, '--out', join(dir, 'plan.json')]);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(2);
    expect(stderr).toMatch(
      new RegExp(`^irsa2pi: error: ${join(dir, DIR, FILE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\$\\.podIdentityConfiguration must be a list\\n$`),
    );
  });
});
