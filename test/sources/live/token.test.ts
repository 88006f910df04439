import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { mintEksToken, type AwsCredentials } from '../../../src/sources/live/eks-token.js';
import { collectEvidence } from '../../../src/sources/live/collect.js';
import { main } from '../../../src/cli/main.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { startKubeFake, objectsFromFile, type KubeFake } from '../../helpers/kube-fake.js';
import { awsEnv } from '../../helpers/moto.js';
import { buildWorld, REGION, type World } from './world.js';
import { startEksFront, type EksFront } from './eks-front.js';
import { stopAll } from '../../helpers/stop.js';

const FIXTURE_OBJECTS = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'basic', 'kubernetes', 'c1', 'resources.yaml');

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** node:crypto SHA-256 in the shape @smithy/signature-v4 wants (a plain hash, or an HMAC with a secret). */
class NodeSha256 {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/** `YYYYMMDDTHHMMSSZ` → Date */
function parseAmzDate(s: string): Date {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m) throw new Error(`bad X-Amz-Date ${s}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/**
 * Verifies a token as the API server's authenticator (and STS) would, independently of the code under
 * test: decodes it, checks it is a presigned STS GetCallerIdentity URL for `region` with
 * `X-Amz-Expires=60` and `x-k8s-aws-id` signed, then re-signs the same request — with the cluster
 * name as `x-k8s-aws-id` — using @smithy/signature-v4 (the signer the AWS SDK uses) and compares.
 * The cluster name is only in the signature, so a match proves the token names that cluster.
 */
async function verifyToken(token: string | undefined, expect_: { cluster: string; region: string; credentials: AwsCredentials }): Promise<string | undefined> {
  if (!token?.startsWith('k8s-aws-v1.')) return 'prefix';
  if (token.includes('=')) return 'padding';
  const body = token.slice('k8s-aws-v1.'.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return 'not base64url';
  const raw = Buffer.from(body, 'base64url').toString('utf8');
  const url = new URL(raw);
  const q = url.searchParams;
  const host = `sts.${expect_.region}.amazonaws.com`;
  if (url.protocol !== 'https:' || url.host !== host || url.pathname !== '/') return `url ${url.origin}${url.pathname}`;
  if (q.get('Action') !== 'GetCallerIdentity' || q.get('Version') !== '2011-06-15') return 'not GetCallerIdentity';
  if (q.get('X-Amz-Expires') !== '60') return 'expires';
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return 'algorithm';
  if (!(q.get('X-Amz-SignedHeaders') ?? '').split(';').includes('x-k8s-aws-id')) return 'x-k8s-aws-id not signed';
  const date = q.get('X-Amz-Date') ?? '';
  const credential = q.get('X-Amz-Credential') ?? '';
  if (credential !== `${expect_.credentials.accessKeyId}/${date.slice(0, 8)}/${expect_.region}/sts/aws4_request`) return `credential ${credential}`;
  if ((q.get('X-Amz-Security-Token') ?? undefined) !== expect_.credentials.sessionToken) return 'session token';
  const signer = new SignatureV4({ service: 'sts', region: expect_.region, credentials: expect_.credentials, sha256: NodeSha256 });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host, 'x-k8s-aws-id': expect_.cluster },
    },
    { expiresIn: 60, signingDate: parseAmzDate(date) },
  );
  const want = signed.query?.['X-Amz-Signature'];
  if (typeof want !== 'string' || want !== q.get('X-Amz-Signature')) return 'signature';
  return undefined;
}

/**
 * A second, synchronous verifier written from the SigV4 spec with node:crypto HMAC-SHA256 only (no
 * code shared with src/): rebuilds the canonical request from the URL's own query plus the signed
 * headers `host` and `x-k8s-aws-id: <cluster>`, derives the signing key and compares the signature.
 * Usable inside the kube fake's (synchronous) `requireToken`.
 */
function verifyTokenSync(token: string | undefined, cluster: string, region: string, credentials: AwsCredentials): boolean {
  if (!token?.startsWith('k8s-aws-v1.')) return false;
  const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));
  const q = url.searchParams;
  if (url.host !== `sts.${region}.amazonaws.com` || q.get('Action') !== 'GetCallerIdentity' || q.get('X-Amz-Expires') !== '60') return false;
  if (q.get('X-Amz-SignedHeaders') !== 'host;x-k8s-aws-id') return false;
  const date = q.get('X-Amz-Date') ?? '';
  const scope = `${date.slice(0, 8)}/${region}/sts/aws4_request`;
  if (q.get('X-Amz-Credential') !== `${credentials.accessKeyId}/${scope}`) return false;
  const enc = (x: string) => encodeURIComponent(x).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const pairs = [...q.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort();
  const hex = (x: string) => createHash('sha256').update(x).digest('hex');
  const canonical = `GET\n/\n${pairs.join('&')}\nhost:${url.host}\nx-k8s-aws-id:${cluster}\n\nhost;x-k8s-aws-id\n${hex('')}`;
  const toSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${hex(canonical)}`;
  let key: Buffer = Buffer.from(`AWS4${credentials.secretAccessKey}`);
  for (const part of [date.slice(0, 8), region, 'sts', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex') === q.get('X-Amz-Signature');
}

const TEST_CREDS: AwsCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('mintEksToken', () => {
  const signingDate = new Date('2026-03-04T05:06:07Z');

  it('is the k8s-aws-v1 presigned GetCallerIdentity URL, x-k8s-aws-id signed, valid for 60 s', async () => {
    const token = await mintEksToken({ clusterName: 'prod-eu', region: 'eu-west-1', credentials: TEST_CREDS, signingDate });
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token.slice('k8s-aws-v1.'.length)).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));
    expect(`${url.origin}${url.pathname}`).toBe('https://sts.eu-west-1.amazonaws.com/');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260304T050607Z');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20260304/eu-west-1/sts/aws4_request');
    // The signature is the one @smithy/signature-v4 computes for the same request, credentials and date.
    expect(await verifyToken(token, { cluster: 'prod-eu', region: 'eu-west-1', credentials: TEST_CREDS })).toBeUndefined();
    expect(verifyTokenSync(token, 'prod-eu', 'eu-west-1', TEST_CREDS)).toBe(true);
    expect(verifyTokenSync(token, 'prod-us', 'eu-west-1', TEST_CREDS)).toBe(false);
    // …and it binds the cluster name, the region and the secret.
    expect(await verifyToken(token, { cluster: 'prod-us', region: 'eu-west-1', credentials: TEST_CREDS })).toBe('signature');
    expect(await verifyToken(token, { cluster: 'prod-eu', region: 'eu-west-1', credentials: { ...TEST_CREDS, secretAccessKey: 'other' } })).toBe('signature');
    expect(await verifyToken(token, { cluster: 'prod-eu', region: 'us-east-1', credentials: TEST_CREDS })).toMatch(/^url/);
    expect(token).not.toContain(TEST_CREDS.secretAccessKey);
    expect(Buffer.from(token.slice(11), 'base64url').toString()).not.toContain(TEST_CREDS.secretAccessKey);
  });

