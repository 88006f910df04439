import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { sdkConfig } from '../helpers/moto.js';
import { CLUSTER_ACCOUNT as ACCOUNT, ok, singleAccount } from './lifecycle.js';
import { associationSummaries, liveTrust } from './world.js';

describe('generated scripts: verification, conflicts, --cluster, drift (moto + EKS shim + Kubernetes fake)', () => {
  const env = singleAccount();

  it('basic: verification is strict by default, passes once pods run on Pod Identity, warns on no pods', async () => {
    const w = await env.load('basic');
    await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    const strict = await w.run('migrate.sh', ['--phase', 'verify']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/pod \S+ (still has AWS_ROLE_ARN|has no AWS_CONTAINER_CREDENTIALS_FULL_URI)/);
    // What the Pod Identity webhook does to new pods of an associated service account.
    const pods = w.kube.objects().filter((o) => o.kind === 'Pod' && (o.spec as { serviceAccountName?: string }).serviceAccountName === 'cart-reader');
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) {
      const spec = p.spec as { containers: { env?: { name: string; value?: string }[] }[] };
      for (const c of spec.containers) {
        c.env = [
          ...(c.env ?? []).filter((e) => !e.name.startsWith('AWS_ROLE_ARN') && e.name !== 'AWS_WEB_IDENTITY_TOKEN_FILE'),
          { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' },
        ];
      }
      w.kube.put(p);
    }
    const passed = await ok(w, 'migrate.sh', ['--phase', 'verify']);
    expect(passed).toContain('every running pod uses Pod Identity');
    for (const p of pods) w.kube.put({ ...p, status: { phase: 'Succeeded' } });
    const none = await ok(w, 'finalize.sh');
    expect(none).toContain('no running pods to verify');
  }, 120_000);

  it('basic: an association with another role stops that identity before its annotation is touched', async () => {
    const w = await env.load('basic');
    const other = `arn:aws:iam::${ACCOUNT}:role/someone-else`;
    env.accounts().shim.seedAssociation({ clusterName: 'c1', namespace: 'shop', serviceAccount: 'cart-reader', roleArn: other, region: 'eu-west-1' });
    const r = await w.run('migrate.sh', [], { VERIFY: 'warn' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`c1/shop/cart-reader: association`);
    expect(r.stderr).toContain(other);
    expect(w.kube.get('ServiceAccount', 'shop', 'cart-reader')!.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(
      `arn:aws:iam::${ACCOUNT}:role/s3-readers`,
    );
    expect(associationSummaries(env.accounts().shim)).toEqual([expect.objectContaining({ serviceAccount: 'cart-reader', roleArn: other })]);
    const dep = w.kube.get('Deployment', 'shop', 'cart') as { spec: { template: { metadata: { annotations?: Record<string, string> } } } } | undefined;
    expect(dep?.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
  }, 60_000);

  it('basic: --cluster limits the run; an unknown cluster is refused; a drifted trust is left alone', async () => {
    const w = await env.load('basic');
    const bad = await w.run('migrate.sh', ['--cluster', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--cluster nope: not a cluster of this plan');
    const role = w.plan.roles[0]!;
    const drifted = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] };
    const r0 = await w.run('migrate.sh', ['--cluster', 'c1', '--phase', 'trust']);
    expect(r0.code, r0.stderr).toBe(0);
    expect(await liveTrust(env.accounts(), role.arn)).toEqual(role.trustPolicy.transition);
    await ok(w, 'migrate.sh', ['--cluster', 'c1'], { VERIFY: 'warn' });
    await new IAMClient(sdkConfig(env.accounts().shim.endpoint)).send(
      new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: JSON.stringify(drifted) }),
    );
    const r1 = await w.run('finalize.sh', ['--phase', 'trust']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain('changed since the plan was made');
    expect(await liveTrust(env.accounts(), role.arn)).toEqual(drifted);
  }, 60_000);
});
