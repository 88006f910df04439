import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { bundleError as errorOf } from '../../helpers/bundle-error.js';

const ACCOUNT = '111122223333';
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

function role(name: string, extra: Record<string, unknown>): Record<string, unknown> {
  return { RoleName: name, Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, AssumeRolePolicyDocument: TRUST, ...extra };
}

/** A bundle of the given files (path → JSON document). */
const DETAILS = 'aws/111122223333/iam-authorization-details.json';

function bundle(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-last-used-'));
  for (const [path, doc] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(doc));
  }
  return dir;
}

const details = (...roles: Record<string, unknown>[]) => ({ 'aws/111122223333/iam-authorization-details.json': { RoleDetailList: roles, Policies: [] } });

describe('RoleLastUsed and CreateDate of a role', () => {
  it('reads a last use, an empty one (collected: no use in the tracking period) and a missing one (not collected) apart', () => {
    const dir = bundle(
      details(
        role('used', { CreateDate: '2024-08-18T23:36:41+00:00', RoleLastUsed: { LastUsedDate: '2025-06-03T14:46:02+00:00', Region: 'eu-west-1' } }),
        role('never', { CreateDate: '2024-01-01T00:00:00Z', RoleLastUsed: {} }),
        role('unknown', { CreateDate: '2024-01-01T00:00:00.5Z' }),
        role('offset', { RoleLastUsed: { LastUsedDate: '2025-06-03T23:30:00.123000-02:00' } }),
        role('early', { CreateDate: '0099-03-01T00:00:00Z' }),
      ),
    );
    const inv = readEvidenceBundle(dir);
    const source = join(dir, 'aws', ACCOUNT, 'iam-authorization-details.json');
    const byName = new Map(inv.roles.map((r) => [r.name, r]));
    expect(byName.get('used')).toMatchObject({
      createDate: '2024-08-18T23:36:41.000Z',
      lastUsed: { date: '2025-06-03T14:46:02.000Z', region: 'eu-west-1', source },
    });
    expect(byName.get('never')!.lastUsed).toEqual({ source });
    expect(byName.get('unknown')!.lastUsed).toBeUndefined();
    expect(byName.get('unknown')!.createDate).toBe('2024-01-01T00:00:00.500Z');
    expect(byName.get('offset')!.lastUsed).toEqual({ date: '2025-06-04T01:30:00.123Z', source });
    expect(byName.get('offset')!.createDate).toBeUndefined();
    // Two-digit years are not taken for 19xx, as Date.UTC would.
    expect(byName.get('early')!.createDate).toBe('0099-03-01T00:00:00.000Z');
  });

  it('keeps the last use of get-account-authorization-details, and its collection time, when list-roles (which never carries it) lists the role again', () => {
    const file = 'aws/111122223333/iam-authorization-details.json';
    const dir = bundle({
      ...details(role('app', { CreateDate: '2024-01-01T00:00:00Z', RoleLastUsed: { LastUsedDate: '2025-01-01T00:00:00Z' } })),
      'aws/111122223333/roles.json': { Roles: [role('app', {})] },
      'collection.json': { irsa2piCollection: { files: { [file]: '2025-06-01T00:00:00Z' } } },
    });
    const inv = readEvidenceBundle(dir);
    expect(inv.roles).toHaveLength(1);
    expect(inv.roles[0]).toMatchObject({ createDate: '2024-01-01T00:00:00.000Z', lastUsed: { date: '2025-01-01T00:00:00.000Z', source: join(dir, file) } });
    expect(inv.roles[0]!.source).toBe(join(dir, 'aws', ACCOUNT, 'roles.json'));
  });

  it.each([
    [
      'one manifest naming a file twice',
      { 'collection.json': { irsa2piCollection: { files: { [DETAILS]: '2025-06-01T00:00:00Z', [`./${DETAILS}`]: '2020-01-01T00:00:00Z' } } } },
      /names the same file as/,
    ],
    [
      'two manifests naming one file',
      {
        'collection.json': { irsa2piCollection: { files: { [DETAILS]: '2025-06-01T00:00:00Z' } } },
        'aws/collection.json': { irsa2piCollection: { files: { '111122223333/iam-authorization-details.json': '2020-01-01T00:00:00Z' } } },
      },
      /which another collection\.json of the bundle gives already/,
    ],
  ])('refuses %s: the collection time of a file is given once (exit 2, naming the manifest)', (_name, manifests, message) => {
    const dir = bundle({ ...details(role('app', { RoleLastUsed: { LastUsedDate: '2025-01-01T00:00:00Z' } })), ...manifests });
    expect(() => readEvidenceBundle(dir)).toThrow(InputError);
    expect(() => readEvidenceBundle(dir)).toThrow(message);
  });

  it.each([
    ['a-getrole.json', { Role: role('app', { RoleLastUsed: {} }) }],
    ['z-getrole.json', { Role: role('app', { RoleLastUsed: {} }) }],
    ['a-older.json', { Role: role('app', { RoleLastUsed: { LastUsedDate: '2025-01-01T00:00:00Z' } }) }],
    ['z-older.json', { Role: role('app', { RoleLastUsed: { LastUsedDate: '2025-01-01T00:00:00Z' } }) }],
  ])('keeps the later last use whatever the file order: %s, another copy of the role saying less, does not hide it', (name, doc) => {
    const dir = bundle({
      ...details(role('app', { RoleLastUsed: { LastUsedDate: '2026-09-25T00:00:00Z', Region: 'eu-west-1' } })),
      [`aws/111122223333/${name}`]: doc,
    });
    const inv = readEvidenceBundle(dir);
    expect(inv.roles).toHaveLength(1);
    expect(inv.roles[0]?.lastUsed).toMatchObject({ date: '2026-09-25T00:00:00.000Z', region: 'eu-west-1' });
  });

  it.each([
    ['RoleLastUsed', 'LastUsedDate', { RoleLastUsed: { LastUsedDate: 'yesterday' } }, '$.RoleDetailList[0].RoleLastUsed.LastUsedDate'],
    ['a day that does not exist', 'LastUsedDate', { RoleLastUsed: { LastUsedDate: '2025-02-30T00:00:00Z' } }, '$.RoleDetailList[0].RoleLastUsed.LastUsedDate'],
    ['hour 24', 'LastUsedDate', { RoleLastUsed: { LastUsedDate: '2025-02-03T24:00:00+00:00' } }, '$.RoleDetailList[0].RoleLastUsed.LastUsedDate'],
    ['no zone', 'LastUsedDate', { RoleLastUsed: { LastUsedDate: '2025-02-03T10:00:00' } }, '$.RoleDetailList[0].RoleLastUsed.LastUsedDate'],
    ['a number', 'LastUsedDate', { RoleLastUsed: { LastUsedDate: 1717000000 } }, '$.RoleDetailList[0].RoleLastUsed.LastUsedDate'],
    ['an offset of 25 hours', 'CreateDate', { CreateDate: '2025-02-03T10:00:00+25:00' }, '$.RoleDetailList[0].CreateDate'],
    ['a time past the year 9999 once its offset is applied', 'CreateDate', { CreateDate: '9999-12-31T23:00:00-02:00' }, '$.RoleDetailList[0].CreateDate'],
    ['a list', 'RoleLastUsed', { RoleLastUsed: [] }, '$.RoleDetailList[0].RoleLastUsed'],
    ['a region that is a number', 'Region', { RoleLastUsed: { Region: 5 } }, '$.RoleDetailList[0].RoleLastUsed.Region'],
  ])('refuses %s at %s with one line naming the file and the path', (_what, _key, extra, path) => {
    const dir = bundle(details(role('bad', extra)));
    const error = errorOf(dir);
    expect(error.line).toContain(join(dir, 'aws', ACCOUNT, 'iam-authorization-details.json'));
    expect(error.line).toContain(path);
    expect(error.line).not.toContain('\n');
  });
});