  it('signs a session token into the URL, and takes a credential provider', async () => {
    const creds = { ...TEST_CREDS, sessionToken: 'IQoJb3JpZ2luX2VjE/+session==' };
    const token = await mintEksToken({ clusterName: 'c1', region: 'ap-southeast-2', credentials: () => Promise.resolve(creds), signingDate });
    expect(await verifyToken(token, { cluster: 'c1', region: 'ap-southeast-2', credentials: creds })).toBeUndefined();
  });

  it('uses the SDK default credential chain when no credentials are given', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
      AWS_SECRET_ACCESS_KEY: 'envsecret',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    try {
      const token = await mintEksToken({ clusterName: 'c1', region: 'eu-west-1' });
      expect(
        await verifyToken(token, { cluster: 'c1', region: 'eu-west-1', credentials: { accessKeyId: 'AKIDFROMENV', secretAccessKey: 'envsecret' } }),
      ).toBeUndefined();
    } finally {
      process.env = saved;
    }
  });
});

describe('collect without a kubeconfig context: direct EKS token authentication', () => {
  let world: World;
  let proxy: EksFront;
  let accepting: KubeFake; // accepts only a valid token for c1 signed with the test access key
  let rejecting: KubeFake; // accepts only tokens for cluster c9
  let target: KubeFake;
  let env: Record<string, string>;
  const envCreds = () => ({ accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! });
  const seen: { token: string | undefined; problem: string | undefined }[] = [];

  beforeAll(async () => {
    world = await buildWorld({ associations: 1 });
    env = { ...world.env };
    const objects = await objectsFromFile(FIXTURE_OBJECTS);
    accepting = await startKubeFake(objects, {
      pageSize: 2,
      // A presigned GetCallerIdentity URL for REGION, x-k8s-aws-id = c1 under the signature, signed
      // with the test access key (and secret). Tokens are also kept for the @smithy check below.
      requireToken: (t) => {
        const ok = verifyTokenSync(t, 'c1', REGION, envCreds());
        seen.push({ token: t, problem: ok ? undefined : 'rejected' });
        return ok;
      },
    });
    // Expects a token for another cluster: a valid c1 token must be refused.
    rejecting = await startKubeFake(objects, { requireToken: (t) => verifyTokenSync(t, 'c9', REGION, envCreds()) });
    target = accepting;
    // The collector allows a plain-http endpoint only when the cluster has no CA.
    proxy = await startEksFront(world.shim.endpoint, {
      describeCluster: (name, cluster) => {
        if (name !== 'c1') return;
        cluster.endpoint = target.server;
        delete cluster.certificateAuthority;
      },
    });
    env = { ...awsEnv(proxy.endpoint, REGION), KUBECONFIG: world.kubeconfig };
  });
  afterAll(async () => {
    await stopAll(proxy, accepting, rejecting, world);
  });

  async function withEnv<T>(f: () => Promise<T>): Promise<T> {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return await f();
    } finally {
      process.env = saved;
    }
  }

  it('reads the cluster with a minted token when no context matches (kubeconfig present), no scan gap', async () => {
    target = accepting;
    seen.length = 0;
    accepting.requests.length = 0;
    const out = join(world.dir, 'token-cli');
    let stderr = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    let code: number;
    try {
      code = await withEnv(() => main(['collect', '--out', out, '--region', REGION, '--cluster', 'c1']));
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toContain('EKS token');
    expect(stderr).not.toContain(env.AWS_SECRET_ACCESS_KEY!);
    expect(stderr).not.toContain('k8s-aws-v1.');
    expect(code).toBe(0);
    expect(existsSync(join(out, 'scan-gaps.json'))).toBe(false);
    // Every request carried a token; each verifies as STS would: GetCallerIdentity, this region,
    // x-k8s-aws-id = c1 under the signature, signed with the test credentials.
    expect(seen.length).toBeGreaterThan(9);
    expect(seen.length).toBe(accepting.requests.length);
    for (const s of seen) {
      expect(s.problem).toBeUndefined();
      expect(await verifyToken(s.token, { cluster: 'c1', region: REGION, credentials: envCreds() })).toBeUndefined();
    }
    const list = JSON.parse(readFileSync(join(out, 'kubernetes', 'c1', 'resources.json'), 'utf8'));
    expect(list.kind).toBe('List');
    expect(list.items).toHaveLength(accepting.objects().length);
    expect(list.items.some((o: { kind: string }) => o.kind === 'ServiceAccount')).toBe(true);
    const inv = readEvidenceBundle(out);
    expect(inv.clusters.find((c) => c.name === 'c1')?.kubernetes).toBeDefined();
  });

  it('also works with no kubeconfig at all', async () => {
    target = accepting;
    const result = await withEnv(() =>
      collectEvidence({
        regions: [REGION],
        clusters: ['c1'],
        loadKubeConfig: () => {
          throw new Error('no kubeconfig');
        },
      }),
    );
    expect(result.gaps).toEqual([]);
    expect(result.files.some((f) => f.path === 'kubernetes/c1/resources.json')).toBe(true);
  });

  it('a cluster whose API server rejects the token is a scan gap (exit 4)', async () => {
    target = rejecting;
    const out = join(world.dir, 'token-rejected');
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await withEnv(() => main(['collect', '--out', out, '--region', REGION, '--cluster', 'c1', '--quiet']));
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(4);
    expect(rejecting.requests.length).toBeGreaterThan(0);
    const gaps = JSON.parse(readFileSync(join(out, 'scan-gaps.json'), 'utf8'));
    expect(gaps.irsa2piScanGaps).toEqual([expect.objectContaining({ scope: 'cluster', name: 'c1', region: REGION })]);
    expect(gaps.irsa2piScanGaps[0].error).toMatch(/no kubeconfig context.*token.*401/);
    expect(existsSync(join(out, 'kubernetes', 'c1'))).toBe(false);
  });
});
