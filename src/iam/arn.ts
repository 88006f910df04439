/** The parts of an ARN: `arn:partition:service:region:account:resource`. */
export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}

/** The partition an ARN is in (`aws`, `aws-cn`, `aws-us-gov`); `aws` for what is not an ARN. */
export function partitionOf(arn: string): string {
  return parseArn(arn)?.partition || 'aws';
}

/** The DNS suffix of a partition's endpoints and OIDC issuers: `amazonaws.com.cn` in `aws-cn`. */
export function dnsSuffixOf(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

export function accountOf(arn: string): string | undefined {
  return parseArn(arn)?.accountId || undefined;
}

/** `arn:aws:iam::1111:role/teams/payments/api` → `{ path: '/teams/payments/', name: 'api' }`. */
export function roleNameAndPath(roleArn: string): { name: string; path: string } | undefined {
  const parsed = parseArn(roleArn);
  if (!parsed || parsed.service !== 'iam' || !parsed.resource.startsWith('role/')) return undefined;
  const rest = parsed.resource.slice('role/'.length);
  const slash = rest.lastIndexOf('/');
  return slash < 0 ? { name: rest, path: '/' } : { name: rest.slice(slash + 1), path: `/${rest.slice(0, slash + 1)}` };
}

/** The account ID as a trust policy principal may name it: `123…`, `arn:aws:iam::123…:root`. */
export function accountRootArn(accountId: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** Issuer URL → the host/path used in IAM (`oidc.eks.eu-west-1.amazonaws.com/id/ABC`). */
export function issuerHostPath(issuer: string): string {
  return issuer.replace(/^https:\/\//i, '').replace(/\/+$/, '');
}

const EKS_ISSUER = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+$/;

/** Whether an issuer host/path is one that EKS issues for clusters. */
export function isEksIssuer(hostPath: string): boolean {
  return EKS_ISSUER.test(hostPath);
}

/** `arn:aws:iam::1111:oidc-provider/oidc.eks…/id/X` → `oidc.eks…/id/X`. */
export function oidcProviderHostPath(providerArn: string): string | undefined {
  const parsed = parseArn(providerArn);
  if (!parsed || parsed.service !== 'iam' || !parsed.resource.startsWith('oidc-provider/')) return undefined;
  return parsed.resource.slice('oidc-provider/'.length);
}

export function oidcProviderArn(accountId: string, hostPath: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${hostPath}`;
}

/** `arn:aws:eks:eu-west-1:1111:podidentityassociation/prod/a-123` or `…:addon/prod/vpc-cni/uuid` → cluster ARN. */
export function clusterArnFromEksResource(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'eks') return undefined;
  const [, clusterName] = parsed.resource.split('/');
  if (!clusterName) return undefined;
  return `arn:${parsed.partition}:eks:${parsed.region}:${parsed.accountId}:cluster/${clusterName}`;
}
