import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateTrust } from '../../src/iam/evaluate.js';
import { normalizeStatements } from '../../src/iam/policy.js';
import { irsaRequest, type Identity } from '../../src/iam/requests.js';
import { cluster, irsaStatement, role } from '../helpers/inventory.js';

/** An independent reference: IAM wildcard matching by recursion over the pattern. */
function referenceLike(pattern: string, value: string): boolean {
  if (pattern === '') return value === '';
  const [p, ...rest] = pattern;
  const tail = rest.join('');
  if (p === '*') return referenceLike(tail, value) || (value !== '' && referenceLike(pattern, value.slice(1)));
  if (value === '') return false;
  return (p === '?' || p === value[0]) && referenceLike(tail, value.slice(1));
}

const c1 = cluster('c1');
const name = fc.stringMatching(/^[ab]{1,3}$/);
const pattern = fc.stringMatching(/^[ab*?]{0,4}$/);

function identity(namespace: string, serviceAccount: string): Identity {
  return {
    clusterArn: c1.arn,
    clusterName: 'c1',
    accountId: c1.accountId,
    region: c1.region,
    issuerHostPath: c1.issuerHostPath!,
    namespace,
    serviceAccount,
    audience: 'sts.amazonaws.com',
  };
}

describe('subject matching agrees with a brute-force reference', () => {
  it('StringLike / StringEquals / ForAnyValue lists', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(pattern, pattern), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('StringEquals', 'StringLike', 'ForAnyValue:StringLike', 'ForAnyValue:StringEquals'),
        name,
        name,
        (pairs, operator, ns, sa) => {
          const subjects = pairs.map(([n, s]) => `system:serviceaccount:${n}:${s}`);
          const st = irsaStatement(c1, 'StringEquals', subjects);
          const statement = { ...st, Condition: { [operator]: { [`${c1.issuerHostPath}:sub`]: subjects } } } as typeof st;
          const doc = role('r', [statement]).trustPolicy;
          const got = evaluateTrust(normalizeStatements(doc), irsaRequest(identity(ns, sa), c1.accountId)).decision;
          const subject = `system:serviceaccount:${ns}:${sa}`;
          const like = operator.endsWith('StringLike');
          const want = subjects.some((p) => (like ? referenceLike(p, subject) : p === subject));
          expect(got).toBe(want ? 'yes' : 'no');
        },
      ),
      { numRuns: 400 },
    );
  });
});
