import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { visible } from '../../src/escape.js';
import { layoutColumns } from '../../src/emit/columns.js';
import { clusterLabeller, roleLabeller } from '../../src/emit/short-names.js';
import { emitTable } from '../../src/emit/plan/table.js';
import { graphemes, textWidth, truncate, truncateMiddle } from '../../src/emit/text-width.js';
import fc from 'fast-check';
import type { EmitOptions } from '../../src/emit/types.js';
import type { Cluster } from '../../src/model/inventory.js';
import type { Plan } from '../../src/plan/model.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { rawControls } from '../hostile/raw-controls.js';
import { hostileInventory, TERMINAL } from '../report/hostile.js';
import { cluster, inventory, irsaStatement, role, serviceAccount } from '../helpers/inventory.js';

const AT = '2026-01-01T00:00:00.000Z';
const DEMO = plan(readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo')), { generatedAt: AT });

function table(p: Plan, options: EmitOptions): string {
  const r = emitTable(p, options);
  if (r.kind !== 'text') throw new Error('the table is one text');
  return r.text;
}

/** The identity lines: from the header to the first blank line. */
function identityLines(text: string): string[] {
  const lines = text.split('\n');
  return lines.slice(0, lines.indexOf(''));
}

/** Each row's cell of the column under `header` (columns start where their header does). */
function column(lines: readonly string[], header: string): string[] {
  const heads = [...lines[0]!.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index }));
  const i = heads.findIndex((h) => h.name === header);
  const from = heads[i]!.at;
  const to = heads[i + 1]?.at;
  return lines
    .slice(1)
    .filter((l) => !l.startsWith('('))
    .map((l) => l.slice(from, to).trim());
}

