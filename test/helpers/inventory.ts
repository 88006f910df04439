// The one in-memory inventory builder of the tests: objects shaped as the evidence reader builds them.
import type { PolicyDocument, RawStatement } from '../../src/iam/policy.js';
import type { Cluster, Inventory, Pod, PodIdentityAssociation, Role, ServiceAccount } from '../../src/model/inventory.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

/** Where a cluster is: its partition (with its DNS suffix), region and account. */
export interface Place {
  readonly partition?: string;
  readonly region?: string;
  readonly accountId?: string;
}

const DNS_SUFFIX: Record<string, string> = { aws: 'amazonaws.com', 'aws-cn': 'amazonaws.com.cn', 'aws-us-gov': 'amazonaws.com' };

/** An inventory with nothing in it but what `parts` gives. */
export function inventoryOf(parts: Partial<Inventory> = {}): Inventory {
  return {
    roles: [],
    managedPolicies: [],
    oidcProviders: [],
    accountsWithProviderList: [],
    clusters: [],
    associations: [],
    addons: [],
    evidence: [],
    scanGaps: [],
    ignored: [],
    ...parts,
  };
}

/**
 * A scanned cluster, in Auto Mode, with a deterministic issuer derived from its name (or the one given),
 * in the place given (default: `aws`, {@link REGION}, {@link ACCOUNT}).
 */
export function clusterOf(
  name: string,
  { serviceAccounts = [], pods = [], issuerHostPath, ...place }: Place & { serviceAccounts?: ServiceAccount[]; pods?: Pod[]; issuerHostPath?: string } = {},
): Cluster {
  const { partition = 'aws', region = REGION, accountId = ACCOUNT } = place;
  const id = Buffer.from(name).toString('hex').toUpperCase().padEnd(32, '0').slice(0, 32);
  const host = issuerHostPath ?? `oidc.eks.${region}.${DNS_SUFFIX[partition] ?? 'amazonaws.com'}/id/${id}`;
  return {
    name,
    arn: `arn:${partition}:eks:${region}:${accountId}:cluster/${name}`,
    accountId,
    region,
    version: '1.31',
    platformVersion: 'eks.10',
    issuer: `https://${host}`,
    issuerHostPath: host,
    endpoint: undefined,
    autoMode: true,
    onOutposts: false,
    kubernetes: { serviceAccounts, pods, nodes: [], workloads: [], sources: [] },
    source: 'builder',
  };
}

/** A cluster of {@link ACCOUNT} in {@link REGION}. */
export function cluster(name: string, serviceAccounts: ServiceAccount[] = [], pods: Pod[] = []): Cluster {
  return clusterOf(name, { serviceAccounts, pods });
}

/** A role whose name, path and account are read off its ARN. */
export function roleOf(arn: string, trustPolicy: PolicyDocument): Role {
  const [, , , , accountId = '', resource = ''] = arn.split(':');
  const segments = resource.replace(/^role\//, '').split('/');
  const name = segments.pop()!;
  const path = segments.length ? `/${segments.join('/')}/` : '/';
  return { arn, name, path, accountId, trustPolicy, attachedPolicies: [], inlinePolicies: [], source: 'builder' };
}

/** The association EKS describes for a service account of `cluster`, with its role (and target role). */
export function associationOf(
  cluster: Pick<Cluster, 'name' | 'arn'>,
  namespace: string,
  serviceAccount: string,
  roleArn: string,
  { targetRoleArn, disableSessionTags = false }: { targetRoleArn?: string; disableSessionTags?: boolean } = {},
): PodIdentityAssociation {
  const associationId = `a-${serviceAccount}`;
  return {
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    namespace,
    serviceAccount,
    roleArn,
    targetRoleArn,
    associationId,
    associationArn: `${cluster.arn.replace(':cluster/', ':podidentityassociation/')}/${associationId}`,
    ownerArn: undefined,
    disableSessionTags,
    source: 'builder',
  };
}

/** A service account, annotated with `roleArn` when given. */
export function serviceAccount(namespace: string, name: string, roleArn?: string): ServiceAccount {
  const annotations: Record<string, string> = roleArn ? { 'eks.amazonaws.com/role-arn': roleArn } : {};
  return { namespace, name, annotations, roleArn, audience: 'sts.amazonaws.com' };
}

/** The OIDC provider of the cluster's issuer in {@link ACCOUNT}, in the cluster's partition. */
export function providerArn(c: Cluster): string {
  return `arn:${c.arn.split(':')[1]}:iam::${ACCOUNT}:oidc-provider/${c.issuerHostPath}`;
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
    },
  };
}

export const GITHUB_STATEMENT: RawStatement = {
  Effect: 'Allow',
  Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: {
    StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
    StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' },
  },
};

/** A role of {@link ACCOUNT} at path `/` trusting `statements`. */
export function role(name: string, statements: RawStatement[]): Role {
  return roleOf(`arn:aws:iam::${ACCOUNT}:role/${name}`, { Version: '2012-10-17', Statement: statements });
}

/** The clusters and roles, with {@link ACCOUNT}'s provider list collected and holding each cluster's provider. */
export function inventory(clusters: Cluster[], roles: Role[]): Inventory {
  return inventoryOf({
    roles,
    oidcProviders: clusters.map((c) => ({ arn: providerArn(c), accountId: ACCOUNT, hostPath: c.issuerHostPath! })),
    accountsWithProviderList: [ACCOUNT],
    clusters,
  });
}
