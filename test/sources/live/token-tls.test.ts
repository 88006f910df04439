import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectEvidence, type CollectResult } from '../../../src/sources/live/collect.js';
import { startKubeFake, objectsFromFile, type KubeFake } from '../../helpers/kube-fake.js';
import { awsEnv } from '../../helpers/moto.js';
import { buildWorld, REGION, type World } from './world.js';
import { startEksFront, type EksFront } from './eks-front.js';
import { makeCa, makeServerCert, startTlsFront, type TlsFront } from './tls-front.js';
import { stopAll } from '../../helpers/stop.js';

const FIXTURE_OBJECTS = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'basic', 'kubernetes', 'c1', 'resources.yaml');

/**
 * The direct path (no kubeconfig context) over real TLS: the cluster's endpoint is an HTTPS server on
 * 127.0.0.1 whose certificate was issued by a CA made in this test, and `DescribeCluster` carries that
 * CA. A server with a certificate of another CA, and one with a certificate of the right CA for another
 * name, must be refused before any request (and so any token) is sent.
 */
describe('direct EKS token path over real TLS: only the cluster CA from DescribeCluster, for the endpoint host', () => {
  let world: World;
  let certs: string;
  let kube: KubeFake;
  let right: TlsFront;
  let otherCa: TlsFront;
  let otherName: TlsFront;
  let systemCaOnly: TlsFront;
  let target: TlsFront;
  let clusterCa: string;
  let eksFront: EksFront;
  let env: Record<string, string>;
  const tokens: (string | undefined)[] = [];

  beforeAll(async () => {
    world = await buildWorld({ associations: 1 });
    certs = mkdtempSync(join(tmpdir(), 'irsa2pi-tls-'));
    clusterCa = makeCa(certs, 'cluster-ca').cert;
    makeCa(certs, 'other-ca');
    kube = await startKubeFake(await objectsFromFile(FIXTURE_OBJECTS), {
      pageSize: 2,
      requireToken: (t) => {
        tokens.push(t);
        return typeof t === 'string' && t.startsWith('k8s-aws-v1.');
      },
    });
    right = await startTlsFront(kube.server, makeServerCert(certs, 'right', 'cluster-ca', 'IP:127.0.0.1'));
    otherCa = await startTlsFront(kube.server, makeServerCert(certs, 'other-ca-server', 'other-ca', 'IP:127.0.0.1'));
    otherName = await startTlsFront(kube.server, makeServerCert(certs, 'other-name', 'cluster-ca', 'DNS:api.other.example,IP:127.0.0.2'));
    // Signed by the cluster CA, but DescribeCluster of this run names no CA: the token goes nowhere.
    systemCaOnly = await startTlsFront(kube.server, makeServerCert(certs, 'system-ca-only', 'cluster-ca', 'IP:127.0.0.1'));
    target = right;
    eksFront = await startEksFront(world.shim.endpoint, {
      describeCluster: (name, cluster) => {
        if (name !== 'c1') return;
        cluster.endpoint = target.endpoint;
        cluster.certificateAuthority = target === systemCaOnly ? {} : { data: Buffer.from(clusterCa).toString('base64') };
      },
    });
    env = { ...awsEnv(eksFront.endpoint, REGION) };
  });
  afterAll(async () => {
    await stopAll(eksFront, right, otherCa, otherName, systemCaOnly, kube, world);
    if (certs) rmSync(certs, { recursive: true, force: true });
  });

  async function collectVia(front: TlsFront): Promise<CollectResult> {
    target = front;
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return await collectEvidence({
        regions: [REGION],
        clusters: ['c1'],
        deadlines: { connectMs: 2_000, requestMs: 5_000 },
        loadKubeConfig: () => {
          throw new Error('no kubeconfig');
        },
      });
    } finally {
      process.env = saved;
    }
  }

  it('reads the cluster through a server whose certificate the DescribeCluster CA issued for 127.0.0.1', async () => {
    tokens.length = 0;
    const result = await collectVia(right);
    expect(result.gaps).toEqual([]);
    expect(right.requests.length).toBeGreaterThan(9);
    expect(right.requests.every((r) => r.startsWith('GET /api'))).toBe(true);
    expect(tokens.length).toBe(right.requests.length);
    expect(tokens.every((t) => t?.startsWith('k8s-aws-v1.'))).toBe(true);
    const list = JSON.parse(result.files.find((f) => f.path === 'kubernetes/c1/resources.json')!.content);
    expect(list.items).toHaveLength(kube.objects().length);
  });

  const refusals = [
    ['a certificate of another CA', () => otherCa, /certificate/i],
    ['a certificate of the cluster CA for another host name', () => otherName, /Hostname\/IP does not match certificate's altnames/],
    ['an https endpoint when DescribeCluster gives no CA (the system roots do not vouch for it)', () => systemCaOnly, /certificate/i],
  ] as const;
  for (const [what, front, error] of refusals) {
    it(`refuses ${what}: a scan gap, no request sent, no token given away`, async () => {
      const server = front();
      const kubeBefore = kube.requests.length;
      const result = await collectVia(server);
      expect(server.connections()).toBeGreaterThan(0);
      expect(server.requests).toEqual([]);
      expect(kube.requests.length).toBe(kubeBefore);
      expect(result.gaps).toEqual([expect.objectContaining({ scope: 'cluster', name: 'c1', region: REGION, error: expect.stringMatching(error) })]);
      expect(result.files.some((f) => f.path.startsWith('kubernetes/'))).toBe(false);
      // Certificate failures are not transient: one handshake, no retries.
      expect(server.connections()).toBe(1);
    });
  }
});
