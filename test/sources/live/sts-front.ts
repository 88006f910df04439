/**
 * A loopback front for moto (through the EKS shim) that refuses `sts:AssumeRole` into chosen accounts
 * with the error real STS gives when the role's trust or the caller's policy does not allow it (moto
 * lets every caller assume every role), and records the `AssumeRole` requests it sees.
 * @module
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One `AssumeRole` request the front saw. */
export interface SeenAssumeRole {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly externalId: string | undefined;
}

/** A running front. */
export interface StsFront {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly assumeRoles: SeenAssumeRole[];
  /** When set, every `ListAccounts` page also lists an active account with this id, as a hostile or broken API might. */
  extraAccountId: string | undefined;
  /** The most requests the front held unanswered at once since it was last set to 0. */
  maxInFlight: number;
  /**
   * When set, each `AssumeRole` answer expires this many milliseconds after it is given, and a request
   * signed with such credentials after they expired is refused with `ExpiredToken`, as AWS does.
   */
  credentialLifetimeMs: number | undefined;
  /** Milliseconds each request is held before it is forwarded: a slow network, so that a scan outlasts short credentials. */
  delayMs: number;
  /** The `AssumeRole` answers the front gave, in order (with a lifetime set): the access key, when it expires, and how many requests it signed. */
  readonly issued: { readonly accessKeyId: string; readonly expiresAt: number; uses: number }[];
  /** Requests refused because their credentials had expired: the action or target of each. */
  readonly expiredUses: string[];
  stop(): Promise<void>;
}

function expiredToken(json: boolean): { headers: Record<string, string>; body: string } {
  const message = 'The security token included in the request is expired';
  if (json) return { headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ExpiredTokenException' }, body: JSON.stringify({ message }) };
  return {
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>ExpiredToken</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>4a1f2b6c-0000-4000-8000-000000000001</RequestId>
</ErrorResponse>
`,
  };
}

function accessDenied(roleArn: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message>
  </Error>
  <RequestId>4a1f2b6c-0000-4000-8000-000000000000</RequestId>
</ErrorResponse>
`;
}

/** Starts a front that forwards to `upstream`, refusing `AssumeRole` into the accounts `refuse` names. */
export async function startStsFront(upstream: string, refuse: (account: string) => boolean): Promise<StsFront> {
  const sockets = new Set<Socket>();
  const assumeRoles: SeenAssumeRole[] = [];
  const front: { -readonly [K in keyof StsFront]: StsFront[K] } = {
    endpoint: '',
    assumeRoles,
    extraAccountId: undefined,
    maxInFlight: 0,
    credentialLifetimeMs: undefined,
    delayMs: 0,
    issued: [],
    expiredUses: [],
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    front.maxInFlight = Math.max(front.maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const answer = async () => {
      try {
        const body = Buffer.concat(chunks);
        const form = new URLSearchParams(req.method === 'POST' ? body.toString('utf8') : '');
        const signedBy = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
        const credentials = front.issued.find((c) => c.accessKeyId === signedBy);
        if (credentials) credentials.uses++;
        if (credentials && credentials.expiresAt <= Date.now()) {
          front.expiredUses.push(form.get('Action') ?? (String(req.headers['x-amz-target'] ?? '') || `${req.method ?? ''} ${req.url ?? ''}`));
          const refusal = expiredToken(!(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded'));
          res.writeHead(403, refusal.headers);
          res.end(refusal.body);
          return;
        }
        if (front.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, front.delayMs));
        if (form.get('Action') === 'AssumeRole') {
          const roleArn = form.get('RoleArn') ?? '';
          assumeRoles.push({ roleArn, roleSessionName: form.get('RoleSessionName') ?? '', externalId: form.get('ExternalId') ?? undefined });
          const account = /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? '';
          if (refuse(account)) {
            res.writeHead(403, { 'content-type': 'text/xml' });
            res.end(accessDenied(roleArn));
            return;
          }
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection') headers[k] = v;
        const r = await fetch(`${upstream}${req.url}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
        let out = Buffer.from(await r.arrayBuffer());
        if (form.get('Action') === 'AssumeRole' && r.ok && front.credentialLifetimeMs !== undefined) {
          const expiresAt = Date.now() + front.credentialLifetimeMs;
          const text = out.toString('utf8').replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${new Date(expiresAt).toISOString()}</Expiration>`);
          const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text)?.[1];
          if (accessKeyId !== undefined) front.issued.push({ accessKeyId, expiresAt, uses: 0 });
          out = Buffer.from(text);
        }
        if (front.extraAccountId !== undefined && String(req.headers['x-amz-target'] ?? '').endsWith('.ListAccounts') && r.ok) {
          const doc = JSON.parse(out.toString('utf8')) as { Accounts: Record<string, unknown>[] };
          doc.Accounts.push({ Id: front.extraAccountId, Name: 'odd', Status: 'ACTIVE', State: 'ACTIVE' });
          out = Buffer.from(JSON.stringify(doc));
        }
        const passed: Record<string, string> = {};
        for (const k of ['content-type', 'x-amzn-errortype', 'x-amzn-requestid']) {
          const v = r.headers.get(k);
          if (v !== null) passed[k] = v;
        }
        res.writeHead(r.status, passed);
        res.end(out);
      } catch (e) {
        res.writeHead(502);
        res.end(String(e));
      }
    };
    req.on('end', () => {
      void answer();
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
  front.endpoint = `http://127.0.0.1:${port}`;
  return front;
}
