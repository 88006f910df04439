import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupFindings, mergeFindings } from '../../src/findings/merge.js';
import { compareFindings, SEVERITIES, type Finding } from '../../src/findings/model.js';

const f = (over: Partial<Finding> = {}): Finding => ({
  rule: 'sa-role-missing',
  severity: 'high',
  message: 'm',
  roleArn: 'arn:aws:iam::111122223333:role/a',
  cluster: 'c',
  namespace: 'n',
  serviceAccount: 's',
  ...over,
});

describe('mergeFindings', () => {
  it('keeps one finding of the same rule, subjects and message: the most severe, whichever list or position it comes in', () => {
    const low = f({ severity: 'low' });
    const critical = f({ severity: 'critical' });
    expect(mergeFindings([low], [critical])).toEqual([critical]);
    expect(mergeFindings([critical], [low])).toEqual([critical]);
    expect(mergeFindings([low, critical, f({ severity: 'medium' })])).toEqual([critical]);
  });

  it('keeps the first of equally severe duplicates (the same object)', () => {
    const first = f();
    const second = {
      serviceAccount: 's',
      namespace: 'n',
      cluster: 'c',
      roleArn: 'arn:aws:iam::111122223333:role/a',
      message: 'm',
      severity: 'high',
      rule: 'sa-role-missing',
    } as const;
    const [kept] = mergeFindings([first, second]);
    expect(kept).toBe(first);
    expect(mergeFindings([second], [first])[0]).toBe(second);
  });

  it('keeps findings apart that differ in rule, any subject or message', () => {
    const base = f();
    const others = [
      f({ rule: 'other' }),
      f({ roleArn: undefined }),
      f({ cluster: 'd' }),
      f({ namespace: 'o' }),
      f({ serviceAccount: 't' }),
      f({ message: 'other statement' }),
    ];
    expect(mergeFindings([base, ...others])).toHaveLength(7);
  });

  it('tells an absent subject from an empty one', () => {
    const { cluster, ...noCluster } = f();
    expect(cluster).toBe('c');
    expect(mergeFindings([noCluster, f({ cluster: '' })])).toHaveLength(2);
  });

  it('sorts by compareFindings, most severe first, and does not depend on the order of its input', () => {
    const arb = fc.record({
      rule: fc.constantFrom('a', 'b'),
      severity: fc.constantFrom(...SEVERITIES),
      message: fc.constantFrom('x', 'y'),
      cluster: fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(arb, { maxLength: 12 }), (raw) => {
        const list: Finding[] = raw.map(({ cluster, ...rest }) => (cluster === undefined ? rest : { ...rest, cluster }));
        const merged = mergeFindings(list);
        expect(mergeFindings([...list].reverse())).toEqual(merged);
        expect([...merged].sort(compareFindings)).toEqual(merged);
        expect(mergeFindings(merged, list)).toEqual(merged);
        const worst = new Map<string, number>();
        for (const x of list) {
          const key = JSON.stringify([x.rule, x.message, x.cluster ?? null]);
          worst.set(key, Math.min(worst.get(key) ?? 9, SEVERITIES.indexOf(x.severity)));
        }
        expect(merged.map((x) => SEVERITIES.indexOf(x.severity)).sort()).toEqual([...worst.values()].sort());
      }),
    );
  });
});

describe('groupFindings', () => {
  it('groups by severity (most severe first), then by rule id, with the catalogue text and a stub for an unknown rule', () => {
    const findings = mergeFindings([
      f({ rule: 'sa-role-missing' }),
      f({ rule: 'irsa-trust-no-subject', severity: 'critical' }),
      f({ rule: 'zz-unknown', severity: 'high' }),
      f({ rule: 'sa-role-missing', message: 'n' }),
    ]);
    const groups = groupFindings(findings);
    expect(groups.map((g) => g.severity)).toEqual(['critical', 'high']);
    expect(groups[1]!.rules.map((r) => [r.rule.id, r.findings.length])).toEqual([
      ['sa-role-missing', 2],
      ['zz-unknown', 1],
    ]);
    expect(groups[0]!.rules[0]!.rule.title).toBe('IRSA trust has no subject condition');
    expect(groups[1]!.rules[1]!.rule).toEqual({ id: 'zz-unknown', severity: 'high', title: 'zz-unknown', explanation: '', fix: '' });
  });

  it('hands out the five catalogue fields only, so the report JSON keeps its shape', () => {
    const [group] = groupFindings([f()]);
    expect(Object.keys(group!.rules[0]!.rule)).toEqual(['id', 'severity', 'title', 'explanation', 'fix']);
  });
});
