/**
 * A loopback HTTP server speaking enough of the Kubernetes API for `kubectl` and
 * `@kubernetes/client-node` to list, get and patch the resources irsa2pi reads: discovery,
 * namespaces, nodes, serviceaccounts, pods, apps/v1 workloads and batch/v1 jobs/cronjobs.
 * No real API server can run on these machines (see docs/test-infra.md).
 * @module
 */
import { readBody } from './http.js';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** Object metadata as the API server serves it. */
export interface KubeMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  [key: string]: unknown;
}

/** A Kubernetes object shaped like `kubectl get -o json` prints it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [key: string]: unknown;
}

/** One request the fake served. */
export interface KubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** `Content-Type` of a write, if any. */
  contentType?: string;
  /** When it was served (ms since the epoch). */
  at: number;
}

/** Options for {@link startKubeFake}. */
export interface KubeFakeOptions {
  /**
   * Server-side page size cap: a list never returns more than this many items per page even
   * without `limit` (default: unlimited unless the client sends `limit`).
   */
  pageSize?: number;
  /** When given, every request must carry `Authorization: Bearer <t>` with `requireToken(t)` true, else 401. */
  requireToken?: (token: string | undefined) => boolean;
  /** Bearer token written into the kubeconfig's user (kubectl does not send it over plain http). */
  token?: string;
  /** `gitVersion` served by `/version` (default `v1.32.3-eks-4096722`). */
  gitVersion?: string;
}

/** A running fake API server. */
export interface KubeFake {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  server: string;
  /** A kubeconfig (context `fake`) pointing at {@link KubeFake.server}. */
  kubeconfigPath: string;
  /** Temp directory holding the kubeconfig; also a good `--cache-dir` for kubectl. */
  dir: string;
  /** Environment for running kubectl: `KUBECONFIG` and `KUBECACHEDIR` in {@link KubeFake.dir}. */
  kubectlEnv: Record<string, string>;
  /** Deep copies of all stored objects (current state, sorted by kind, namespace, name). */
  objects(): KubeObject[];
  /** Deep copy of one object, or undefined. */
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Adds or replaces an object (bumps its resourceVersion). */
  put(obj: KubeObject): void;
  /** Every request served, in order. */
  requests: KubeRequest[];
  /** Objects of kinds the fake does not serve, ignored at start-up. */
  ignored: KubeObject[];
  stop(): Promise<void>;
}

interface ResourceDef {
  group: string;
  version: string;
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Field selectors the real API server accepts besides metadata.name / metadata.namespace. */
  fields: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The resources served. */
export const KUBE_RESOURCES: readonly ResourceDef[] = [
  {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    categories: [],
    fields: ['status.phase'],
  },
  {
    group: '',
    version: 'v1',
    resource: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    categories: [],
    fields: ['spec.unschedulable'],
  },
  {
    group: '',
    version: 'v1',
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    fields: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  },
  {
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    categories: [],
    fields: [],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    fields: [],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    fields: [],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    fields: [],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    fields: ['status.replicas'],
  },
  {
    group: 'batch',
    version: 'v1',
    resource: 'jobs',
    singular: 'job',
    kind: 'Job',
    namespaced: true,
    shortNames: [],
    categories: ['all'],
    fields: ['status.successful'],
  },
  {
    group: 'batch',
    version: 'v1',
    resource: 'cronjobs',
    singular: 'cronjob',
    kind: 'CronJob',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    fields: [],
  },
];

const GROUPS = ['apps', 'batch'];

class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

function statusBody(e: KubeError): Record<string, unknown> {
  const s: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: e.message,
    reason: e.reason,
  };
  if (e.details) s.details = e.details;
  s.code = e.code;
  return s;
}

function apiVersionOf(r: ResourceDef): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

function qualified(r: ResourceDef): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

function notFound(r: ResourceDef, name: string): KubeError {
  const details: Record<string, unknown> = { name };
  if (r.group) details.group = r.group;
  details.kind = r.resource;
  return new KubeError(404, 'NotFound', `${qualified(r)} "${name}" not found`, details);
}

const clone = <T>(v: T): T => structuredClone(v);

// ---------------------------------------------------------------------------------------------
// Selectors

type LabelReq =
  { op: 'eq' | 'neq'; key: string; value: string } | { op: 'in' | 'notin'; key: string; values: string[] } | { op: 'exists' | 'notexists'; key: string };

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

