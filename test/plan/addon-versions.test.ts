import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareAddonVersions } from '../../src/order.js';
import { InputError } from '../../src/errors.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { runCommand } from '../helpers/exec.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'addon-role');
const DIR = join('aws', '111122223333', 'eu-west-1');
const INSTALLED = 'v1.19.0-eksbuild.1';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function bundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-review-addon-'));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

const config = (addonVersion: string, accounts: string[]) =>
  JSON.stringify({
    addonName: 'vpc-cni',
    addonVersion,
    configurationSchema: '{}',
    podIdentityConfiguration: accounts.map((serviceAccount) => ({ serviceAccount })),
  });

/** The bundle is refused with one line naming the file, or read; when read, no finding message may carry a line break or markup from the bundle. */
function refusedOrClean(dir: string): void {
  let inv;
  try {
    inv = readEvidenceBundle(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).line).not.toContain('\n');
    return;
  }
  const messages = plan(inv, { generatedAt: 'x' }).findings.map((f) => f.message);
  for (const m of messages) expect(m).not.toMatch(/[\n\r]|## injected/);
}

describe('add-on configuration (wip-addon-config)', () => {
  it('orders versions whose numbers pass 2^53 by their numbers, as scripts/collect-evidence.sh (zero-padded digits) does', () => {
    // Number('9007199254740993') === 9007199254740992: the two compare equal at the second number and the third decides.
    expect(compareAddonVersions('v1.9007199254740993.0', 'v1.9007199254740992.5')).toBeGreaterThan(0);
  });

  it('orders versions with numbers too long for a double (Infinity - Infinity is NaN, which sort reads as equal)', () => {
    const big = `v${'9'.repeat(400)}`;
    const small = `v${'1'.repeat(400)}`;
    expect(compareAddonVersions(big, small)).toBeGreaterThan(0);
    expect(compareAddonVersions(small, big)).toBeLessThan(0);
  });

  it('scripts/collect-evidence.sh orders a 21-digit number after a 20-digit one (version_key pads to 20 only)', async () => {
    const script = join(import.meta.dirname, '..', '..', 'scripts', 'collect-evidence.sh');
    const sorted = [
      `eval "$(sed -n '/^version_key()/,/^}/p' "$SCRIPT")"`,
      'for v in v100000000000000000000 v99999999999999999999; do printf \'%s\\t%s\\n\' "$(version_key "$v")" "$v"; done | LC_ALL=C sort | cut -f2',
    ].join('\n');
    const r = await runCommand('bash', ['-c', sorted], { env: { SCRIPT: script } });
    expect(r.stdout.trim().split('\n')).toEqual(['v99999999999999999999', 'v100000000000000000000']);
  });

  it('a configuration whose addonVersion carries a line break and markup is refused (or kept out of the blocking finding), like a hostile serviceAccount', () => {
    const dir = bundle();
    writeFileSync(join(dir, DIR, `addon-configuration-vpc-cni-${INSTALLED}.json`), config(INSTALLED, []));
    writeFileSync(join(dir, DIR, 'addon-configuration-vpc-cni-later.json'), config('v9\n## injected | <b>x</b>', ['aws-node']));
    refusedOrClean(dir);
  });

  it('a describe-addon addonVersion with a line break does not reach the blocking finding unrefused', () => {
    const dir = bundle();
    const hostile = 'v1\n## injected';
    const addonFile = join(dir, DIR, 'addon-c1-vpc-cni.json');
    const doc = JSON.parse(readFileSync(addonFile, 'utf8')) as { addon: { addonVersion: string } };
    doc.addon.addonVersion = hostile;
    writeFileSync(addonFile, JSON.stringify(doc));
    writeFileSync(join(dir, DIR, `addon-configuration-vpc-cni-${INSTALLED}.json`), config(hostile, []));
    refusedOrClean(dir);
  });
});
