/**
 * Reads one cluster's Kubernetes objects (read-only `GET` list calls, paged with `limit`/`continue`)
 * through a kubeconfig context loaded by `@kubernetes/client-node`, and renders them as the `List`
 * JSON that `kubectl get … -A -o json` prints.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { cliJsonText } from './cli-json.js';
import { DEFAULT_DEADLINES, deadlineError, seconds, type RequestDeadlines } from './deadlines.js';
import { killExecPluginsAfter } from './kube-exec-deadline.js';
import { pageTokenGuard } from './page-tokens.js';

/** One list endpoint: the resources collected, in kubectl's order. */
export interface KubeResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** What `collect` reads from each cluster (the README's `kubectl get` list). */
export const KUBE_RESOURCES: readonly KubeResource[] = [
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true },
];

/** Options for {@link listClusterObjects}. */
export interface KubeListOptions {
  /** Page size (`limit`), default 500. */
  readonly limit?: number;
  /** Connect and whole-request deadlines of each `GET` (default {@link DEFAULT_DEADLINES}). */
  readonly deadlines?: RequestDeadlines;
  /** Attempts of each `GET` whose failure is transient (default 4, as the AWS SDK's). */
  readonly maxAttempts?: number;
  /** Largest response body of one page, in bytes (default {@link MAX_PAGE_BYTES}). */
  readonly maxPageBytes?: number;
}

class KubeRequestError extends Error {
  constructor(
    message: string,
    /** A failure worth another attempt: a missed deadline, a dropped connection, 429 or 5xx. */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** Node's codes for a connection refused, reset or unreachable: the AWS SDK retries these too. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

/** 256 MiB: a page of 500 pods with large `managedFields` is tens of MB; a server sending more is broken or hostile. */
export const MAX_PAGE_BYTES = 256 * 1024 * 1024;

/** Request headers, which this module always gives as an object (Node also takes a flat list of names and values). */
function headerObject(headers: http.OutgoingHttpHeaders | readonly string[] | undefined): http.OutgoingHttpHeaders {
  const isList = (h: typeof headers): h is readonly string[] => Array.isArray(h);
  if (isList(headers)) throw new Error('request headers given as a list, not an object');
  return headers ?? {};
}

/**
 * One `GET`, failed when the connection is not up within `connectMs` or the whole response (headers
 * and the last byte of the body) is not in within `requestMs` of sending it, or
 * when its body passes `maxBytes`.
 */
function getJson(url: URL, opts: https.RequestOptions, deadlines: RequestDeadlines, maxBytes: number): Promise<Record<string, unknown>> {
  const plain = url.protocol === 'http:';
  const what = `GET ${url.pathname}`;
  const requestOptions: https.RequestOptions = { ...opts, method: 'GET' };
  requestOptions.headers = { ...headerObject(opts.headers), Accept: 'application/json' };
  if (plain) delete requestOptions.agent;
  return new Promise((resolve, reject) => {
    let connectTimer: NodeJS.Timeout | undefined;
    // eslint-disable-next-line prefer-const -- settle() above clears it, and may run before it is set
    let requestTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (done: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(requestTimer);
      done();
    };
    const fail = (e: Error): void => {
      settle(() => {
        reject(e instanceof KubeRequestError ? e : new KubeRequestError(`${what}: ${e.message}`, TRANSIENT_CODES.has(String((e as { code?: unknown }).code))));
      });
    };
    const miss = (message: string): void => {
      const e = new KubeRequestError(`${what}: ${message}`, true);
      fail(e);
      req.destroy(deadlineError(e.message));
    };
    const req = (plain ? http : https).request(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes <= maxBytes) chunks.push(c);
        else {
          fail(new KubeRequestError(`${what}: the response is larger than ${maxBytes} bytes`, false));
          req.destroy();
        }
      });
      res.on('error', fail);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          const message =
            body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string'
              ? (body as { message: string }).message
              : text.slice(0, 200);
          fail(new KubeRequestError(`${what}: HTTP ${status}: ${message}`, TRANSIENT_STATUS.has(status)));
          return;
        }
        if (!body || typeof body !== 'object') {
          fail(new KubeRequestError(`${what}: response is not JSON`, false));
          return;
        }
        settle(() => {
          resolve(body as Record<string, unknown>);
        });
      });
    });
    requestTimer = setTimeout(() => {
      miss(`no complete response within the ${seconds(deadlines.requestMs)} request deadline`);
    }, deadlines.requestMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(() => {
        miss(`no connection within the ${seconds(deadlines.connectMs)} connect deadline`);
      }, deadlines.connectMs);
      socket.once('connect', () => {
        clearTimeout(connectTimer);
      });
    });
    req.on('error', fail);
    req.end();
  });
}

/**
 * How long after the request deadline a hung `exec` plugin is killed: the plugin starts before the
 * deadline's timer, so a kill at the deadline itself could be reported first, as the plugin's bare
 * failure, instead of the deadline.
 */
const PLUGIN_KILL_GRACE_MS = 1000;

/**
 * The credentials of one request (a kubeconfig `exec` plugin, or the AWS credential chain of an EKS
 * token), failed when not there within the request deadline. Not transient: a source that hung once
 * is not retried.
 */
async function credentialsWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new KubeRequestError(`no credentials for the request within the ${seconds(ms)} request deadline`, false));
    }, ms);
  });
  work.catch(() => undefined);
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Full-jitter exponential backoff, as the AWS SDK's standard retry: up to 100 ms × 2^attempt, at most 20 s. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20_000, 100 * 2 ** attempt)));
}

