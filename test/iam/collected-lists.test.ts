import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const BASIC = join(import.meta.dirname, '..', '..', 'fixtures', 'basic');
const dirs: string[] = [];

function bundle(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-lists-'));
  dirs.push(dir);
  cpSync(BASIC, dir, { recursive: true });
  edit(dir);
  return dir;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const EMPTY = JSON.stringify({ OpenIDConnectProviderList: [] });

function statuses(dir: string) {
  const inventory = readEvidenceBundle(dir);
  const p = plan(inventory, { generatedAt: '2026-01-01T00:00:00Z' });
  const report = buildReport(inventory, p);
  return { inventory, plan: p, mappings: report.clusters.flatMap((c) => c.mappings) };
}

describe('a collected empty OIDC provider list', () => {
  it('means the account has no provider: no IRSA identity is admitted, none is migrated, none reported active through IRSA', () => {
    const before = statuses(BASIC);
    const irsaActive = before.mappings.filter((m) => m.irsa === 'yes');
    expect(irsaActive.length).toBeGreaterThan(0);
    expect(before.plan.associations.some((a) => a.status === 'create')).toBe(true);

    const after = statuses(
      bundle((d) => {
        writeFileSync(join(d, 'aws', '111122223333', 'oidc-providers.json'), EMPTY);
      }),
    );
    expect(after.inventory.accountsWithProviderList).toEqual(['111122223333']);
    expect(after.mappings.filter((m) => m.irsa === 'yes')).toEqual([]);
    for (const m of after.mappings.filter((m) => m.irsa !== null)) expect(m.problems.join(' ')).toContain('has no OIDC provider');
    expect(after.plan.associations.filter((a) => a.status === 'create')).toEqual([]);
  });

  it("outside aws/<account>/ it speaks for the bundle's only account", () => {
    const dir = bundle((d) => {
      rmSync(join(d, 'aws', '111122223333', 'oidc-providers.json'));
      writeFileSync(join(d, 'providers.json'), EMPTY);
    });
    expect(readEvidenceBundle(dir).accountsWithProviderList).toEqual(['111122223333']);
  });

  it('with no file at all the providers stay unknown (assumed to exist)', () => {
    const dir = bundle((d) => {
      rmSync(join(d, 'aws', '111122223333', 'oidc-providers.json'));
    });
    const { inventory, mappings } = statuses(dir);
    expect(inventory.accountsWithProviderList).toEqual([]);
    expect(mappings.some((m) => m.irsa === 'yes')).toBe(true);
  });

  it('the folders the bundle sits in name no account: a bundle kept under /…/999988887777/ speaks for its only account', () => {
    const parent = join(mkdtempSync(join(tmpdir(), 'irsa2pi-lists-')), '999988887777');
    dirs.push(join(parent, '..'));
    const dir = join(parent, 'bundle');
    cpSync(BASIC, dir, { recursive: true });
    rmSync(join(dir, 'aws', '111122223333', 'oidc-providers.json'));
    writeFileSync(join(dir, 'providers.json'), EMPTY);
    expect(readEvidenceBundle(dir).accountsWithProviderList).toEqual(['111122223333']);
  });

  it('is refused when neither its folder nor the bundle tells its account', () => {
    const dir = bundle((d) => {
      writeFileSync(join(d, 'providers.json'), EMPTY);
      writeFileSync(
        join(d, 'aws', '444455556666-role.json'),
        JSON.stringify({
          Role: {
            Arn: 'arn:aws:iam::444455556666:role/other',
            RoleName: 'other',
            Path: '/',
            AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
          },
        }),
      );
    });
    let error: unknown;
    try {
      readEvidenceBundle(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).line).toMatch(
      /providers\.json.*OpenIDConnectProviderList is empty and names no account .*111122223333, 444455556666.*aws\/<account>\//,
    );
  });
});

describe('an empty role list', () => {
  it('comes from a filtered call (every account has service-linked roles): the account stays not scanned', () => {
    const OTHER = '444455556666';
    const dir = bundle((d) => {
      const kube = join(d, 'kubernetes', 'c1', 'resources.yaml');
      writeFileSync(kube, readFileSync(kube, 'utf8').replace('arn:aws:iam::111122223333:role/s3-readers', `arn:aws:iam::${OTHER}:role/s3-readers`));
      mkdirSync(join(d, 'aws', OTHER));
      writeFileSync(join(d, 'aws', OTHER, 'roles.json'), JSON.stringify({ Roles: [] }));
    });
    const { plan: p, mappings } = statuses(dir);
    expect(p.associations.find((a) => a.serviceAccount === 'cart-reader')?.reasons).toContain('role-not-scanned');
    expect(mappings.find((m) => m.serviceAccount === 'cart-reader')?.status).toBe('unknown');
  });
});

describe('a collected list of Pod Identity associations', () => {
  const C1 = 'arn:aws:eks:eu-west-1:111122223333:cluster/c1';
  const summary = (namespace: string, serviceAccount: string, id: string) => ({
    clusterName: 'c1',
    namespace,
    serviceAccount,
    associationArn: `${C1.replace(':cluster/c1', ':podidentityassociation/c1')}/${id}`,
    associationId: id,
  });
  const cartReader = (dir: string) =>
    plan(readEvidenceBundle(dir), { generatedAt: '2026-01-01T00:00:00Z' }).associations.find((a) => a.serviceAccount === 'cart-reader');
  const listFile = (d: string, associations: unknown[]) => {
    writeFileSync(join(d, 'aws', '111122223333', 'eu-west-1', 'associations-c1.json'), JSON.stringify({ associations }));
  };

  it('naming an association of a migrating identity that no describe output gives: it exists with an unknown role, so it is a conflict', () => {
    const dir = bundle((d) => {
      listFile(d, [summary('shop', 'cart-reader', 'a-1')]);
    });
    const c = cartReader(dir);
    expect(c?.status).toBe('conflict');
    expect(c?.reasons).toContain('association-conflict');
    expect(readEvidenceBundle(dir).undescribedAssociations?.map((a) => a.associationId)).toEqual(['a-1']);
  });

  it('empty, or naming only other identities: the identity has no association, it is created', () => {
    expect(
      cartReader(
        bundle((d) => {
          listFile(d, []);
        }),
      )?.status,
    ).toBe('create');
    expect(
      cartReader(
        bundle((d) => {
          listFile(d, [summary('shop', 'cart-writer', 'a-2')]);
        }),
      )?.status,
    ).toBe('create');
  });

  it('an entry that describe output gives is that association, not an unknown one', () => {
    const dir = bundle((d) => {
      listFile(d, [summary('shop', 'cart-reader', 'a-1')]);
      writeFileSync(
        join(d, 'aws', '111122223333', 'eu-west-1', 'association-a-1.json'),
        JSON.stringify({ association: { ...summary('shop', 'cart-reader', 'a-1'), roleArn: 'arn:aws:iam::111122223333:role/s3-readers' } }),
      );
    });
    expect(readEvidenceBundle(dir).undescribedAssociations).toEqual([]);
    expect(cartReader(dir)?.status).toBe('exists');
  });

  it('an entry without its fields is bad input, named by file and path', () => {
    const dir = bundle((d) => {
      listFile(d, [{ associationId: 'a-1' }]);
    });
    expect(() => readEvidenceBundle(dir)).toThrow(InputError);
    expect(() => readEvidenceBundle(dir)).toThrow(/associations\[0\]\.clusterName/);
  });
});
