import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawStatement } from '../../src/iam/policy.js';
import type { Inventory, Role, RoleLastUse } from '../../src/model/inventory.js';
import { emitReportMarkdown } from '../../src/emit/report/markdown.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { audit } from '../../src/rules/index.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'rules', 'irsa-role-stale');
const fires = readEvidenceBundle(join(FIXTURE, 'fires'));
const COLLECTED = '2026-10-01T12:00:01Z';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';

const stale = (inventory: Inventory, options: { staleDays?: number; now?: string } = {}) =>
  audit(inventory, undefined, options)
    .filter((f) => f.rule === 'irsa-role-stale')
    .map((f) => f.message);

/** The fixture with its roles replaced by `roles` (each an IRSA role of the fixture's cluster unless its trust is given). */
function withRoles(inventory: Inventory, roles: (Partial<Omit<Role, 'lastUsed'>> & { name: string; lastUsed?: Omit<RoleLastUse, 'source'> })[]): Inventory {
  const template = inventory.roles.find((r) => r.name === 'idle')!;
  return {
    ...inventory,
    roles: roles.map(({ lastUsed, ...r }) => {
      const source = r.source ?? template.source;
      return {
        ...template,
        createDate: undefined,
        ...r,
        source,
        lastUsed: lastUsed && { ...lastUsed, source },
        arn: `arn:aws:iam::111122223333:role/${r.name}`,
      };
    }),
  };
}

