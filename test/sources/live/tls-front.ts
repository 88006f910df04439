/**
 * Real TLS for the Kubernetes fake: certificates made with the `openssl` CLI, and a loopback HTTPS
 * server that terminates TLS with one of them and forwards each request to the fake's plain-http URL.
 * @module
 */
import https from 'node:https';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';

/** A PEM key and certificate. */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA (P-256) written in `dir` as `<name>.key` and `<name>.pem`. */
export function makeCa(dir: string, name: string): KeyPair {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.pem`), 'utf8') };
}

/** A server certificate for `subjectAltName` (e.g. `IP:127.0.0.1`), signed by the CA `ca` of {@link makeCa}. */
export function makeServerCert(dir: string, name: string, ca: string, subjectAltName: string): KeyPair {
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.pem`,
    '-extfile',
    `${name}.ext`,
  ]);
  return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.pem`), 'utf8') };
}

/** A running TLS front. */
export interface TlsFront {
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** TCP connections accepted. */
  connections(): number;
  /** Requests that got through the TLS handshake, as `METHOD path`. */
  readonly requests: string[];
  /** TLS handshakes the client broke off (its certificate check failed). */
  readonly handshakeErrors: string[];
  stop(): Promise<void>;
}

/** Serves `upstream` (a plain-http URL) over HTTPS on 127.0.0.1 with `pair`. */
export async function startTlsFront(upstream: string, pair: KeyPair): Promise<TlsFront> {
  const requests: string[] = [];
  const handshakeErrors: string[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const forward = http.request(`${upstream}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(forward);
  });
  server.on('connection', (s: Socket) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', (e) => handshakeErrors.push(e.message));
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
  return {
    endpoint: `https://127.0.0.1:${port}`,
    connections: () => accepted,
    requests,
    handshakeErrors,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
