import { describe, it, expect, afterEach } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { IAMClient } from '@aws-sdk/client-iam';
import { EKSClient } from '@aws-sdk/client-eks';
import { collectCluster, collectIam, listClusters } from '../../../src/sources/live/aws.js';
import { listClusterObjectsDirect } from '../../../src/sources/live/kubernetes.js';
import { sdkConfig } from '../../helpers/moto.js';

const DEADLINES = { connectMs: 1_000, requestMs: 2_000 };

/** A loopback server answering each request with `answer`; records `METHOD url` of each. */
async function serve(answer: (req: http.IncomingMessage, n: number) => { type: string; body: string; headers?: Record<string, string> }) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      const a = answer(req, requests.length);
      res.writeHead(200, { 'content-type': a.type, ...a.headers });
      res.end(a.body);
    });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    }),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

/** What a promise did within `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<{ state: 'resolved' | 'pending' } | { state: 'rejected'; message: string }> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<{ state: 'pending' }>(
    (resolve) =>
      (timer = setTimeout(() => {
        resolve({ state: 'pending' });
      }, ms)),
  );
  try {
    return await Promise.race([
      p.then(
        () => ({ state: 'resolved' as const }),
        (e: unknown) => ({ state: 'rejected' as const, message: (e as Error).message }),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('paging ends: a server that hands back a page token it already gave fails the listing', () => {
  const stops: (() => Promise<void>)[] = [];
  const clients: { destroy(): void }[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of stops.splice(0)) await s();
  });

  it('Kubernetes: the same continue token again, and a cycle of two, after 2 and 3 requests', async () => {
    for (const [tokens, requests] of [
      [['again'], 2],
      [['a', 'b'], 3],
    ] as const) {
      const api = await serve((_req, n) => ({
        type: 'application/json',
        body: JSON.stringify({ kind: 'ServiceAccountList', apiVersion: 'v1', items: [], metadata: { continue: tokens[(n - 1) % tokens.length] } }),
      }));
      stops.push(api.stop);
      const r = await within(listClusterObjectsDirect({ endpoint: api.endpoint, token: () => Promise.resolve('t') }, { deadlines: DEADLINES }), 10_000);
      expect(r).toEqual({
        state: 'rejected',
        message: expect.stringMatching(/^GET \/api\/v1\/serviceaccounts: the server gave page token "a(gain)?" a second time; the listing would never end$/),
      });
      expect(api.requests).toHaveLength(requests);
    }
  });

  it('Kubernetes: distinct tokens and an empty one end normally', async () => {
    const api = await serve((req) => {
      const cont = new URL(req.url!, 'http://x').searchParams.get('continue');
      const next = cont === null ? '1' : cont === '1' ? '2' : '';
      return {
        type: 'application/json',
        body: JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [{ metadata: { name: `o${cont ?? 0}` } }], metadata: { continue: next } }),
      };
    });
    stops.push(api.stop);
    const items = await listClusterObjectsDirect({ endpoint: api.endpoint, token: () => Promise.resolve('t') }, { deadlines: DEADLINES });
    expect(api.requests.length).toBe(3 * 9);
    expect(items).toHaveLength(3 * 9);
  });

  it('EKS: ListClusters, ListAddons and ListPodIdentityAssociations that repeat nextToken fail (a region or cluster gap), not loop', async () => {
    const eksApi = await serve((req) => {
      const path = req.url!.split('?')[0]!;
      const json = (o: unknown) => ({ type: 'application/json', body: JSON.stringify(o) });
      if (path === '/clusters') return json({ clusters: ['c1'], nextToken: 'same' });
      const describe = /^\/clusters\/(c\d)$/.exec(path);
      if (describe) return json({ cluster: { name: describe[1], arn: `arn:aws:eks:eu-west-1:111122223333:cluster/${describe[1]}` } });
      if (path === '/clusters/c1/addons') return json({ addons: ['x'], nextToken: 'same' });
      if (path === '/clusters/c2/addons') return json({ addons: [] });
      if (path === '/clusters/c2/pod-identity-associations') return json({ associations: [], nextToken: 'same' });
      return json({});
    });
    stops.push(eksApi.stop);
    const eks = new EKSClient({ ...sdkConfig(eksApi.endpoint), maxAttempts: 1 });
    clients.push(eks);
    expect(await within(listClusters(eks), 10_000)).toEqual({
      state: 'rejected',
      message: expect.stringMatching(/^ListClusters: the server gave page token "same" a second time/),
    });
    expect(await within(collectCluster(eks, 'c1'), 10_000)).toEqual({
      state: 'rejected',
      message: expect.stringMatching(/^ListAddons c1: the server gave page token "same" a second time/),
    });
    expect(await within(collectCluster(eks, 'c2'), 10_000)).toEqual({
      state: 'rejected',
      message: expect.stringMatching(/^ListPodIdentityAssociations c2: the server gave page token "same" a second time/),
    });
    expect(eksApi.requests.filter((r) => r.startsWith('GET /clusters?')).length).toBe(2);
  });

  it('IAM: GetAccountAuthorizationDetails that repeats its Marker fails (collect stops with the IAM error line), not loop', async () => {
    const iamApi = await serve(() => ({
      type: 'text/xml',
      body:
        '<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult>' +
        '<IsTruncated>true</IsTruncated><Marker>m1</Marker><UserDetailList/><GroupDetailList/><RoleDetailList/><Policies/>' +
        '</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>',
    }));
    stops.push(iamApi.stop);
    const iam = new IAMClient({ ...sdkConfig(iamApi.endpoint), maxAttempts: 1 });
    clients.push(iam);
    expect(await within(collectIam(iam), 10_000)).toEqual({
      state: 'rejected',
      message: expect.stringMatching(/^GetAccountAuthorizationDetails: the server gave page token "m1" a second time/),
    });
    expect(iamApi.requests).toHaveLength(2);
  });
});

describe('a Kubernetes page is bounded in size as well as in time', () => {
  it('a server flooding one response is refused once past maxPageBytes, at once and without retries', async () => {
    let requests = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const server = http.createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        resolve((server.address() as AddressInfo).port);
      }),
    );
    try {
      const started = Date.now();
      const r = await within(
        listClusterObjectsDirect(
          { endpoint: `http://127.0.0.1:${port}`, token: () => Promise.resolve('t') },
          { deadlines: { connectMs: 1_000, requestMs: 10_000 }, maxPageBytes: 1024 * 1024 },
        ),
        8_000,
      );
      expect(r).toEqual({ state: 'rejected', message: 'GET /api/v1/serviceaccounts: the response is larger than 1048576 bytes' });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(requests).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });
});

describe('a Kubernetes page must be a list of objects', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  const cases = [
    [
      'a Status with 200 instead of a list',
      { kind: 'Status', apiVersion: 'v1', status: 'Success' },
      /^GET \/api\/v1\/serviceaccounts: the response is not a list \(no items array\)$/,
    ],
    ['items that is an object', { kind: 'List', items: { a: 1 } }, /the response is not a list/],
    [
      'an item that is a string',
      { kind: 'List', items: [{ metadata: { name: 'ok' } }, 'abc'] },
      /^GET \/api\/v1\/serviceaccounts: items\[1\] is not an object$/,
    ],
    ['an item that is null', { kind: 'List', items: [null] }, /items\[0\] is not an object/],
  ] as const;
  for (const [what, body, error] of cases) {
    it(`refuses ${what}, not retried`, async () => {
      const api = await serve(() => ({ type: 'application/json', body: JSON.stringify(body) }));
      stops.push(api.stop);
      const r = await within(listClusterObjectsDirect({ endpoint: api.endpoint, token: () => Promise.resolve('t') }, { deadlines: DEADLINES }), 10_000);
      expect(r).toEqual({ state: 'rejected', message: expect.stringMatching(error) });
      expect(api.requests).toHaveLength(1);
    });
  }

  it('an item claiming another kind or apiVersion is still the resource it was listed as; items: null is an empty page', async () => {
    const api = await serve((req) =>
      req.url!.startsWith('/api/v1/serviceaccounts')
        ? {
            type: 'application/json',
            body: JSON.stringify({ kind: 'ServiceAccountList', items: [{ kind: 'Pod', apiVersion: 'evil/v1', metadata: { name: 'sa', namespace: 'n' } }] }),
          }
        : { type: 'application/json', body: JSON.stringify({ kind: 'List', items: null }) },
    );
    stops.push(api.stop);
    const items = await listClusterObjectsDirect({ endpoint: api.endpoint, token: () => Promise.resolve('t') }, { deadlines: DEADLINES });
    expect(items).toEqual([{ kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'sa', namespace: 'n' } }]);
  });
});
