import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { IAMClient, CreateRoleCommand, GetRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { startMoto, awsEnv, sdkConfig, type MotoServer } from '../helpers/moto.js';
import { runCommand } from '../helpers/exec.js';
import { stopAll } from '../helpers/stop.js';

const ISSUER_HOST = 'oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789';

describe('moto helper', () => {
  let moto: MotoServer;
  const aws = (...args: string[]) => runCommand('aws', args, { env: awsEnv(moto.endpoint) });

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await stopAll(moto);
  });

  it('serves IAM to the AWS CLI', async () => {
    const created = await aws(
      'iam',
      'create-open-id-connect-provider',
      '--url',
      `https://${ISSUER_HOST}`,
      '--client-id-list',
      'sts.amazonaws.com',
      '--thumbprint-list',
      '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).OpenIDConnectProviderArn).toBe(`arn:aws:iam::111122223333:oidc-provider/${ISSUER_HOST}`);
    const listed = await aws('iam', 'list-open-id-connect-providers');
    expect(JSON.parse(listed.stdout).OpenIDConnectProviderList).toEqual([{ Arn: `arn:aws:iam::111122223333:oidc-provider/${ISSUER_HOST}` }]);
  });

  it('serves IAM to the SDK, and reset() wipes state', async () => {
    const iam = new IAMClient(sdkConfig(moto.endpoint));
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    };
    await iam.send(new CreateRoleCommand({ RoleName: 'r1', Path: '/team/', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const got = await iam.send(new GetRoleCommand({ RoleName: 'r1' }));
    expect(got.Role?.Arn).toBe('arn:aws:iam::111122223333:role/team/r1');
    // moto quirk: GetRole returns the document URL-encoded (like real IAM).
    expect(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!))).toEqual(trust);

    await moto.reset();
    const after = await iam.send(new ListRolesCommand({}));
    expect(after.Roles).toEqual([]);
    const err = await iam.send(new GetRoleCommand({ RoleName: 'r1' })).catch((e: unknown) => e);
    expect((err as Error).name).toBe('NoSuchEntityException');
  });

  it('honours accountId', async () => {
    const other = await startMoto({ accountId: '444455556666' });
    try {
      const iam = new IAMClient(sdkConfig(other.endpoint));
      const r = await iam.send(new CreateRoleCommand({ RoleName: 'x', AssumeRolePolicyDocument: '{}' }));
      expect(r.Role?.Arn).toBe('arn:aws:iam::444455556666:role/x');
    } finally {
      await other.stop();
    }
  });

  it('fails clearly when moto_server is missing', async () => {
    await expect(startMoto({ command: 'moto_server_does_not_exist' })).rejects.toThrow(/not found on PATH/);
  });
});