/** Parses a label selector (equality and set-based). Throws a 400 BadRequest on bad syntax. */
export function parseLabelSelector(sel: string): LabelReq[] {
  return splitTopLevel(sel).map((term) => {
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      return { op: m[2] as 'in' | 'notin', key: m[1]!, values };
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term);
    if (m) return { op: m[2] === '!=' ? 'neq' : 'eq', key: m[1]!, value: m[3]! };
    m = /^!\s*([\w./-]+)$/.exec(term);
    if (m) return { op: 'notexists', key: m[1]! };
    m = /^([\w./-]+)$/.exec(term);
    if (m) return { op: 'exists', key: m[1]! };
    throw new KubeError(400, 'BadRequest', `unable to parse requirement: invalid label selector: "${term}"`);
  });
}

function matchesLabels(labels: Record<string, string> | undefined, reqs: LabelReq[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.value;
      case 'neq':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

function fieldValue(obj: KubeObject, field: string): string {
  let cur: unknown = obj;
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return field === 'spec.hostNetwork' || field === 'spec.unschedulable' ? 'false' : '';
  return typeof cur === 'string' ? cur : JSON.stringify(cur);
}

function parseFieldSelector(sel: string, r: ResourceDef): (obj: KubeObject) => boolean {
  const reqs = splitTopLevel(sel).map((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new KubeError(400, 'BadRequest', `invalid selector: '${sel}'; can't understand '${term}'`);
    const field = m[1]!;
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !r.fields.includes(field)) {
      throw new KubeError(400, 'BadRequest', `field label not supported: ${field}`);
    }
    return { field, neg: m[2] === '!=', value: m[3]! };
  });
  return (obj) => reqs.every((q) => (fieldValue(obj, q.field) === q.value) !== q.neg);
}

// ---------------------------------------------------------------------------------------------
// Patches

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch; with `strategic`, `$`-directives are dropped (lists are replaced). */
export function mergePatch(target: unknown, patch: unknown, strategic = false): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (strategic && k.startsWith('$')) continue;
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a merge patch's null removes that key of the JSON object
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v, strategic);
  }
  return out;
}

function unescapePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new KubeError(422, 'Invalid', `invalid JSON pointer: ${p}`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolveParent(doc: unknown, tokens: string[], pointer: string): { parent: unknown; last: string } {
  if (tokens.length === 0) throw new KubeError(422, 'Invalid', `cannot operate on the document root: ${pointer}`);
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObj(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) {
      throw new KubeError(422, 'Invalid', `the server rejected our request due to an error in our request: doc is missing path: "${pointer}": missing value`);
    }
  }
  return { parent: cur, last: tokens[tokens.length - 1]! };
}