describe('the plan table, laid out like kubectl get', () => {
  it.each([80, 100, 120])('fits the demo into %i columns, one line per identity, keys whole', (width) => {
    const text = table(DEMO, { width });
    for (const line of text.split('\n')) expect(textWidth(line), line).toBeLessThanOrEqual(width);
    expect(text).not.toMatch(/[│┌┐├┤└┘─┼]/);
    const lines = identityLines(text);
    expect(lines[0]).toMatch(/^CLUSTER {3,}NAMESPACE {3,}SERVICE ACCOUNT {3,}ROLE {3,}STATUS\b/);
    const rows = lines.slice(1).filter((l) => !l.startsWith('('));
    expect(rows).toHaveLength(DEMO.associations.length);
    const keys = rows.map((l) => l.split(/ {3,}/).slice(0, 3).join(' '));
    expect(new Set(keys).size).toBe(rows.length);
    for (const a of DEMO.associations) expect(keys).toContain(`${a.cluster} ${a.namespace} ${a.serviceAccount}`);
  });

  it('shortens role ARNs to account:name across accounts, cuts them visibly, and keeps different roles apart', () => {
    for (const width of [80, 120]) {
      const lines = identityLines(table(DEMO, { width }));
      const roles = column(lines, 'ROLE');
      const sorted = [...DEMO.associations].sort(
        (a, b) =>
          a.cluster.localeCompare(b.cluster, 'en') || a.namespace.localeCompare(b.namespace, 'en') || a.serviceAccount.localeCompare(b.serviceAccount, 'en'),
      );
      const byRole = new Map<string, string>();
      sorted.forEach((a, i) => {
        const full = `${a.currentRoleArn.split(':')[4]}:${a.currentRoleArn.split('/').at(-1)}`;
        const shown = roles[i]!;
        if (shown !== full) expect(shown, `${full} cut without a mark`).toContain('…');
        expect(byRole.get(shown) ?? full, `two roles shown as ${shown}`).toBe(full);
        byRole.set(shown, full);
      });
    }
    expect(table(DEMO, { width: 80 })).toContain('(NOTES, WORKLOADS left out to fit 80 columns: see --wide)');
  });

  it('--wide shows every column and every ARN whole', () => {
    const lines = identityLines(table(DEMO, { wide: true, width: 80 }));
    expect(lines[0]).toMatch(/STATUS {3,}NOTES {3,}WORKLOADS$/);
    expect(lines.join('\n')).not.toContain('…');
    for (const a of DEMO.associations) {
      const line = lines.find((l) => l.startsWith(`${a.clusterArn} `) && l.includes(` ${a.namespace} `) && l.includes(` ${a.serviceAccount} `));
      expect(line, `${a.namespace}/${a.serviceAccount}`).toContain(a.currentRoleArn);
      for (const w of a.workloads) expect(line).toContain(`${w.kind}/${w.name}`);
      if (a.targetRoleArn) expect(line).toContain(`chains ${a.roleArn} → target`);
    }
  });

  it('when even the columns that are never cut do not fit, lines are wider than asked, and keys stay whole', () => {
    const lines = identityLines(table(DEMO, { width: 40 }));
    expect(lines[0]).toMatch(/^CLUSTER {3,}NAMESPACE {3,}SERVICE ACCOUNT {3,}ROLE {3,}STATUS$/);
    expect(lines.at(-1)).toBe('(NOTES, WORKLOADS left out to fit 40 columns: see --wide)');
    expect(lines.some((l) => l.includes('pod-identity-assoc-sa'))).toBe(true);
  });

  it('keeps a hostile name escaped on its own line', () => {
    const p = plan(hostileInventory(TERMINAL), { generatedAt: AT });
    for (const options of [{ width: 80 }, { wide: true }, { width: 200, color: true }]) {
      const text = table(p, options).replace(/\u001b\[\d+(;\d+)*m/g, '');
      expect(rawControls(text, JSON.stringify(options))).toEqual([]);
      const lines = identityLines(text).filter((l) => !l.startsWith('('));
      expect(lines).toHaveLength(1 + p.associations.length);
      expect(lines.slice(1).join('\n')).toContain(visible(TERMINAL.serviceAccount));
    }
  });

  it('tells two clusters of one name in two regions apart, and aligns wide characters by display width', () => {
    const roleArn = 'arn:aws:iam::111122223333:role/app';
    const eu = cluster('prod', [serviceAccount('チーム', 'app', roleArn)]);
    const usHost = 'oidc.eks.us-east-1.amazonaws.com/id/00000000000000000000000000000001';
    const us: Cluster = {
      ...cluster('prod', [serviceAccount('team', 'app', roleArn)]),
      region: 'us-east-1',
      arn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod',
      issuer: `https://${usHost}`,
      issuerHostPath: usHost,
    };
    const p = plan(
      inventory(
        [eu, us],
        [
          role('app', [
            irsaStatement(eu, 'StringEquals', ['system:serviceaccount:チーム:app']),
            irsaStatement(us, 'StringEquals', ['system:serviceaccount:team:app']),
          ]),
        ],
      ),
      { generatedAt: AT },
    );
    const lines = identityLines(table(p, { width: 120 }));
    const cells = lines.slice(1).map((l) => l.split(/ {3,}/));
    expect(cells.map((c) => [c[0], c[1], c[3]])).toEqual([
      ['eu-west-1/prod', 'チーム', 'app'],
      ['us-east-1/prod', 'team', 'app'],
    ]);
    const statusAt = lines.map((l) => textWidth(l.slice(0, l.search(/(create|exists|conflict|blocked|skipped|STATUS)/))));
    expect(new Set(statusAt).size).toBe(1);
  });
});

describe('short labels', () => {
  it('role: the name in one account, account:name across accounts, the ARN when names would collide', () => {
    const one = ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:role/teams/b'];
    expect(one.map(roleLabeller(one))).toEqual(['a', 'b']);
    const two = [...one, 'arn:aws:iam::444455556666:role/a'];
    expect(two.map(roleLabeller(two))).toEqual(['111122223333:a', '111122223333:b', '444455556666:a']);
    const partitions = ['arn:aws:iam::111122223333:role/a', 'arn:aws-cn:iam::111122223333:role/a'];
    expect(partitions.map(roleLabeller(partitions))).toEqual(partitions);
    const forged = ['arn:aws:iam::111122223333:role/a', 'not an arn'];
    expect(forged.map(roleLabeller(forged))).toEqual(forged);
  });

  it('cluster: the name, region/name when names repeat, account/region/name when that repeats too', () => {
    const c = (name: string, region: string, accountId: string) => ({
      cluster: name,
      region,
      accountId,
      clusterArn: `arn:aws:eks:${region}:${accountId}:cluster/${name}`,
    });
    const distinct = [c('a', 'eu-west-1', '1'), c('b', 'eu-west-1', '1')];
    expect(distinct.map(clusterLabeller(distinct))).toEqual(['a', 'b']);
    const regions = [c('a', 'eu-west-1', '1'), c('a', 'us-east-1', '1'), c('b', 'eu-west-1', '1')];
    expect(regions.map(clusterLabeller(regions))).toEqual(['eu-west-1/a', 'us-east-1/a', 'eu-west-1/b']);
    const accounts = [c('a', 'eu-west-1', '1'), c('a', 'eu-west-1', '2')];
    expect(accounts.map(clusterLabeller(accounts))).toEqual(['1/eu-west-1/a', '2/eu-west-1/a']);
  });
});

describe('column layout', () => {
  it('measures wide and combining characters, and cuts at grapheme boundaries', () => {
    expect(textWidth('名前')).toBe(4);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('👍🏽')).toBe(2);
    expect(truncate('名前空間', 5)).toBe('名前…');
    expect(truncate('e\u0301e\u0301e\u0301', 2)).toBe('e\u0301…');
    expect(truncateMiddle('111122223333:legacy-any-sa', 16)).toBe('11112…acy-any-sa');
    expect(truncateMiddle('名前空間名前', 8)).toBe('名…名前');
  });

  it('the quick count of plain text agrees with the grapheme count, and cuts agree too', () => {
    const slow = (s: string) => graphemes(s).reduce((sum, g) => sum + g.width, 0);
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: fc.constantFrom('a', '→', '名', 'e\u0301', '👍🏽', '☔', 'ｘ', '\u{1f1e9}\u{1f1ea}') }),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 40 }), (s, w) => {
        expect(textWidth(s)).toBe(slow(s));
        for (const cut of [truncate(s, w), truncateMiddle(s, w)]) expect(textWidth(cut)).toBeLessThanOrEqual(Math.max(w, 1));
      }),
    );
  });

  it('lays out more rows than a call can take arguments (no spread of every cell)', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [{ text: `key-${i}` }, { text: `value-${i}` }]);
    const { lines } = layoutColumns([{ header: 'Key' }, { header: 'Value', truncatable: true }], rows, 80, (_, t) => t);
    expect(lines).toHaveLength(300_001);
    expect(lines.at(-1)).toBe('key-299999   value-299999');
  });

  it('cuts a distinct column no narrower than keeps its values apart', () => {
    const rows = [
      [{ text: 'key1' }, { text: 'ab-x-cccccccccccccccc' }],
      [{ text: 'key2' }, { text: 'ab-y-cccccccccccccccc' }],
    ];
    const { lines } = layoutColumns([{ header: 'Key' }, { header: 'Role', truncatable: true, distinct: true, min: 4 }], rows, 12, (_, t) => t);
    const cells = lines.slice(1).map((l) => l.slice(7));
    expect(new Set(cells).size).toBe(2);
    for (const c of cells) expect(c).toContain('…');
  });
});
