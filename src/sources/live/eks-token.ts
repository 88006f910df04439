/**
 * The bearer token `aws eks get-token` makes: a SigV4-presigned STS `GetCallerIdentity` URL whose
 * signed headers include `x-k8s-aws-id: <cluster>`, base64url-encoded without padding and prefixed
 * `k8s-aws-v1.`. The EKS API server (aws-iam-authenticator) calls the URL to learn who the caller is.
 * Signed locally with node:crypto (no AWS call); credentials come from the SDK's default chain unless
 * given, and are never logged.
 * @module
 */
import { createHash, createHmac } from 'node:crypto';

/** AWS credentials, as the SDK's providers resolve them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Options for {@link mintEksToken}. */
export interface MintEksTokenOptions {
  readonly clusterName: string;
  readonly region: string;
  /** Credentials or a provider; default: `@aws-sdk/credential-provider-node` `defaultProvider()`. */
  readonly credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Signing time (default now); for tests. */
  readonly signingDate?: Date;
}

/** The token's prefix. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** Lifetime of the presigned URL, as `aws eks get-token` signs it. */
export const EKS_TOKEN_EXPIRES_SECONDS = 60;

/** RFC 3986 encoding, as SigV4 wants it (everything but `A-Za-z0-9-_.~`). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string): Buffer => createHmac('sha256', key).update(s, 'utf8').digest();

/** The STS host of a region (China regions use `amazonaws.com.cn`). */
export function stsHost(region: string): string {
  return `sts.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/** `YYYYMMDDTHHMMSSZ` */
function amzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * The presigned `GET https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&…`
 * URL (SigV4 query signing, `X-Amz-Expires=60`, signed headers `host;x-k8s-aws-id`).
 */
export function presignGetCallerIdentity(clusterName: string, region: string, credentials: AwsCredentials, signingDate: Date): string {
  const host = stsHost(region);
  const longDate = amzDate(signingDate);
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${region}/sts/aws4_request`;
  const signedHeaders = 'host;x-k8s-aws-id';
  const query: [string, string][] = [
    ['Action', 'GetCallerIdentity'],
    ['Version', '2011-06-15'],
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${credentials.accessKeyId}/${scope}`],
    ['X-Amz-Date', longDate],
    ['X-Amz-Expires', String(EKS_TOKEN_EXPIRES_SECONDS)],
    ['X-Amz-SignedHeaders', signedHeaders],
  ];
  if (credentials.sessionToken) query.push(['X-Amz-Security-Token', credentials.sessionToken]);
  const canonicalQuery = query
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = `host:${host}\nx-k8s-aws-id:${clusterName.trim()}\n`;
  const canonicalRequest = ['GET', '/', canonicalQuery, canonicalHeaders, signedHeaders, sha256Hex('')].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', longDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${credentials.secretAccessKey}`, shortDate);
  const kSigning = hmac(hmac(hmac(kDate, region), 'sts'), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  return `https://${host}/?${canonicalQuery}&X-Amz-Signature=${signature}`;
}

/** Wraps a presigned URL as a token: `k8s-aws-v1.` + base64url, no padding. */
export function tokenFromUrl(url: string): string {
  return `${EKS_TOKEN_PREFIX}${Buffer.from(url, 'utf8').toString('base64url')}`;
}

/** The presigned URL inside a token, or undefined when it is not a `k8s-aws-v1.` token. */
export function urlFromToken(token: string): string | undefined {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) return undefined;
  const body = token.slice(EKS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  return Buffer.from(body, 'base64url').toString('utf8');
}

async function resolveCredentials(c: MintEksTokenOptions['credentials']): Promise<AwsCredentials> {
  if (typeof c === 'function') return c();
  if (c) return c;
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider()();
}

/** The token `aws eks get-token --cluster-name <clusterName> --region <region>` prints. */
export async function mintEksToken(opts: MintEksTokenOptions): Promise<string> {
  const credentials = await resolveCredentials(opts.credentials);
  return tokenFromUrl(presignGetCallerIdentity(opts.clusterName, opts.region, credentials, opts.signingDate ?? new Date()));
}