function getAt(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const t of unescapePointer(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObj(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

/** RFC 6902 JSON patch: add, remove, replace, test, move, copy. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new KubeError(400, 'BadRequest', 'json patch must be an array of operations');
  const out = clone(doc);
  for (const raw of ops) {
    const op = raw as { op?: string; path?: string; value?: unknown; from?: string };
    const p = op.path ?? '';
    const missing = () =>
      new KubeError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${op.op} operation does not apply: doc is missing path: "${p}": missing value`,
      );
    const add = (value: unknown) => {
      const { parent, last } = resolveParent(out, unescapePointer(p), p);
      if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : Number(last);
        if (!Number.isInteger(i) || i < 0 || i > parent.length) throw missing();
        parent.splice(i, 0, clone(value));
      } else if (isObj(parent)) parent[last] = clone(value);
      else throw missing();
    };
    const remove = (ptr: string): unknown => {
      const { parent, last } = resolveParent(out, unescapePointer(ptr), ptr);
      if (Array.isArray(parent)) {
        const i = Number(last);
        if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw missing();
        return parent.splice(i, 1)[0];
      }
      if (isObj(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
        const v = parent[last];
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a JSON patch `remove` deletes the key its pointer names
        delete parent[last];
        return v;
      }
      throw missing();
    };
    switch (op.op) {
      case 'add':
        add(op.value);
        break;
      case 'remove':
        remove(p);
        break;
      case 'replace':
        remove(p);
        add(op.value);
        break;
      case 'test':
        if (JSON.stringify(getAt(out, p)) !== JSON.stringify(op.value)) {
          throw new KubeError(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${p} failed: test failed`);
        }
        break;
      case 'move':
        add(remove(op.from ?? ''));
        break;
      case 'copy':
        add(getAt(out, op.from ?? ''));
        break;
      default:
        throw new KubeError(400, 'BadRequest', `Unexpected kind: ${String(op.op)}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Server

interface Route {
  res: ResourceDef;
  namespace?: string;
  name?: string;
}

function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  let gv: { group: string; version: string };
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    gv = { group: '', version: parts[1]! };
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    gv = { group: parts[1]!, version: parts[2]! };
    rest = parts.slice(3);
  } else return undefined;
  const find = (resource: string) => KUBE_RESOURCES.find((r) => r.group === gv.group && r.version === gv.version && r.resource === resource);
  // /namespaces/{ns}/{resource}[/{name}]
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const r = find(rest[2]!);
    if (!r || !r.namespaced || rest.length > 4) return undefined;
    return rest.length === 4 ? { res: r, namespace: rest[1]!, name: rest[3]! } : { res: r, namespace: rest[1]! };
  }
  const r = find(rest[0]!);
  if (!r || rest.length > 2) return undefined;
  if (rest.length === 2) {
    if (r.namespaced) return undefined;
    return { res: r, name: rest[1]! };
  }
  return { res: r };
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${start}\u0000` })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (v.v === 'meta.k8s.io/v1' && typeof v.rv === 'number' && typeof v.start === 'string') return { rv: v.rv, start: v.start };
  } catch {
    /* fall through */
  }
  throw new KubeError(400, 'BadRequest', `continue key is not valid: ${token}`);
}

/**
 * Starts the fake API server on a free loopback port, seeded with `objects` (deep-copied; missing
 * `uid`, `creationTimestamp` and `resourceVersion` are filled in, numeric resource versions kept),
 * and writes a kubeconfig for it.
 *
 * Lists page with `limit`/`continue` like the real server (opaque token; `metadata.continue` and,
 * when no selector is used, `metadata.remainingItemCount`), and filter with `labelSelector` and
 * `fieldSelector`. `PATCH` accepts merge, strategic-merge (applied as a merge patch) and JSON
 * patches; a write that changes an object bumps `metadata.resourceVersion` (a no-op patch does
 * not, as on a real server) and a changed workload `spec` bumps `metadata.generation`.
 */
export async function startKubeFake(objects: KubeObject[], opts: KubeFakeOptions = {}): Promise<KubeFake> {
  let rv = 1000;
  for (const o of objects) {
    const n = Number(o.metadata.resourceVersion);
    if (Number.isFinite(n) && n >= rv) rv = n + 1;
  }
  /** resource name -> key (`ns/name` or `name`) -> object */
  const store = new Map<string, Map<string, KubeObject>>();
  for (const r of KUBE_RESOURCES) store.set(r.resource, new Map());
  const requests: KubeRequest[] = [];
  const ignored: KubeObject[] = [];

  const defOf = (apiVersion: string, kind: string) => KUBE_RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
  const keyOf = (r: ResourceDef, ns: string | undefined, name: string) => (r.namespaced ? `${ns ?? 'default'}/${name}` : name);

  function put(input: KubeObject, keepVersion = false): void {
    const r = defOf(input.apiVersion, input.kind);
    if (!r) {
      ignored.push(clone(input));
      return;
    }
    const o = clone(input);
    if (!(o as { metadata?: { name?: string } }).metadata?.name) throw new Error(`kube-fake: ${o.kind} without metadata.name`);
    if (r.namespaced) o.metadata.namespace ??= 'default';
    else delete o.metadata.namespace;
    o.metadata.uid ??= randomUUID();
    o.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const supplied = o.metadata.resourceVersion;
    if (!(keepVersion && supplied && /^\d+$/.test(supplied))) o.metadata.resourceVersion = String(rv++);
    store.get(r.resource)!.set(keyOf(r, o.metadata.namespace, o.metadata.name), o);
  }
  for (const o of objects) put(o, true);

  const server = http.createServer(serve);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });

  function discovery(pathname: string): unknown {
    const resourceList = (group: string, version: string) => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: KUBE_RESOURCES.filter((r) => r.group === group && r.version === version).map((r) => {
        const d: Record<string, unknown> = {
          name: r.resource,
          singularName: r.singular,
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: VERBS,
        };
        if (r.shortNames.length) d.shortNames = r.shortNames;
        if (r.categories.length) d.categories = r.categories;
        return d;
      }),
    });
    const group = (name: string) => ({
      name,
      versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
      preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
    });
    switch (pathname.replace(/\/$/, '')) {
      case '/version': {
        const gitVersion = opts.gitVersion ?? 'v1.32.3-eks-4096722';
        const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
        return {
          major: m?.[1] ?? '1',
          minor: m?.[2] ? `${m[2]}+` : '32+',
          gitVersion,
          gitCommit: '4096722d8e1f3a2b6b2a3d0d7b1c1b9f0c3e5a7d',
          gitTreeState: 'clean',
          buildDate: '2025-03-01T00:00:00Z',
          goVersion: 'go1.23.6',
          compiler: 'gc',
          platform: 'linux/amd64',
        };
      }
      case '/api':
        return {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }],
        };
      case '/api/v1':
        return resourceList('', 'v1');
      case '/apis':
        return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map(group) };
      default: {
        const m = /^\/apis\/([^/]+)(?:\/(v1))?$/.exec(pathname.replace(/\/$/, ''));
        if (m && GROUPS.includes(m[1]!)) {
          return m[2] ? resourceList(m[1]!, 'v1') : { kind: 'APIGroup', apiVersion: 'v1', ...group(m[1]!) };
        }
        return undefined;
      }
    }
  }

  function withTypeMeta(r: ResourceDef, o: KubeObject): KubeObject {
    return Object.assign({ apiVersion: apiVersionOf(r), kind: r.kind }, clone(o), { apiVersion: apiVersionOf(r), kind: r.kind });
  }

  function list(r: ResourceDef, namespace: string | undefined, q: URLSearchParams): unknown {
    const labelSel = q.get('labelSelector');
    const fieldSel = q.get('fieldSelector');
    const labelReqs = labelSel ? parseLabelSelector(labelSel) : [];
    const fieldMatch = fieldSel ? parseFieldSelector(fieldSel, r) : () => true;
    const limitRaw = q.get('limit');
    let limit = limitRaw ? Number(limitRaw) : 0;
    if (!Number.isInteger(limit) || limit < 0) limit = 0;
    if (opts.pageSize && (limit === 0 || limit > opts.pageSize)) limit = opts.pageSize;
    const cont = q.get('continue');
    const token = cont ? decodeContinue(cont) : undefined;
    const start = token ? token.start : '';
    const listRv = token ? token.rv : rv - 1;

    const entries = [...store.get(r.resource)!.entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .map(([k, o]) => [namespace === undefined ? k : o.metadata.name, o] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .filter(([k]) => k >= start)
      .filter(([, o]) => matchesLabels(o.metadata.labels, labelReqs) && fieldMatch(o));
    const pageItems = limit > 0 ? entries.slice(0, limit) : entries;
    const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
    if (limit > 0 && entries.length > limit) {
      metadata.continue = encodeContinue(listRv, pageItems[pageItems.length - 1]![0]);
      if (!labelSel && !fieldSel) metadata.remainingItemCount = entries.length - limit;
    }
    return {
      kind: `${r.kind}List`,
      apiVersion: apiVersionOf(r),
      metadata,
      items: pageItems.map(([, o]) => withTypeMeta(r, o)),
    };
  }

  function getStored(r: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const o = store.get(r.resource)!.get(keyOf(r, namespace, name));
    if (!o) throw notFound(r, name);
    return o;
  }

  function write(r: ResourceDef, current: KubeObject, next: unknown, suppliedRv: string | undefined): KubeObject {
    if (!isObj(next) || !isObj(next.metadata)) throw new KubeError(400, 'BadRequest', 'the object has no metadata');
    const n = next as KubeObject;
    if (n.metadata.name !== current.metadata.name) {
      throw new KubeError(400, 'BadRequest', `the name of the object (${n.metadata.name}) does not match the name on the URL (${current.metadata.name})`);
    }
    if (r.namespaced && n.metadata.namespace !== current.metadata.namespace) {
      throw new KubeError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    if (suppliedRv !== undefined && suppliedRv !== '' && suppliedRv !== current.metadata.resourceVersion) {
      throw new KubeError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${qualified(r)} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: current.metadata.name, ...(r.group ? { group: r.group } : {}), kind: r.resource },
      );
    }
    n.apiVersion = apiVersionOf(r);
    n.kind = r.kind;
    n.metadata.uid = current.metadata.uid;
    n.metadata.creationTimestamp = current.metadata.creationTimestamp;
    n.metadata.resourceVersion = current.metadata.resourceVersion;
    if (current.metadata.generation !== undefined) n.metadata.generation = current.metadata.generation;
    else delete n.metadata.generation;
    if (JSON.stringify(n) === JSON.stringify(current)) return current;
    if (r.group && JSON.stringify(n.spec) !== JSON.stringify(current.spec)) {
      n.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    n.metadata.resourceVersion = String(rv++);
    store.get(r.resource)!.set(keyOf(r, n.metadata.namespace, n.metadata.name), n);
    return n;
  }

  async function handle(req: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://kube');
    const method = req.method ?? 'GET';
    const entry: KubeRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() };
    const ct = req.headers['content-type'];
    if (ct) entry.contentType = ct;
    requests.push(entry);
    const raw = await readBody(req);

    if (opts.requireToken) {
      const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
      if (!opts.requireToken(m?.[1])) throw new KubeError(401, 'Unauthorized', 'Unauthorized');
    }

    if (method === 'GET') {
      const d = discovery(url.pathname);
      if (d !== undefined) return { status: 200, body: d };
    }
    const route = parseRoute(url.pathname);
    if (route === undefined) {
      throw new KubeError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    const { res: r, namespace, name } = route;
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      throw new KubeError(405, 'MethodNotAllowed', 'watch is not supported by the kube fake');
    }

    if (name === undefined) {
      if (method !== 'GET') throw new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      return { status: 200, body: list(r, namespace, url.searchParams) };
    }

    const current = getStored(r, namespace, name);
    if (method === 'GET') return { status: 200, body: withTypeMeta(r, current) };

    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new KubeError(400, 'BadRequest', `error decoding patch: invalid character in request body`);
    }
    if (method === 'PATCH') {
      const type = (ct ?? '').split(';')[0]!.trim();
      let next: unknown;
      if (type === 'application/merge-patch+json') next = mergePatch(current, parsed);
      else if (type === 'application/strategic-merge-patch+json') next = mergePatch(current, parsed, true);
      else if (type === 'application/json-patch+json') next = jsonPatch(current, parsed);
      else {
        throw new KubeError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
        );
      }
      const suppliedRv = isObj(next) && isObj(next.metadata) ? (next.metadata.resourceVersion as string | undefined) : undefined;
      return { status: 200, body: withTypeMeta(r, write(r, current, next, suppliedRv)) };
    }
    if (method === 'PUT') {
      const body = parsed as KubeObject;
      const suppliedRv = isObj(body) && isObj(body.metadata) ? body.metadata.resourceVersion : undefined;
      if (isObj(body) && isObj(body.metadata) && r.namespaced) body.metadata.namespace ??= current.metadata.namespace;
      return { status: 200, body: withTypeMeta(r, write(r, current, body, suppliedRv)) };
    }
    throw new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    void handle(req)
      .then(
        (out) => out,
        (err: unknown) => {
          const e = err instanceof KubeError ? err : new KubeError(500, 'InternalError', `Internal error occurred: ${String(err)}`);
          return { status: e.code, body: statusBody(e) };
        },
      )
      .then(({ status, body }) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
      });
  }
  const serverUrl = `http://127.0.0.1:${port}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'kube-fake-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  const user = opts.token ? `    token: ${JSON.stringify(opts.token)}\n` : '    {}\n';
  await writeFile(
    kubeconfigPath,
    `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: ${serverUrl}
    insecure-skip-tls-verify: true
users:
- name: fake
  user:
${user}contexts:
- name: fake
  context:
    cluster: fake
    user: fake
    namespace: default
current-context: fake
`,
  );

  const sortKey = (o: KubeObject) => `${o.kind}\u0000${o.metadata.namespace ?? ''}\u0000${o.metadata.name}`;
  return {
    server: serverUrl,
    kubeconfigPath,
    dir,
    kubectlEnv: { KUBECONFIG: kubeconfigPath, KUBECACHEDIR: path.join(dir, 'cache') },
    objects() {
      const all: KubeObject[] = [];
      for (const r of KUBE_RESOURCES) for (const o of store.get(r.resource)!.values()) all.push(withTypeMeta(r, o));
      return all.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    },
    get(kind, namespace, name) {
      const r = KUBE_RESOURCES.find((d) => d.kind === kind);
      if (!r) return undefined;
      const o = store.get(r.resource)!.get(keyOf(r, namespace, name));
      return o ? withTypeMeta(r, o) : undefined;
    },
    put: (obj) => {
      put(obj);
    },
    requests,
    ignored,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export { objectsFromFile, objectsFromText } from './kube-objects.js';
