/**
 * A loopback front for the EKS shim. moto cannot be told a cluster's endpoint or CA (it invents
 * `https://<random>.eks.amazonaws.com` and a random CA), so the front forwards every request unchanged
 * and lets a test rewrite the `cluster` of `DescribeCluster` responses; it can also hold chosen
 * requests unanswered forever, as a silent endpoint does.
 * @module
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Options for {@link startEksFront}. */
export interface EksFrontOptions {
  /** Edits the `cluster` object of a successful `DescribeCluster <name>` response in place. */
  readonly describeCluster?: (name: string, cluster: Record<string, unknown>) => void;
  /** Requests the front accepts and never answers. */
  readonly silentFor?: (req: http.IncomingMessage) => boolean;
}

/** A running front. */
export interface EksFront {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The region a SigV4-signed request is for, from its `Authorization` credential scope. */
export function signedRegion(req: http.IncomingMessage): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
}

/** Starts a front that forwards to `upstream` (the EKS shim). */
export async function startEksFront(upstream: string, opts: EksFrontOptions): Promise<EksFront> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    if (opts.silentFor?.(req)) {
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers))
            if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection') headers[k] = v;
          const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
          const r = await fetch(`${upstream}${req.url}`, {
            method: req.method,
            headers,
            body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
          });
          let text = await r.text();
          const described = req.method === 'GET' ? /^\/clusters\/([^/?]+)(\?|$)/.exec(req.url ?? '') : null;
          if (described && r.ok && opts.describeCluster) {
            const doc = JSON.parse(text) as { cluster: Record<string, unknown> };
            opts.describeCluster(decodeURIComponent(described[1]!), doc.cluster);
            text = JSON.stringify(doc);
          }
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        } catch (e) {
          res.writeHead(502);
          res.end(String(e));
        }
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    }),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