/**
 * Lists every {@link KUBE_RESOURCES} object of the cluster reached by `context` of a freshly loaded
 * kubeconfig. Items get `apiVersion` and `kind`, as kubectl prints them.
 */
export async function listClusterObjects(loadKubeConfig: () => KubeConfig, context: string, opts: KubeListOptions = {}): Promise<Record<string, unknown>[]> {
  const local = loadKubeConfig();
  if (!local.getContextObject(context)) throw new Error(`kubeconfig has no context ${JSON.stringify(context)}`);
  local.setCurrentContext(context);
  killExecPluginsAfter(local, (opts.deadlines ?? DEFAULT_DEADLINES).requestMs + PLUGIN_KILL_GRACE_MS);
  const cluster = local.getCurrentCluster();
  if (!cluster?.server) throw new Error(`kubeconfig context ${JSON.stringify(context)} names no cluster server`);
  return listAll(
    cluster.server,
    async (o) => {
      await local.applyToHTTPSOptions(o);
    },
    opts,
  );
}

/** A cluster reached without a kubeconfig: its endpoint, CA and a bearer-token source. */
export interface DirectTarget {
  /** The EKS endpoint (`https://…`; `http://` only when {@link caData} is absent, for emulators). */
  readonly endpoint: string;
  /** `DescribeCluster` `certificateAuthority.data`: base64 of the PEM CA bundle. */
  readonly caData?: string;
  /** The bearer token for each request (called per request, so it can be refreshed). */
  readonly token: () => Promise<string>;
}

/**
 * Lists every {@link KUBE_RESOURCES} object at the endpoint with `Authorization: Bearer <token>`,
 * trusting only the cluster's CA when it has one.
 */
export async function listClusterObjectsDirect(target: DirectTarget, opts: KubeListOptions = {}): Promise<Record<string, unknown>[]> {
  const url = new URL(target.endpoint);
  let ca: string | undefined;
  if (target.caData) {
    if (url.protocol !== 'https:') throw new Error(`refusing to send a token to ${url.protocol}// endpoint ${target.endpoint} that has a CA`);
    ca = Buffer.from(target.caData, 'base64').toString('utf8');
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error('certificateAuthority.data is not a base64 PEM certificate');
  } else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`unsupported endpoint ${target.endpoint}`);
  }
  return listAll(
    target.endpoint,
    async (o) => {
      if (ca !== undefined) o.ca = ca;
      o.headers = { ...headerObject(o.headers), Authorization: `Bearer ${await target.token()}` };
    },
    opts,
  );
}

/**
 * The objects of one list page. A page that is not a list, or an item that is not an object, fails the
 * cluster rather than passing for fewer objects; an item's own `apiVersion`/`kind` never overrides the
 * resource it was listed as.
 */
function listItems(page: Record<string, unknown>, url: URL): Record<string, unknown>[] {
  if (page.items === null) return [];
  if (!Array.isArray(page.items)) throw new KubeRequestError(`GET ${url.pathname}: the response is not a list (no items array)`, false);
  const bad = page.items.findIndex((item) => item === null || typeof item !== 'object' || Array.isArray(item));
  if (bad >= 0) throw new KubeRequestError(`GET ${url.pathname}: items[${bad}] is not an object`, false);
  return page.items as Record<string, unknown>[];
}

async function listAll(server: string, applyOptions: (o: https.RequestOptions) => Promise<void>, opts: KubeListOptions): Promise<Record<string, unknown>[]> {
  const base = server.replace(/\/+$/, '');
  const limit = opts.limit ?? 500;
  const deadlines = opts.deadlines ?? DEFAULT_DEADLINES;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
  const items: Record<string, unknown>[] = [];
  for (const r of KUBE_RESOURCES) {
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const nextPage = pageTokenGuard(`GET ${prefix}/${r.resource}`);
    let cont: string | undefined;
    do {
      const url = new URL(`${base}${prefix}/${r.resource}`);
      url.searchParams.set('limit', String(limit));
      if (cont) url.searchParams.set('continue', cont);
      let page: Record<string, unknown> | undefined;
      for (let attempt = 1; page === undefined; attempt++) {
        const httpsOptions: https.RequestOptions = {};
        await credentialsWithin(applyOptions(httpsOptions), deadlines.requestMs);
        try {
          page = await getJson(url, httpsOptions, deadlines, opts.maxPageBytes ?? MAX_PAGE_BYTES);
        } catch (e) {
          if (!(e instanceof KubeRequestError && e.transient) || attempt >= maxAttempts) throw e;
          await backoff(attempt);
        }
      }
      for (const item of listItems(page, url)) items.push({ ...item, apiVersion, kind: r.kind });
      const meta = page.metadata as { continue?: unknown } | undefined;
      cont = nextPage(typeof meta?.continue === 'string' ? meta.continue : undefined);
    } while (cont);
  }
  return items;
}

/** `value` with every object's keys in sorted order, as Go's JSON encoder writes a map (a `__proto__` key stays a key). */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/**
 * The `kind: List` JSON `kubectl get … -o json` prints (keys sorted, 4-space indent). JSON rather than
 * YAML: the reader parses it about a hundred times faster (a cluster's 9 MB of YAML took 3.3 s).
 */
export function kubeListJson(items: readonly Record<string, unknown>[]): string {
  return cliJsonText(sortedKeys({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }));
}
