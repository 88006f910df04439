import { describe, expect, it } from 'vitest';
import { isValidName, nameProblems, type IdentityNames } from '../../src/plan/names.js';

const GOOD: IdentityNames = {
  cluster: { name: 'prod-eu_1', accountId: '111122223333', region: 'us-gov-west-1' },
  namespace: 'shop',
  serviceAccount: 'cart.reader-2',
  annotatedRoleArn: 'arn:aws:iam::111122223333:role/team/a+b=c,d.e@f_g-h',
  role: { name: 'a+b=c,d.e@f_g-h', path: '/team/' },
  chainRoleArn: 'arn:aws-cn:iam::444455556666:role/irsa2pi/chain-1',
  addon: { name: 'aws-ebs-csi-driver' },
  existing: { associationId: 'a-abc123' },
  workloads: [{ kind: 'Deployment', name: 'web.v2', namespace: 'shop' }],
};

describe('nameProblems', () => {
  it('finds none in names AWS and Kubernetes accept', () => {
    expect(nameProblems(GOOD)).toEqual([]);
    expect(nameProblems({ ...GOOD, role: { name: 'r', path: '/' }, chainRoleArn: undefined, addon: undefined, existing: undefined, workloads: [] })).toEqual(
      [],
    );
  });

  it.each<[string, Partial<IdentityNames>, string]>([
    ['a role path with $(…), which IAM accepts', { role: { name: 'r', path: '/$(touch pwned)/' } }, 'role path'],
    ['a role path with a tilde, which IAM accepts', { role: { name: 'r', path: '/a~b/' } }, 'role path'],
    ['an annotation with a path of shell characters', { annotatedRoleArn: 'arn:aws:iam::111122223333:role/$(id)/r' }, 'annotated role'],
    ['an annotation carrying an OSC title sequence', { annotatedRoleArn: 'arn:aws:iam::111122223333:role/r\u001b]0;x\u0007' }, 'annotated role'],
    ['a role name of 65 characters', { role: { name: 'r'.repeat(65), path: '/' } }, 'role name'],
    ['an upper-case namespace', { namespace: 'Shop' }, 'namespace'],
    ['a namespace of 64 characters', { namespace: 'n'.repeat(64) }, 'namespace'],
    ['a namespace with a C1 CSI', { namespace: 'shop\u009b31m' }, 'namespace'],
    ['a service account with a bidi override', { serviceAccount: 'cart\u202egnp' }, 'service account'],
    ['a service account with a quote', { serviceAccount: "'x" }, 'service account'],
    ['a cluster name with a newline', { cluster: { ...GOOD.cluster, name: 'c1\nrm' } }, 'cluster name'],
    ['a cluster name starting with a dash', { cluster: { ...GOOD.cluster, name: '-c1' } }, 'cluster name'],
    ['a short account', { cluster: { ...GOOD.cluster, accountId: '1111' } }, 'account'],
    ['a region with a space', { cluster: { ...GOOD.cluster, region: 'eu west-1' } }, 'region'],
    ['a chaining role in another partition form', { chainRoleArn: 'arn:aws:iam::1:role/x' }, 'chaining role'],
    ['an add-on name with a slash', { addon: { name: 'a/b' } }, 'add-on'],
    ['an association id with a semicolon', { existing: { associationId: 'a-1;x' } }, 'existing association id'],
    ['a workload name with a backtick', { workloads: [{ kind: 'Deployment', name: 'web`id`', namespace: 'shop' }] }, 'workload name'],
    ['a workload kind with a dollar', { workloads: [{ kind: 'Deploy$ment', name: 'web', namespace: 'shop' }] }, 'workload kind'],
  ])('names %s', (_, change, field) => {
    const found = nameProblems({ ...GOOD, ...change });
    expect(found.map((p) => p.field)).toEqual([field]);
    expect(found[0]!.rule).toMatch(/^an? /);
  });

  it('lists every bad name of an identity, in a fixed order', () => {
    expect(nameProblems({ ...GOOD, namespace: 'A', serviceAccount: 'B', cluster: { ...GOOD.cluster, name: '$' } }).map((p) => p.field)).toEqual([
      'cluster name',
      'namespace',
      'service account',
    ]);
  });

  it('takes no value that is not a string', () => {
    expect(isValidName('namespace', 3)).toBe(false);
    expect(isValidName('namespace', undefined)).toBe(false);
  });
});
