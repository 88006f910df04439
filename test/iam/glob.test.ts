import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, globMatch, type GlobMeter } from '../../src/iam/glob.js';
import { evaluateTrust } from '../../src/iam/evaluate.js';
import { normalizeStatements, type PolicyDocument } from '../../src/iam/policy.js';
import { irsaRequest, type Identity } from '../../src/iam/requests.js';

/** An independent reference: IAM wildcard matching by recursion over the pattern (exponential, so small inputs only). */
function reference(pattern: string, value: string, fold: (c: string) => string = (c) => c): boolean {
  if (pattern === '') return value === '';
  const p = pattern[0]!;
  const tail = pattern.slice(1);
  if (p === '*') return reference(tail, value, fold) || (value !== '' && reference(pattern, value.slice(1), fold));
  if (value === '') return false;
  return (p === '?' || fold(p) === fold(value[0]!)) && reference(tail, value.slice(1), fold);
}

const upper = (c: string) => (c.toUpperCase().length === 1 ? c.toUpperCase() : c);

describe('compileGlob', () => {
  it('agrees with the recursive reference on small patterns and values', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*?:]{0,7}$/), fc.stringMatching(/^[abAB:]{0,8}$/), fc.boolean(), (pattern, value, ignoreCase) => {
        expect(compileGlob(pattern, ignoreCase).test(value)).toBe(reference(pattern, value, ignoreCase ? upper : undefined));
        expect(globMatch(pattern, value, ignoreCase)).toBe(reference(pattern, value, ignoreCase ? upper : undefined));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes every other character literally, and is case-sensitive unless told', () => {
    expect(compileGlob('a.b').test('a.b')).toBe(true);
    expect(compileGlob('a.b*').test('axb')).toBe(false);
    expect(compileGlob('(a|b)*').test('a')).toBe(false);
    expect(compileGlob('$x^*').test('$x^yz')).toBe(true);
    expect(compileGlob('[ab]?').test('[ab]c')).toBe(true);
    expect(compileGlob('Sys*').test('system')).toBe(false);
    expect(compileGlob('Sys*', true).test('system')).toBe(true);
    expect(compileGlob('sts:Assume*', true).test('STS:ASSUMEROLE')).toBe(true);
    expect(compileGlob('?').test('')).toBe(false);
    expect(compileGlob('*').test('')).toBe(true);
    expect(compileGlob('a*a').test('a')).toBe(false);
    expect(compileGlob('a*a').test('aa')).toBe(true);
    expect(compileGlob('line*').test('line\nbreak')).toBe(true);
  });

  it('never folds a non-ASCII character onto an ASCII one (the equivalence prefix filter relies on it)', () => {
    expect(compileGlob('s*', true).test('\u017fx')).toBe(false);
    expect(compileGlob('K*', true).test('\u212ax')).toBe(false);
    expect(compileGlob('é*', true).test('Éx')).toBe(true);
  });

  it('makes at most pattern × value comparisons on patterns that make a regular expression backtrack', () => {
    const cases: [string, string][] = [
      ['*a*a*a*a*a*a*a*b', 'a'.repeat(5000)],
      ['system:serviceaccount:*-*-*-*-*-*-*-*-*-*-*-*:x', `system:serviceaccount:${'-'.repeat(4000)}:y`],
      [`system:serviceaccount:${'*?'.repeat(12)}z`, `system:serviceaccount:${'ab'.repeat(3000)}`],
      ['*aaaaaaaaaaaaaaaaaaaaaaaab*', 'a'.repeat(8000)],
    ];
    for (const [pattern, value] of cases) {
      const meter: GlobMeter = { steps: 0 };
      expect(compileGlob(pattern).test(value, meter)).toBe(false);
      expect(meter.steps).toBeLessThanOrEqual((pattern.length + 1) * (value.length + 1));
    }
  });

  it('grows linearly with the value: at most the longest segment × value length, plus the pattern', () => {
    const steps = (n: number) => {
      const meter: GlobMeter = { steps: 0 };
      compileGlob('*a*a*a*a*a*a*a*aaaaaaab*').test('a'.repeat(n), meter);
      return meter.steps;
    };
    for (const n of [1000, 8000, 64000]) {
      expect(steps(n)).toBeGreaterThan(n);
      expect(steps(n)).toBeLessThanOrEqual(8 * n + 24);
    }
  });
});

describe('StringLike through the evaluator, with a pathological trust', () => {
  const HP = 'oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111';
  const ACCOUNT = '111122223333';
  const doc: PolicyDocument = {
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${HP}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { [`${HP}:sub`]: 'system:serviceaccount:*-*-*-*-*-*-*:allowed' } },
      },
    ],
  };
  const identity = (namespace: string, serviceAccount: string): Identity => ({
    clusterArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/c1`,
    clusterName: 'c1',
    accountId: ACCOUNT,
    region: 'eu-west-1',
    issuerHostPath: HP,
    namespace,
    serviceAccount,
    audience: 'sts.amazonaws.com',
  });

  it('admits the subjects the pattern names and refuses long near-misses', () => {
    const statements = normalizeStatements(doc);
    const decide = (ns: string, sa: string) => evaluateTrust(statements, irsaRequest(identity(ns, sa), ACCOUNT)).decision;
    expect(decide('a-b-c-d-e-f-g', 'allowed')).toBe('yes');
    expect(decide('a-b-c-d-e-f', 'allowed')).toBe('no');
    for (let i = 0; i < 30; i++) expect(decide(`ns-${'-'.repeat(60)}-${i}`, `${'-'.repeat(200)}${i}`)).toBe('no');
  });
});
