import type { PolicyDocument, RawStatement } from '../../src/iam/policy.js';
import type { Cluster, Inventory, Pod, Role, ServiceAccount } from '../../src/model/inventory.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

/** A cluster with a deterministic issuer derived from its name. */
export function cluster(name: string, serviceAccounts: ServiceAccount[] = [], pods: Pod[] = []): Cluster {
  const id = Buffer.from(name).toString('hex').toUpperCase().padEnd(32, '0').slice(0, 32);
  const issuerHostPath = `oidc.eks.${REGION}.amazonaws.com/id/${id}`;
  return {
    name,
    arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`,
    accountId: ACCOUNT,
    region: REGION,
    version: '1.31',
    platformVersion: 'eks.10',
    issuer: `https://${issuerHostPath}`,
    issuerHostPath,
    endpoint: undefined,
    autoMode: true,
    onOutposts: false,
    kubernetes: { serviceAccounts, pods, nodes: [], workloads: [], sources: [] },
    source: 'builder',
  };
}

export function serviceAccount(namespace: string, name: string, roleArn?: string): ServiceAccount {
  const annotations: Record<string, string> = roleArn ? { 'eks.amazonaws.com/role-arn': roleArn } : {};
  return { namespace, name, annotations, roleArn, audience: 'sts.amazonaws.com' };
}

export function providerArn(c: Cluster): string {
  return `arn:aws:iam::${ACCOUNT}:oidc-provider/${c.issuerHostPath}`;
}

/** An IRSA statement for one cluster's provider with a `:sub` test (and `aud`). */
export function irsaStatement(c: Cluster, operator: 'StringEquals' | 'StringLike', subjects: string[]): RawStatement {
  return {
    Effect: 'Allow',
    Principal: { Federated: providerArn(c) },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      [operator]: { [`${c.issuerHostPath}:sub`]: subjects.length === 1 ? subjects[0]! : subjects },
      ...(operator === 'StringEquals' ? {} : { StringEquals: { [`${c.issuerHostPath}:aud`]: 'sts.amazonaws.com' } }),
    } as RawStatement['Condition'],
  };
}

export const GITHUB_STATEMENT: RawStatement = {
  Effect: 'Allow',
  Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' } },
};

export function role(name: string, statements: RawStatement[]): Role {
  const trustPolicy: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, name, path: '/', accountId: ACCOUNT, trustPolicy, attachedPolicies: [], inlinePolicies: [], source: 'builder' };
}

export function inventory(clusters: Cluster[], roles: Role[]): Inventory {
  return {
    roles,
    managedPolicies: [],
    oidcProviders: clusters.map((c) => ({ arn: providerArn(c), accountId: ACCOUNT, hostPath: c.issuerHostPath! })),
    accountsWithProviderList: [ACCOUNT],
    clusters,
    associations: [],
    addons: [],
    evidence: [],
    scanGaps: [],
    ignored: [],
  };
}
