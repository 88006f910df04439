import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  EKSClient,
  CreateClusterCommand,
  CreatePodIdentityAssociationCommand,
  DescribePodIdentityAssociationCommand,
  ListAddonsCommand,
  paginateListPodIdentityAssociations,
  type PodIdentityAssociationSummary,
} from '@aws-sdk/client-eks';
import { IAMClient, CreateRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { startMoto, awsEnv, sdkConfig, type MotoServer } from '../helpers/moto.js';
import { startEksShim, type EksShim } from '../helpers/eks-shim.js';
import { runCommand } from '../helpers/exec.js';
import { stopAll } from '../helpers/stop.js';

const ACCT = '111122223333';
const role = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;

describe('EKS shim in front of moto', () => {
  let moto: MotoServer;
  let shim: EksShim;
  const aws = (...args: string[]) => runCommand('aws', args, { env: awsEnv(shim.endpoint) });
  const awsJson = async (...args: string[]) => {
    const r = await aws(...args);
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, any>;
  };

  beforeAll(async () => {
    moto = await startMoto();
    shim = await startEksShim({ motoEndpoint: moto.endpoint, accountId: ACCT });
    // Cluster in moto, through the shim's forwarding (the CLI needs --role-arn and subnets).
    await awsJson(
      'eks',
      'create-cluster',
      '--name',
      'prod',
      '--role-arn',
      role('eks-cluster'),
      '--resources-vpc-config',
      'subnetIds=subnet-0123456789abcdef0,subnet-0fedcba9876543210',
    );
  });
  afterAll(async () => {
    await stopAll(shim, moto);
  });

  it('forwards IAM and /clusters to moto (CLI)', async () => {
    const cluster = (await awsJson('eks', 'describe-cluster', '--name', 'prod')).cluster;
    expect(cluster.arn).toBe(`arn:aws:eks:us-east-1:${ACCT}:cluster/prod`);
    const issuer: string = cluster.identity.oidc.issuer;
    expect(issuer).toMatch(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\//);
    const provider = await awsJson(
      'iam',
      'create-open-id-connect-provider',
      '--url',
      issuer,
      '--client-id-list',
      'sts.amazonaws.com',
      '--thumbprint-list',
      '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
    );
    expect(provider.OpenIDConnectProviderArn).toBe(`arn:aws:iam::${ACCT}:oidc-provider/${issuer.slice('https://'.length)}`);
    expect((await awsJson('eks', 'list-clusters')).clusters).toEqual(['prod']);
  });

  it('creates, pages, describes, updates and deletes Pod Identity associations (CLI)', async () => {
    shim.clear();
    const created = await awsJson(
      'eks',
      'create-pod-identity-association',
      '--cluster-name',
      'prod',
      '--namespace',
      'team-a',
      '--service-account',
      'app',
      '--role-arn',
      role('app'),
    );
    const a = created.association;
    expect(a.associationId).toMatch(/^a-[a-z0-9]{17}$/);
    expect(a.associationArn).toBe(`arn:aws:eks:us-east-1:${ACCT}:podidentityassociation/prod/${a.associationId}`);
    expect(a).toMatchObject({ clusterName: 'prod', namespace: 'team-a', serviceAccount: 'app', roleArn: role('app'), disableSessionTags: false });
    expect(a.externalId).toBeUndefined();

    const cross = (
      await awsJson(
        'eks',
        'create-pod-identity-association',
        '--cluster-name',
        'prod',
        '--namespace',
        'team-b',
        '--service-account',
        'worker',
        '--role-arn',
        role('hop'),
        '--target-role-arn',
        'arn:aws:iam::444455556666:role/target',
        '--disable-session-tags',
      )
    ).association;
    expect(cross.externalId).toBe(`us-east-1/${ACCT}/prod/team-b/worker`);
    expect(cross.disableSessionTags).toBe(true);

    const dup = await aws(
      'eks',
      'create-pod-identity-association',
      '--cluster-name',
      'prod',
      '--namespace',
      'team-a',
      '--service-account',
      'app',
      '--role-arn',
      role('other'),
    );
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('ResourceInUseException');

    const missing = await aws(
      'eks',
      'create-pod-identity-association',
      '--cluster-name',
      'nope',
      '--namespace',
      'x',
      '--service-account',
      'y',
      '--role-arn',
      role('app'),
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('ResourceNotFoundException');

    // Manual paging with the native parameters (the CLI turns auto-paging off when they are given).
    const p1 = await awsJson('eks', 'list-pod-identity-associations', '--cluster-name', 'prod', '--max-results', '1');
    expect(p1.associations).toHaveLength(1);
    expect(p1.nextToken).toBeTruthy();
    expect(p1.associations[0].roleArn).toBeUndefined();
    const p2 = await awsJson('eks', 'list-pod-identity-associations', '--cluster-name', 'prod', '--max-results', '1', '--next-token', p1.nextToken);
    expect(p2.associations).toHaveLength(1);
    expect(p2.nextToken).toBeUndefined();
    expect([p1.associations[0].serviceAccount, p2.associations[0].serviceAccount].sort()).toEqual(['app', 'worker']);
    // Auto-paging with --page-size 1 collects both.
    const all = await awsJson('eks', 'list-pod-identity-associations', '--cluster-name', 'prod', '--page-size', '1');
    expect(all.associations).toHaveLength(2);
    const filtered = await awsJson('eks', 'list-pod-identity-associations', '--cluster-name', 'prod', '--namespace', 'team-b');
    expect(filtered.associations.map((s: any) => s.serviceAccount)).toEqual(['worker']);
    const bad = await aws('eks', 'list-pod-identity-associations', '--cluster-name', 'prod', '--max-results', '0');
    expect(bad.code).not.toBe(0);

    const described = await awsJson('eks', 'describe-pod-identity-association', '--cluster-name', 'prod', '--association-id', a.associationId);
    expect(described.association.roleArn).toBe(role('app'));
    const updated = await awsJson(
      'eks',
      'update-pod-identity-association',
      '--cluster-name',
      'prod',
      '--association-id',
      a.associationId,
      '--role-arn',
      role('app2'),
    );
    expect(updated.association.roleArn).toBe(role('app2'));
    const deleted = await awsJson('eks', 'delete-pod-identity-association', '--cluster-name', 'prod', '--association-id', a.associationId);
    expect(deleted.association.associationId).toBe(a.associationId);
    const gone = await aws('eks', 'describe-pod-identity-association', '--cluster-name', 'prod', '--association-id', a.associationId);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('ResourceNotFoundException');
    shim.clear();
  });

  it('manages add-ons and the associations they own (CLI)', async () => {
    shim.clear();
    const created = await awsJson(
      'eks',
      'create-addon',
      '--cluster-name',
      'prod',
      '--addon-name',
      'aws-ebs-csi-driver',
      '--pod-identity-associations',
      `serviceAccount=ebs-csi-controller-sa,roleArn=${role('ebs')}`,
    );
    const addon = created.addon;
    expect(addon.addonArn).toMatch(new RegExp(`^arn:aws:eks:us-east-1:${ACCT}:addon/prod/aws-ebs-csi-driver/`));
    expect(addon.podIdentityAssociations).toHaveLength(1);
    const owned = (await awsJson('eks', 'list-pod-identity-associations', '--cluster-name', 'prod')).associations;
    expect(owned).toEqual([
      expect.objectContaining({
        namespace: 'kube-system',
        serviceAccount: 'ebs-csi-controller-sa',
        ownerArn: addon.addonArn,
        associationArn: addon.podIdentityAssociations[0],
      }),
    ]);

    await awsJson('eks', 'create-addon', '--cluster-name', 'prod', '--addon-name', 'vpc-cni', '--service-account-role-arn', role('cni'));
    const dupAddon = await aws('eks', 'create-addon', '--cluster-name', 'prod', '--addon-name', 'vpc-cni');
    expect(dupAddon.stderr).toContain('ResourceInUseException');
    const described = (await awsJson('eks', 'describe-addon', '--cluster-name', 'prod', '--addon-name', 'vpc-cni')).addon;
    expect(described).toMatchObject({
      addonName: 'vpc-cni',
      clusterName: 'prod',
      status: 'ACTIVE',
      serviceAccountRoleArn: role('cni'),
      podIdentityAssociations: [],
    });
    expect((await awsJson('eks', 'list-addons', '--cluster-name', 'prod')).addons).toEqual(['aws-ebs-csi-driver', 'vpc-cni']);
    const nf = await aws('eks', 'describe-addon', '--cluster-name', 'prod', '--addon-name', 'coredns');
    expect(nf.stderr).toContain('ResourceNotFoundException');

    // Migrate vpc-cni from IRSA to Pod Identity through the add-on.
    const upd = await awsJson(
      'eks',
      'update-addon',
      '--cluster-name',
      'prod',
      '--addon-name',
      'vpc-cni',
      '--pod-identity-associations',
      `serviceAccount=aws-node,roleArn=${role('cni')}`,
    );
    expect(upd.update).toMatchObject({ status: 'Successful', type: 'AddonUpdate', errors: [] });
    expect(upd.update.params).toEqual([{ type: 'PodIdentityAssociations', value: expect.any(String) }]);
    const after = (await awsJson('eks', 'describe-addon', '--cluster-name', 'prod', '--addon-name', 'vpc-cni')).addon;
    // The model gives serviceAccountRoleArn min length 1, so the CLI cannot send "" to clear it.
    expect(after.serviceAccountRoleArn).toBe(role('cni'));
    expect(after.podIdentityAssociations).toHaveLength(1);
    const assoc = shim.state.associations.get(after.podIdentityAssociations[0].split('/').pop());
    expect(assoc?.association).toMatchObject({ namespace: 'kube-system', serviceAccount: 'aws-node', roleArn: role('cni'), ownerArn: after.addonArn });

    // An add-on-owned association cannot be deleted directly.
    const direct = await aws('eks', 'delete-pod-identity-association', '--cluster-name', 'prod', '--association-id', assoc!.association.associationId);
    expect(direct.stderr).toContain('InvalidRequestException');

    const del = await awsJson('eks', 'delete-addon', '--cluster-name', 'prod', '--addon-name', 'vpc-cni');
    expect(del.addon.status).toBe('DELETING');
    expect(shim.state.associations.has(assoc!.association.associationId)).toBe(false);
    shim.clear();
  });

  it('works with the SDK v3: paginator with page size 2, typed errors, IAM through the shim', async () => {
    shim.clear();
    const eks = new EKSClient(sdkConfig(shim.endpoint));
    for (const sa of ['a', 'b', 'c', 'd', 'e']) {
      await eks.send(new CreatePodIdentityAssociationCommand({ clusterName: 'prod', namespace: 'ns', serviceAccount: sa, roleArn: role(sa) }));
    }
    const pages: PodIdentityAssociationSummary[][] = [];
    for await (const page of paginateListPodIdentityAssociations({ client: eks, pageSize: 2 }, { clusterName: 'prod' })) {
      pages.push(page.associations ?? []);
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const limitSeen = shim.state.requests.filter((r) => r.path === '/clusters/prod/pod-identity-associations' && r.method === 'GET');
    expect(limitSeen.map((r) => r.query.maxResults)).toEqual(['2', '2', '2']);
    const first = pages[0]![0]!;
    expect(Object.keys(first)).not.toContain('roleArn');
    const d = await eks.send(new DescribePodIdentityAssociationCommand({ clusterName: 'prod', associationId: first.associationId! }));
    expect(d.association?.createdAt).toBeInstanceOf(Date);
    expect(d.association?.roleArn).toBe(role(first.serviceAccount!));

    const dup = await eks
      .send(new CreatePodIdentityAssociationCommand({ clusterName: 'prod', namespace: 'ns', serviceAccount: 'a', roleArn: role('a') }))
      .catch((e: unknown) => e);
    expect((dup as Error).name).toBe('ResourceInUseException');
    expect((dup as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(409);
    const nf = await eks.send(new ListAddonsCommand({ clusterName: 'ghost' })).catch((e: unknown) => e);
    expect((nf as Error).name).toBe('ResourceNotFoundException');

    // Region comes from the SigV4 credential scope.
    const eu = new EKSClient(sdkConfig(shim.endpoint, 'eu-west-1'));
    await eu.send(new CreateClusterCommand({ name: 'prod', roleArn: role('eks'), resourcesVpcConfig: { subnetIds: ['subnet-1'] } }));
    const euA = await eu.send(new CreatePodIdentityAssociationCommand({ clusterName: 'prod', namespace: 'ns', serviceAccount: 'a', roleArn: role('a') }));
    expect(euA.association?.associationArn).toMatch(/^arn:aws:eks:eu-west-1:111122223333:podidentityassociation\/prod\/a-/);

    const iam = new IAMClient(sdkConfig(shim.endpoint));
    await iam.send(new CreateRoleCommand({ RoleName: 'via-shim', AssumeRolePolicyDocument: '{}' }));
    const roles = await iam.send(new ListRolesCommand({}));
    expect(roles.Roles?.map((r) => r.RoleName)).toContain('via-shim');
    shim.clear();
  });

  it('tags associations and add-ons, and describes an add-on update, as the Terraform AWS provider calls them (CLI)', async () => {
    shim.clear();
    const assoc = (
      await awsJson(
        'eks',
        'create-pod-identity-association',
        '--cluster-name',
        'prod',
        '--namespace',
        'n',
        '--service-account',
        's',
        '--role-arn',
        role('r'),
        '--tags',
        'team=a',
      )
    ).association;
    const addon = (await awsJson('eks', 'create-addon', '--cluster-name', 'prod', '--addon-name', 'vpc-cni', '--tags', 'team=b')).addon;
    for (const [arn, first] of [
      [assoc.associationArn, 'a'],
      [addon.addonArn, 'b'],
    ] as const) {
      expect((await awsJson('eks', 'list-tags-for-resource', '--resource-arn', arn)).tags).toEqual({ team: first });
      expect((await aws('eks', 'tag-resource', '--resource-arn', arn, '--tags', 'owner=me,team=c')).code).toBe(0);
      expect((await awsJson('eks', 'list-tags-for-resource', '--resource-arn', arn)).tags).toEqual({ team: 'c', owner: 'me' });
      expect((await aws('eks', 'untag-resource', '--resource-arn', arn, '--tag-keys', 'team')).code).toBe(0);
      expect((await awsJson('eks', 'list-tags-for-resource', '--resource-arn', arn)).tags).toEqual({ owner: 'me' });
    }
    expect(
      (await awsJson('eks', 'describe-pod-identity-association', '--cluster-name', 'prod', '--association-id', assoc.associationId)).association.tags,
    ).toEqual({ owner: 'me' });
    const gone = await aws('eks', 'list-tags-for-resource', '--resource-arn', assoc.associationArn.replace(/[^/]+$/, 'a-00000000000000000'));
    expect(gone.stderr).toContain('NotFoundException');

    const update = (
      await awsJson(
        'eks',
        'update-addon',
        '--cluster-name',
        'prod',
        '--addon-name',
        'vpc-cni',
        '--pod-identity-associations',
        `serviceAccount=aws-node,roleArn=${role('cni')}`,
      )
    ).update;
    expect((await awsJson('eks', 'describe-update', '--name', 'prod', '--update-id', update.id, '--addon-name', 'vpc-cni')).update).toEqual(update);
    const other = await aws('eks', 'describe-update', '--name', 'prod', '--update-id', update.id, '--addon-name', 'coredns');
    expect(other.stderr).toContain('ResourceNotFoundException');

    const seeded = shim.seedAssociation({ clusterName: 'prod', namespace: 'x', serviceAccount: 'y', roleArn: role('y'), associationId: 'a-0123456789abcdefg' });
    expect(seeded.associationId).toBe('a-0123456789abcdefg');
    expect(() =>
      shim.seedAssociation({ clusterName: 'prod', namespace: 'x2', serviceAccount: 'y2', roleArn: role('y'), associationId: 'a-0123456789abcdefg' }),
    ).toThrow(/taken/);
    shim.clear();
  });

  it('can be seeded directly', async () => {
    shim.clear();
    const addon = shim.seedAddon({
      clusterName: 'prod',
      addonName: 'eks-pod-identity-agent',
      podIdentityAssociations: [],
    });
    const a = shim.seedAssociation({ clusterName: 'prod', namespace: 'x', serviceAccount: 'y', roleArn: role('y') });
    const listed = await awsJson('eks', 'list-pod-identity-associations', '--cluster-name', 'prod');
    expect(listed.associations.map((s: any) => s.associationId)).toEqual([a.associationId]);
    expect((await awsJson('eks', 'describe-addon', '--cluster-name', 'prod', '--addon-name', 'eks-pod-identity-agent')).addon.addonArn).toBe(addon.addonArn);
    shim.clear();
  });
});