describe('irsa-role-stale', () => {
  it('measures from the collection time collection.json records for the role file, not the wall clock', () => {
    // Whatever the clock says (a year later, or before the collection), the collected time decides.
    for (const now of [undefined, '2027-12-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z']) {
      expect(stale(fires, { now })).toEqual([
        `arn:aws:iam::111122223333:role/app: IRSA role last used 2026-03-01 in eu-west-1, 214 days before its collection (${COLLECTED}); stale after 90 days`,
        `arn:aws:iam::111122223333:role/idle: IRSA role no use in IAM's tracking period (the trailing 400 days), created 2025-01-10, 629 days before its collection (${COLLECTED}); stale after 90 days`,
      ]);
    }
  });

  it('falls back to the given time, and says so, when the bundle records no collection time for the role file', () => {
    const uncollected = { ...fires, evidence: fires.evidence.map((e) => ({ ...e, collectedAt: undefined })) };
    expect(stale(uncollected, { now: '2026-06-01T23:59:59.999Z' })).toEqual(stale(uncollected, { now: '2026-06-01T00:00:00.000Z' }));
    expect(stale(uncollected, { now: '2026-06-01T00:00:00.000Z' })).toEqual([
      "arn:aws:iam::111122223333:role/app: IRSA role last used 2026-03-01 in eu-west-1, 91 days before the audit's date (2026-06-01; the bundle records no collection time for the role's file); stale after 90 days",
      "arn:aws:iam::111122223333:role/idle: IRSA role no use in IAM's tracking period (the trailing 400 days), created 2025-01-10, 507 days before the audit's date (2026-06-01; the bundle records no collection time for the role's file); stale after 90 days",
    ]);
    // Without a time to measure from, the audit stays a pure function of its input and judges nothing.
    expect(stale(uncollected)).toEqual([]);
    // The report measures from its own time, which SOURCE_DATE_EPOCH fixes.
    const report = buildReport(uncollected, plan(uncollected, { generatedAt: '2026-05-31T00:00:00.000Z' }));
    expect(report.findings.filter((f) => f.rule === 'irsa-role-stale').map((f) => f.roleArn)).toEqual(['arn:aws:iam::111122223333:role/idle']);
  });

  it('measures each role to the collection time of its own file: in a bundle of two accounts, one recorded and one not', () => {
    const recorded = fires.roles.find((r) => r.name === 'app')!.source;
    const inventory = withRoles(fires, [
      { name: 'recorded', source: recorded, lastUsed: { date: '2026-06-01T12:00:01.000Z' } },
      { name: 'unrecorded', source: '/elsewhere/aws/444455556666/iam-authorization-details.json', lastUsed: { date: '2026-06-01T12:00:01.000Z' } },
    ]);
    expect(stale(inventory, { now: '2026-12-01T00:00:00.000Z' })).toEqual([
      `arn:aws:iam::111122223333:role/recorded: IRSA role last used 2026-06-01, 122 days before its collection (${COLLECTED}); stale after 90 days`,
      "arn:aws:iam::111122223333:role/unrecorded: IRSA role last used 2026-06-01, 182 days before the audit's date (2026-12-01; the bundle records no collection time for the role's file); stale after 90 days",
    ]);
  });

  it('is stale only after more than --stale-days whole days', () => {
    const inventory = withRoles(fires, [
      { name: 'exactly-90', lastUsed: { date: '2026-07-03T12:00:01.000Z' } },
      { name: 'just-over-90', lastUsed: { date: '2026-07-02T12:00:00.000Z' } },
      { name: 'used-after-collection', lastUsed: { date: '2026-10-02T00:00:00.000Z' } },
    ]);
    expect(stale(inventory).map((m) => m.split(':')[5])).toEqual(['role/just-over-90']);
    expect(stale(inventory, { staleDays: 91 })).toEqual([]);
    expect(stale(inventory, { staleDays: 1 }).map((m) => m.split(':')[5])).toEqual(['role/exactly-90', 'role/just-over-90']);
    expect(stale(fires, { staleDays: 214 }).map((m) => m.split(':')[5])).toEqual(['role/idle']);
  });

  it('judges a never-used role by its age, and makes no finding where last use or age is unknown', () => {
    const inventory = withRoles(fires, [
      { name: 'never-old', lastUsed: {}, createDate: '2026-06-01T00:00:00.000Z' },
      { name: 'never-young', lastUsed: {}, createDate: '2026-08-01T00:00:00.000Z' },
      { name: 'never-no-create-date', lastUsed: {} },
      { name: 'not-collected', createDate: '2020-01-01T00:00:00.000Z' },
    ]);
    expect(stale(inventory).map((m) => m.split(':')[5])).toEqual(['role/never-old']);
  });

  it('flags only roles whose trust admits an EKS IRSA identity, not other roles unused as long', () => {
    const trust = (statement: RawStatement) => ({ Version: '2012-10-17', Statement: [statement] });
    const old = { lastUsed: { date: '2024-01-01T00:00:00.000Z' } };
    const inventory = withRoles(fires, [
      { name: 'irsa', ...old },
      {
        name: 'github-actions',
        ...old,
        trustPolicy: trust({
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
        }),
      },
      { name: 'ec2', ...old, trustPolicy: trust({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }) },
      {
        name: 'denied-irsa',
        ...old,
        trustPolicy: trust({
          Effect: 'Deny',
          Principal: { Federated: `arn:aws:iam::111122223333:oidc-provider/${ISSUER}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
        }),
      },
      {
        name: 'pod-identity',
        ...old,
        trustPolicy: trust({ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }),
      },
    ]);
    expect(stale(inventory).map((m) => m.split(':')[5])).toEqual(['role/irsa']);
  });
});

describe("the report's role-to-pod map", () => {
  const notesOf = (inventory: Inventory) => {
    const report = buildReport(inventory, plan(inventory, { generatedAt: '2026-10-01T00:00:00.000Z' }));
    const row = emitReportMarkdown(report)
      .split('\n')
      .find((l) => l.startsWith('| shop | cart |'))!;
    return { json: report.clusters[0]!.mappings.map((m) => m.roleLastUsed), notes: row.split(' | ').at(-1) };
  };
  const appWith = (lastUsed: Omit<RoleLastUse, 'source'> | undefined) => ({
    ...fires,
    roles: fires.roles.map((r) => (r.name === 'app' ? { ...r, lastUsed: lastUsed && { ...lastUsed, source: r.source } } : r)),
  });

  it("shows the role's last use, no use in IAM's tracking period, or that the evidence does not say", () => {
    expect(notesOf(fires)).toEqual({ json: [{ date: '2026-03-01T08:00:00.000Z', region: 'eu-west-1' }], notes: 'last used 2026-03-01 in eu-west-1 |' });
    expect(notesOf(appWith({}))).toEqual({ json: [{ date: null, region: null }], notes: 'no use in 400 days |' });
    expect(notesOf(appWith(undefined))).toEqual({ json: [null], notes: 'last use unknown |' });
  });
});
