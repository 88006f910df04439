/**
 * A loopback front for moto that adds the EKS operations moto lacks (Pod Identity associations and
 * add-ons), modelled on botocore's `eks/2017-11-01` restJson1 model. Every other request is
 * forwarded verbatim to moto, so IAM and `/clusters` work through the shim's single endpoint.
 * @module
 */
import { readBody } from './http.js';
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** `PodIdentityAssociation` as the EKS API returns it. */
export interface PodIdentityAssociation {
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  associationArn: string;
  associationId: string;
  tags: Record<string, string>;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds. */
  modifiedAt: number;
  ownerArn?: string;
  disableSessionTags: boolean;
  targetRoleArn?: string;
  externalId?: string;
  policy?: string;
}

/** `Addon` as the EKS API returns it. */
export interface Addon {
  addonName: string;
  clusterName: string;
  status: string;
  addonVersion: string;
  health: { issues: unknown[] };
  addonArn: string;
  createdAt: number;
  modifiedAt: number;
  serviceAccountRoleArn?: string;
  tags: Record<string, string>;
  configurationValues?: string;
  /** ARNs of the Pod Identity associations the add-on owns. */
  podIdentityAssociations: string[];
  namespaceConfig?: { namespace: string };
}

/** An association kept by the shim, with the region it lives in. */
export interface StoredAssociation {
  region: string;
  association: PodIdentityAssociation;
  clientRequestToken?: string;
}

/** An add-on kept by the shim, with the region it lives in. */
export interface StoredAddon {
  region: string;
  addon: Addon;
}

/** The shim's in-memory state; tests may read and mutate it. */
export interface EksShimState {
  /** Keyed by association id. */
  associations: Map<string, StoredAssociation>;
  /** Keyed by `${region}/${cluster}/${addonName}`. */
  addons: Map<string, StoredAddon>;
  /** Every request the shim answered itself (not forwarded): method, path, query, when (ms). */
  requests: { method: string; path: string; query: Record<string, string>; at: number }[];
}

/** Input of {@link EksShim.seedAssociation}. */
export interface SeedAssociationInput {
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  region?: string;
  targetRoleArn?: string;
  disableSessionTags?: boolean;
  policy?: string;
  tags?: Record<string, string>;
  ownerArn?: string;
  /** The association's id (default: a new one), e.g. the id an evidence bundle recorded. */
  associationId?: string;
}

/** Input of {@link EksShim.seedAddon}. */
export interface SeedAddonInput {
  clusterName: string;
  addonName: string;
  region?: string;
  addonVersion?: string;
  serviceAccountRoleArn?: string;
  /** Creates add-on-owned associations in the add-on's namespace. */
  podIdentityAssociations?: { serviceAccount: string; roleArn: string }[];
  namespace?: string;
  tags?: Record<string, string>;
  configurationValues?: string;
}

/** A running shim. */
export interface EksShim {
  /** Base URL to give the AWS CLI / SDK (serves IAM and EKS). */
  endpoint: string;
  state: EksShimState;
  /** Adds an association directly (no cluster check); returns it. */
  seedAssociation(input: SeedAssociationInput): PodIdentityAssociation;
  /** Adds an add-on (and its owned associations) directly (no cluster check); returns it. */
  seedAddon(input: SeedAddonInput): Addon;
  /** Makes DescribeCluster of `region`/`cluster` answer with this endpoint instead of moto's. */
  setClusterEndpoint(region: string, cluster: string, endpoint: string): void;
  /** Clears associations, add-ons, endpoints set and the request log. */
  clear(): void;
  stop(): Promise<void>;
}

/** Options for {@link startEksShim}. */
export interface StartEksShimOptions {
  /** moto's base URL; unmatched requests go there. */
  motoEndpoint: string;
  /** Account used in ARNs (same as moto's `MOTO_ACCOUNT_ID`). */
  accountId: string;
  /**
   * Whether shim operations check that the cluster exists in moto (DescribeCluster). Default true;
   * set false to use seeded clusters that moto does not know.
   */
  checkClusterExists?: boolean;
  /**
   * How long an add-on created or updated through the API stays `CREATING` / `UPDATING` before it is
   * `ACTIVE`, as EKS does (default 0: `ACTIVE` from the first DescribeAddon on).
   */
  addonActivationMs?: number;
  /**
   * What DescribeAddonConfiguration answers, by add-on name and version: the `podIdentityConfiguration`
   * of that version, or null for a version that has none (default {@link ADDON_CONFIGURATIONS}).
   */
  addonConfigurations?: AddonConfigurations;
}

/** `AddonPodIdentityConfiguration` as the EKS API returns it. */
export interface AddonPodIdentityConfiguration {
  serviceAccount: string;
  recommendedManagedPolicies: string[];
}

/** Add-on name → version → its `podIdentityConfiguration` (null: the version has none). */
export type AddonConfigurations = Record<string, Record<string, AddonPodIdentityConfiguration[] | null>>;

const CNI_POD_IDENTITY: AddonPodIdentityConfiguration[] = [
  { serviceAccount: 'aws-node', recommendedManagedPolicies: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'] },
];

/**
 * The add-on versions the shim knows by default (DescribeAddonVersions lists them, DescribeAddonConfiguration
 * describes them): the Pod Identity Agent, which takes no association itself, and vpc-cni versions
 * without and then with `podIdentityConfiguration` (a made-up boundary at v1.16.0, not AWS's).
 */
export const ADDON_CONFIGURATIONS: AddonConfigurations = {
  'eks-pod-identity-agent': { 'v1.3.4-eksbuild.1': null },
  'vpc-cni': {
    'v1.15.0-eksbuild.2': null,
    'v1.15.1-eksbuild.1': null,
    'v1.15.3-eksbuild.1': null,
    'v1.16.0-eksbuild.1': CNI_POD_IDENTITY,
    'v1.16.4-eksbuild.2': CNI_POD_IDENTITY,
    'v1.18.3-eksbuild.1': CNI_POD_IDENTITY,
    'v1.19.0-eksbuild.1': CNI_POD_IDENTITY,
  },
};

/** Default namespace EKS installs an add-on into (used for add-on-owned associations). */
const ADDON_NAMESPACES: Record<string, string> = {
  'amazon-cloudwatch-observability': 'amazon-cloudwatch',
  adot: 'opentelemetry-operator-system',
  'aws-guardduty-agent': 'amazon-guardduty',
  'aws-network-flow-monitoring-agent': 'amazon-network-flow-monitor',
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
function associationIdGen(): string {
  const bytes = randomBytes(17);
  let s = 'a-';
  for (const b of bytes) s += ALNUM.charAt(b % ALNUM.length);
  return s;
}

function nowSeconds(): number {
  return Math.round(Date.now()) / 1000;
}

function regionFromAuth(header: string | undefined): string {
  const m = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\//.exec(header ?? '');
  return m?.[1] ?? 'us-east-1';
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, n: randomBytes(4).toString('hex') })).toString('base64url');
}
function decodeToken(token: string): number {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return v.o;
  } catch {
    /* fall through */
  }
  throw new ApiError(400, 'InvalidParameterException', 'The nextToken provided is invalid.');
}

function parseMaxResults(raw: string | null): number {
  if (raw === null) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new ApiError(400, 'InvalidParameterException', `maxResults must be between 1 and 100, got ${raw}`);
  }
  return n;
}

function page<T>(items: T[], maxResults: number, nextToken: string | null): { items: T[]; nextToken?: string } {
  const start = nextToken ? decodeToken(nextToken) : 0;
  const slice = items.slice(start, start + maxResults);
  const more = start + maxResults < items.length;
  return more ? { items: slice, nextToken: encodeToken(start + maxResults) } : { items: slice };
}

function str(body: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw new ApiError(400, 'InvalidParameterException', `${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ApiError(400, 'InvalidParameterException', `${key} must be a string`);
  if (required && v === '') throw new ApiError(400, 'InvalidParameterException', `${key} must not be empty`);
  return v;
}

function bool(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ApiError(400, 'InvalidParameterException', `${key} must be a boolean`);
  return v;
}

function tagsOf(body: Record<string, unknown>): Record<string, string> {
  const t = body.tags;
  if (t === undefined || t === null) return {};
  if (typeof t !== 'object' || Array.isArray(t)) throw new ApiError(400, 'InvalidParameterException', 'tags must be a map');
  return { ...(t as Record<string, string>) };
}

function podIdList(body: Record<string, unknown>): { serviceAccount: string; roleArn: string }[] | undefined {
  const v = body.podIdentityAssociations;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new ApiError(400, 'InvalidParameterException', 'podIdentityAssociations must be a list');
  return v.map((e: unknown) => {
    const o = (e ?? {}) as Record<string, unknown>;
    return { serviceAccount: str(o, 'serviceAccount', true)!, roleArn: str(o, 'roleArn', true)! };
  });
}

function accountOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(arn)?.[1];
}

function summary(a: PodIdentityAssociation): Record<string, unknown> {
  const s: Record<string, unknown> = {
    clusterName: a.clusterName,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    associationArn: a.associationArn,
    associationId: a.associationId,
  };
  if (a.ownerArn) s.ownerArn = a.ownerArn;
  return s;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * Starts the shim on a free loopback port in front of `motoEndpoint`.
 *
 * Implemented (restJson1, errors as `x-amzn-errortype` + `{"message"}`):
 * Create/List/Describe/Update/DeletePodIdentityAssociation and
 * Create/List/Describe/Update/DeleteAddon, DescribeUpdate of an add-on's update, and
 * Tag/Untag/ListTagsForResource on associations and add-ons (other ARNs go to moto). Unknown clusters give 404 `ResourceNotFoundException`
 * (checked with moto's DescribeCluster), duplicate associations 409 `ResourceInUseException`.
 */
export async function startEksShim(opts: StartEksShimOptions): Promise<EksShim> {
  const moto = new URL(opts.motoEndpoint);
  const accountId = opts.accountId;
  const checkClusters = opts.checkClusterExists ?? true;
  const state: EksShimState = { associations: new Map(), addons: new Map(), requests: [] };
  const activationMs = opts.addonActivationMs ?? 0;
  /** Add-ons on their way to ACTIVE: when they get there. */
  const activeAt = new Map<Addon, number>();
  /** `${region}/${cluster}` → endpoint DescribeCluster answers with. */
  const endpoints = new Map<string, string>();

  function settling(addon: Addon, status: 'CREATING' | 'UPDATING'): void {
    addon.status = status;
    activeAt.set(addon, Date.now() + activationMs);
  }
  function refreshed(addon: Addon): Addon {
    const at = activeAt.get(addon);
    if (at !== undefined && Date.now() >= at) {
      addon.status = 'ACTIVE';
      activeAt.delete(addon);
    }
    return addon;
  }

  function makeAssociation(
    region: string,
    cluster: string,
    input: {
      namespace: string;
      serviceAccount: string;
      roleArn: string;
      targetRoleArn?: string;
      disableSessionTags?: boolean;
      policy?: string;
      tags?: Record<string, string>;
      ownerArn?: string;
      associationId?: string;
    },
    clientRequestToken?: string,
  ): PodIdentityAssociation {
    for (const s of state.associations.values()) {
      const a = s.association;
      if (s.region === region && a.clusterName === cluster && a.namespace === input.namespace && a.serviceAccount === input.serviceAccount) {
        throw new ApiError(409, 'ResourceInUseException', `Association already exists: ${a.associationArn}`, { clusterName: cluster });
      }
    }
    const id = input.associationId ?? associationIdGen();
    if (state.associations.has(id)) throw new ApiError(409, 'ResourceInUseException', `Association id ${id} is taken`, { clusterName: cluster });
    const t = nowSeconds();
    const association: PodIdentityAssociation = {
      clusterName: cluster,
      namespace: input.namespace,
      serviceAccount: input.serviceAccount,
      roleArn: input.roleArn,
      associationArn: `arn:aws:eks:${region}:${accountId}:podidentityassociation/${cluster}/${id}`,
      associationId: id,
      tags: input.tags ?? {},
      createdAt: t,
      modifiedAt: t,
      disableSessionTags: input.disableSessionTags ?? false,
    };
    if (input.ownerArn) association.ownerArn = input.ownerArn;
    if (input.targetRoleArn) {
      association.targetRoleArn = input.targetRoleArn;
      association.externalId = `${region}/${accountId}/${cluster}/${input.namespace}/${input.serviceAccount}`;
    }
    if (input.policy !== undefined) association.policy = input.policy;
    const stored: StoredAssociation = { region, association };
    if (clientRequestToken) stored.clientRequestToken = clientRequestToken;
    state.associations.set(id, stored);
    return association;
  }

  function addonNamespace(addon: Addon): string {
    return addon.namespaceConfig?.namespace ?? ADDON_NAMESPACES[addon.addonName] ?? 'kube-system';
  }

  /** Replaces the add-on-owned associations with `list`. All-or-nothing. */
  function setAddonAssociations(region: string, addon: Addon, list: { serviceAccount: string; roleArn: string }[]): void {
    const ns = addonNamespace(addon);
    const owned = new Map<string, StoredAssociation>();
    for (const s of state.associations.values()) {
      if (s.association.ownerArn === addon.addonArn) owned.set(s.association.serviceAccount, s);
    }
    const seen = new Set<string>();
    for (const e of list) {
      if (seen.has(e.serviceAccount)) {
        throw new ApiError(400, 'InvalidParameterException', `Duplicate service account ${e.serviceAccount} in podIdentityAssociations`);
      }
      seen.add(e.serviceAccount);
      checkRoleAccount(e.roleArn);
      if (owned.has(e.serviceAccount)) continue;
      for (const s of state.associations.values()) {
        const a = s.association;
        if (s.region === region && a.clusterName === addon.clusterName && a.namespace === ns && a.serviceAccount === e.serviceAccount) {
          throw new ApiError(
            409,
            'ResourceInUseException',
            `Service account ${ns}/${e.serviceAccount} already has Pod Identity association ${a.associationArn} not owned by addon ${addon.addonName}`,
            { clusterName: addon.clusterName, addonName: addon.addonName },
          );
        }
      }
    }
    for (const [sa, s] of owned) {
      if (!seen.has(sa)) state.associations.delete(s.association.associationId);
    }
    for (const e of list) {
      const existing = owned.get(e.serviceAccount);
      if (existing) {
        if (existing.association.roleArn !== e.roleArn) {
          existing.association.roleArn = e.roleArn;
          existing.association.modifiedAt = nowSeconds();
        }
      } else {
        makeAssociation(region, addon.clusterName, {
          namespace: ns,
          serviceAccount: e.serviceAccount,
          roleArn: e.roleArn,
          ownerArn: addon.addonArn,
        });
      }
    }
    addon.podIdentityAssociations = [...state.associations.values()]
      .filter((s) => s.association.ownerArn === addon.addonArn)
      .map((s) => s.association.associationArn);
  }

  function checkRoleAccount(roleArn: string): void {
    const acct = accountOfArn(roleArn);
    if (!acct) throw new ApiError(400, 'InvalidParameterException', `Invalid role ARN: ${roleArn}`);
    if (acct !== accountId) {
      throw new ApiError(
        400,
        'InvalidParameterException',
        `Role ${roleArn} must be in the same account as the cluster (${accountId}); use targetRoleArn for a role in another account`,
      );
    }
  }

  function makeAddon(region: string, input: SeedAddonInput): Addon {
    const key = `${region}/${input.clusterName}/${input.addonName}`;
    if (state.addons.has(key)) {
      throw new ApiError(409, 'ResourceInUseException', `Addon already exists: ${input.addonName}`, {
        clusterName: input.clusterName,
        addonName: input.addonName,
      });
    }
    const t = nowSeconds();
    const addon: Addon = {
      addonName: input.addonName,
      clusterName: input.clusterName,
      status: 'ACTIVE',
      addonVersion: input.addonVersion ?? 'v1.0.0-eksbuild.1',
      health: { issues: [] },
      addonArn: `arn:aws:eks:${region}:${accountId}:addon/${input.clusterName}/${input.addonName}/${randomUUID()}`,
      createdAt: t,
      modifiedAt: t,
      tags: input.tags ?? {},
      podIdentityAssociations: [],
    };
    if (input.serviceAccountRoleArn) addon.serviceAccountRoleArn = input.serviceAccountRoleArn;
    if (input.configurationValues !== undefined) addon.configurationValues = input.configurationValues;
    if (input.namespace) addon.namespaceConfig = { namespace: input.namespace };
    if (input.podIdentityAssociations) setAddonAssociations(region, addon, input.podIdentityAssociations);
    state.addons.set(key, { region, addon });
    return addon;
  }

  function getAddon(region: string, cluster: string, name: string): Addon {
    const s = state.addons.get(`${region}/${cluster}/${name}`);
    if (!s) {
      throw new ApiError(404, 'ResourceNotFoundException', `No addon: ${name} found in cluster: ${cluster}`, {
        clusterName: cluster,
        addonName: name,
      });
    }
    return refreshed(s.addon);
  }

  function getAssociation(region: string, cluster: string, id: string): StoredAssociation {
    const s = state.associations.get(id);
    if (!s || s.region !== region || s.association.clusterName !== cluster) {
      throw new ApiError(404, 'ResourceNotFoundException', `No Pod Identity Association found for id: ${id} in cluster: ${cluster}`, {
        clusterName: cluster,
      });
    }
    return s;
  }

  async function assertCluster(req: http.IncomingMessage, region: string, cluster: string): Promise<void> {
    if (!checkClusters) return;
    const headers: Record<string, string> = {
      authorization: req.headers.authorization ?? `AWS4-HMAC-SHA256 Credential=testing/20240101/${region}/eks/aws4_request, SignedHeaders=host, Signature=00`,
    };
    const res = await fetch(new URL(`/clusters/${encodeURIComponent(cluster)}`, moto), { headers });
    await res.arrayBuffer();
    if (res.status === 404) {
      throw new ApiError(404, 'ResourceNotFoundException', `No cluster found for name: ${cluster}.`, { clusterName: cluster });
    }
    if (!res.ok) throw new ApiError(500, 'ServerException', `moto DescribeCluster failed with HTTP ${res.status}`);
  }

  type Handler = (ctx: {
    req: http.IncomingMessage;
    region: string;
    cluster: string;
    params: string[];
    query: URLSearchParams;
    body: Record<string, unknown>;
  }) => unknown;

  /** UpdateAddon's updates, by id, for DescribeUpdate (moto answers the clusters' own updates). */
  const addonUpdates = new Map<string, { region: string; cluster: string; addonName: string; update: Record<string, unknown> }>();

  const routes: { method: string; re: RegExp; handler: Handler }[] = [
    {
      method: 'POST',
      re: /^\/clusters\/([^/]+)\/pod-identity-associations\/?$/,
      handler: ({ region, cluster, body }) => {
        const namespace = str(body, 'namespace', true)!;
        const serviceAccount = str(body, 'serviceAccount', true)!;
        const roleArn = str(body, 'roleArn', true)!;
        const targetRoleArn = str(body, 'targetRoleArn', false);
        const disableSessionTags = bool(body, 'disableSessionTags');
        const policy = str(body, 'policy', false);
        const token = str(body, 'clientRequestToken', false);
        if (token) {
          for (const s of state.associations.values()) {
            if (s.clientRequestToken === token && s.region === region && s.association.clusterName === cluster) {
              return { association: s.association };
            }
          }
        }
        checkRoleAccount(roleArn);
        if (targetRoleArn !== undefined && !accountOfArn(targetRoleArn)) {
          throw new ApiError(400, 'InvalidParameterException', `Invalid target role ARN: ${targetRoleArn}`);
        }
        if (policy !== undefined && disableSessionTags !== true) {
          throw new ApiError(400, 'InvalidParameterException', 'policy can only be set when disableSessionTags is true');
        }
        const input: Parameters<typeof makeAssociation>[2] = { namespace, serviceAccount, roleArn, tags: tagsOf(body) };
        if (targetRoleArn !== undefined) input.targetRoleArn = targetRoleArn;
        if (disableSessionTags !== undefined) input.disableSessionTags = disableSessionTags;
        if (policy !== undefined) input.policy = policy;
        return { association: makeAssociation(region, cluster, input, token) };
      },
    },
    {
      method: 'GET',
      re: /^\/clusters\/([^/]+)\/pod-identity-associations\/?$/,
      handler: ({ region, cluster, query }) => {
        const maxResults = parseMaxResults(query.get('maxResults'));
        const ns = query.get('namespace');
        const sa = query.get('serviceAccount');
        const all = [...state.associations.values()]
          .filter((s) => s.region === region && s.association.clusterName === cluster)
          .map((s) => s.association)
          .filter((a) => (ns === null || a.namespace === ns) && (sa === null || a.serviceAccount === sa));
        const p = page(all, maxResults, query.get('nextToken'));
        const out: Record<string, unknown> = { associations: p.items.map(summary) };
        if (p.nextToken) out.nextToken = p.nextToken;
        return out;
      },
    },
    {
      method: 'GET',
      re: /^\/clusters\/([^/]+)\/pod-identity-associations\/([^/]+)$/,
      handler: ({ region, cluster, params }) => ({ association: getAssociation(region, cluster, params[0]!).association }),
    },
    {
      method: 'POST',
      re: /^\/clusters\/([^/]+)\/pod-identity-associations\/([^/]+)$/,
      handler: ({ region, cluster, params, body }) => {
        const s = getAssociation(region, cluster, params[0]!);
        const a = s.association;
        if (a.ownerArn) {
          throw new ApiError(
            400,
            'InvalidRequestException',
            `Pod Identity association ${a.associationId} is owned by ${a.ownerArn}; update it through the add-on`,
            {
              clusterName: cluster,
            },
          );
        }
        const roleArn = str(body, 'roleArn', false);
        const targetRoleArn = str(body, 'targetRoleArn', false);
        const disableSessionTags = bool(body, 'disableSessionTags');
        const policy = str(body, 'policy', false);
        if (roleArn !== undefined) checkRoleAccount(roleArn);
        const nextDisable = disableSessionTags ?? a.disableSessionTags;
        const nextPolicy = policy === undefined ? a.policy : policy === '' ? undefined : policy;
        if (nextPolicy !== undefined && !nextDisable) {
          throw new ApiError(400, 'InvalidParameterException', 'policy can only be set when disableSessionTags is true');
        }
        if (roleArn !== undefined) a.roleArn = roleArn;
        if (targetRoleArn !== undefined) {
          if (targetRoleArn === '') {
            delete a.targetRoleArn;
            delete a.externalId;
          } else {
            a.targetRoleArn = targetRoleArn;
            a.externalId = `${s.region}/${accountId}/${cluster}/${a.namespace}/${a.serviceAccount}`;
          }
        }
        a.disableSessionTags = nextDisable;
        if (nextPolicy === undefined) delete a.policy;
        else a.policy = nextPolicy;
        a.modifiedAt = nowSeconds();
        return { association: a };
      },
    },
    {
      method: 'DELETE',
      re: /^\/clusters\/([^/]+)\/pod-identity-associations\/([^/]+)$/,
      handler: ({ region, cluster, params }) => {
        const s = getAssociation(region, cluster, params[0]!);
        if (s.association.ownerArn) {
          throw new ApiError(
            400,
            'InvalidRequestException',
            `Pod Identity association ${s.association.associationId} is owned by ${s.association.ownerArn}; remove it through the add-on`,
            { clusterName: cluster },
          );
        }
        state.associations.delete(s.association.associationId);
        return { association: s.association };
      },
    },
    {
      method: 'POST',
      re: /^\/clusters\/([^/]+)\/addons\/?$/,
      handler: ({ region, cluster, body }) => {
        const input: SeedAddonInput = { clusterName: cluster, addonName: str(body, 'addonName', true)!, tags: tagsOf(body) };
        const v = str(body, 'addonVersion', false);
        if (v) input.addonVersion = v;
        const sarn = str(body, 'serviceAccountRoleArn', false);
        if (sarn) input.serviceAccountRoleArn = sarn;
        const cv = str(body, 'configurationValues', false);
        if (cv !== undefined) input.configurationValues = cv;
        const nsc = body.namespaceConfig as { namespace?: string } | undefined;
        if (nsc?.namespace) input.namespace = nsc.namespace;
        const pia = podIdList(body);
        if (pia) input.podIdentityAssociations = pia;
        const addon = makeAddon(region, input);
        settling(addon, 'CREATING');
        return { addon: { ...addon, status: 'CREATING' } };
      },
    },
    {
      method: 'GET',
      re: /^\/clusters\/([^/]+)\/addons\/?$/,
      handler: ({ region, cluster, query }) => {
        const maxResults = parseMaxResults(query.get('maxResults'));
        const names = [...state.addons.values()]
          .filter((s) => s.region === region && s.addon.clusterName === cluster)
          .map((s) => s.addon.addonName)
          .sort();
        const p = page(names, maxResults, query.get('nextToken'));
        const out: Record<string, unknown> = { addons: p.items };
        if (p.nextToken) out.nextToken = p.nextToken;
        return out;
      },
    },
    {
      method: 'GET',
      re: /^\/clusters\/([^/]+)\/addons\/([^/]+)$/,
      handler: ({ region, cluster, params }) => ({ addon: getAddon(region, cluster, params[0]!) }),
    },
    {
      method: 'POST',
      re: /^\/clusters\/([^/]+)\/addons\/([^/]+)\/update$/,
      handler: ({ region, cluster, params, body }) => {
        const addon = getAddon(region, cluster, params[0]!);
        const params_: { type: string; value: string }[] = [];
        const v = str(body, 'addonVersion', false);
        const sarn = str(body, 'serviceAccountRoleArn', false);
        const cv = str(body, 'configurationValues', false);
        const pia = podIdList(body);
        if (pia) {
          setAddonAssociations(region, addon, pia);
          params_.push({ type: 'PodIdentityAssociations', value: JSON.stringify(pia) });
        }
        if (v) {
          addon.addonVersion = v;
          params_.push({ type: 'AddonVersion', value: v });
        }
        if (sarn !== undefined) {
          if (sarn === '') delete addon.serviceAccountRoleArn;
          else addon.serviceAccountRoleArn = sarn;
          params_.push({ type: 'ServiceAccountRoleArn', value: sarn });
        }
        if (cv !== undefined) {
          addon.configurationValues = cv;
          params_.push({ type: 'ConfigurationValues', value: cv });
        }
        const t = nowSeconds();
        addon.modifiedAt = t;
        settling(addon, 'UPDATING');
        refreshed(addon);
        const update = { id: randomUUID(), status: 'Successful', type: 'AddonUpdate', params: params_, createdAt: t, errors: [] };
        addonUpdates.set(update.id, { region, cluster, addonName: addon.addonName, update });
        return { update };
      },
    },
    {
      method: 'DELETE',
      re: /^\/clusters\/([^/]+)\/addons\/([^/]+)$/,
      handler: ({ region, cluster, params }) => {
        const addon = getAddon(region, cluster, params[0]!);
        for (const s of [...state.associations.values()]) {
          if (s.association.ownerArn === addon.addonArn) state.associations.delete(s.association.associationId);
        }
        state.addons.delete(`${region}/${cluster}/${addon.addonName}`);
        return { addon: { ...addon, status: 'DELETING' } };
      },
    },
  ];

  function send(res: http.ServerResponse, status: number, body: unknown, errorType?: string): void {
    const text = JSON.stringify(body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'x-amzn-requestid': randomUUID(),
    };
    if (errorType) headers['x-amzn-errortype'] = errorType;
    res.writeHead(status, headers);
    res.end(text);
  }

  /** moto's DescribeCluster with the endpoint set by {@link EksShim.setClusterEndpoint}. */
  async function describeWithEndpoint(req: http.IncomingMessage, res: http.ServerResponse, endpoint: string): Promise<void> {
    try {
      const headers: Record<string, string> = {};
      if (req.headers.authorization) headers.authorization = req.headers.authorization;
      const up = await fetch(new URL(req.url ?? '/', moto), { headers });
      const body = (await up.json()) as { cluster?: { endpoint?: string } };
      if (up.ok && body.cluster) body.cluster.endpoint = endpoint;
      send(res, up.status, body, up.headers.get('x-amzn-errortype') ?? undefined);
    } catch (err) {
      send(res, 502, { message: `shim could not reach moto: ${String(err)}` }, 'ServerException');
    }
  }

  function forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([h]) => !HOP_BY_HOP.has(h)));
    const up = http.request({ hostname: moto.hostname, port: moto.port, method: req.method, path: req.url, headers }, (upRes) => {
      const outHeaders = Object.fromEntries(Object.entries(upRes.headers).filter(([h]) => !HOP_BY_HOP.has(h)));
      res.writeHead(upRes.statusCode ?? 502, outHeaders);
      upRes.pipe(res);
    });
    up.on('error', (err) => {
      if (!res.headersSent) send(res, 502, { message: `shim could not reach moto: ${err.message}` }, 'ServerException');
      else res.destroy(err);
    });
    req.pipe(up);
  }

  /** The association or add-on an EKS ARN names, or null for any other ARN (a cluster's: moto's). */
  function taggable(arn: string): { tags: Record<string, string> } | null {
    for (const s of state.associations.values()) if (s.association.associationArn === arn) return s.association;
    for (const s of state.addons.values()) if (s.addon.addonArn === arn) return s.addon;
    if (/^arn:aws[a-z-]*:eks:[^:]*:\d{12}:(podidentityassociation|addon)\//.test(arn)) {
      throw new ApiError(404, 'NotFoundException', `Resource ${arn} not found`);
    }
    return null;
  }

  /** TagResource, UntagResource and ListTagsForResource on associations and add-ons (`/tags/{resourceArn}`). */
  async function tagsRoute(req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<boolean> {
    const m = /^\/tags\/([^/]+)$/.exec(url.pathname);
    if (!m) return false;
    const method = req.method ?? 'GET';
    try {
      const resource = taggable(decodeURIComponent(m[1]!));
      if (!resource) return false;
      const raw = await readBody(req);
      state.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() });
      if (method === 'GET') send(res, 200, { tags: resource.tags });
      else if (method === 'POST') {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(raw || '{}') as Record<string, unknown>;
        } catch {
          throw new ApiError(400, 'BadRequestException', 'Request body is not valid JSON');
        }
        if (body.tags === undefined) throw new ApiError(400, 'BadRequestException', 'tags is required');
        Object.assign(resource.tags, tagsOf(body));
        send(res, 200, {});
      } else if (method === 'DELETE') {
        const keys = url.searchParams.getAll('tagKeys');
        if (keys.length === 0) throw new ApiError(400, 'BadRequestException', 'tagKeys is required');
        resource.tags = Object.fromEntries(Object.entries(resource.tags).filter(([k]) => !keys.includes(k)));
        send(res, 200, {});
      } else throw new ApiError(405, 'BadRequestException', `${method} is not allowed on /tags`);
    } catch (err) {
      if (err instanceof ApiError) send(res, err.status, { ...err.extra, message: err.message }, err.type);
      else send(res, 500, { message: String(err) }, 'ServerException');
    }
    return true;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shim');
    const method = req.method ?? 'GET';
    const describeUpdate = /^\/clusters\/([^/]+)\/updates\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && describeUpdate && url.searchParams.has('addonName')) {
      const u = addonUpdates.get(decodeURIComponent(describeUpdate[2]!));
      const region = regionFromAuth(req.headers.authorization);
      state.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() });
      if (u && u.region === region && u.cluster === decodeURIComponent(describeUpdate[1]!) && u.addonName === url.searchParams.get('addonName'))
        send(res, 200, { update: u.update });
      else send(res, 404, { message: `No update found for id: ${decodeURIComponent(describeUpdate[2]!)}` }, 'ResourceNotFoundException');
      return;
    }
    if (method === 'GET' && url.pathname === '/addons/configuration-schemas') {
      state.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() });
      const name = url.searchParams.get('addonName') ?? '';
      const version = url.searchParams.get('addonVersion') ?? '';
      if (name === '' || version === '') {
        send(res, 400, { message: 'addonName and addonVersion are required' }, 'InvalidParameterException');
        return;
      }
      const known = (opts.addonConfigurations ?? ADDON_CONFIGURATIONS)[name];
      const config = known && Object.hasOwn(known, version) ? known[version] : undefined;
      if (config === undefined) {
        send(res, 404, { message: `Addon ${name} with version ${version} not found`, addonName: name }, 'ResourceNotFoundException');
        return;
      }
      const schema = JSON.stringify({ $schema: 'http://json-schema.org/draft-06/schema#', type: 'object', description: name });
      send(res, 200, { addonName: name, addonVersion: version, configurationSchema: schema, ...(config ? { podIdentityConfiguration: config } : {}) });
      return;
    }
    if (method === 'GET' && url.pathname === '/addons/supported-versions') {
      state.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() });
      const catalogue = opts.addonConfigurations ?? ADDON_CONFIGURATIONS;
      const wanted = url.searchParams.get('addonName');
      const names = Object.keys(catalogue)
        .filter((n) => wanted === null || n === wanted)
        .sort();
      const addons = names.map((addonName) => ({
        addonName,
        type: addonName === 'vpc-cni' ? 'networking' : 'security',
        addonVersions: Object.keys(catalogue[addonName] ?? {})
          .reverse()
          .map((addonVersion) => ({
            addonVersion,
            architecture: ['amd64', 'arm64'],
            computeTypes: ['ec2', 'hybrid'],
            compatibilities: [{ clusterVersion: '1.31', platformVersions: ['*'], defaultVersion: false }],
            requiresConfiguration: false,
            requiresIamPermissions: addonName === 'vpc-cni',
          })),
        publisher: 'eks',
        owner: 'aws',
      }));
      send(res, 200, { addons });
      return;
    }
    if (url.pathname.startsWith('/tags/')) {
      void tagsRoute(req, url, res).then((handled) => {
        if (!handled) forward(req, res);
      });
      return;
    }
    let match: { route: (typeof routes)[number]; m: RegExpExecArray } | undefined;
    for (const route of routes) {
      const m = route.method === method ? route.re.exec(url.pathname) : null;
      if (m) {
        match = { route, m };
        break;
      }
    }
    const described = method === 'GET' ? /^\/clusters\/([^/]+)$/.exec(url.pathname) : null;
    const endpoint = described ? endpoints.get(`${regionFromAuth(req.headers.authorization)}/${decodeURIComponent(described[1]!)}`) : undefined;
    if (endpoint !== undefined) {
      void describeWithEndpoint(req, res, endpoint);
      return;
    }
    if (!match) {
      forward(req, res);
      return;
    }
    const { route, m } = match;
    void (async () => {
      try {
        const raw = await readBody(req);
        let body: Record<string, unknown> = {};
        if (raw.trim()) {
          try {
            body = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            throw new ApiError(400, 'InvalidRequestException', 'Request body is not valid JSON');
          }
        }
        const cluster = decodeURIComponent(m[1]!);
        const params = m.slice(2).map((p) => decodeURIComponent(p));
        const region = regionFromAuth(req.headers.authorization);
        state.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() });
        await assertCluster(req, region, cluster);
        const out = route.handler({ req, region, cluster, params, query: url.searchParams, body });
        send(res, 200, out);
      } catch (err) {
        if (err instanceof ApiError) send(res, err.status, { ...err.extra, message: err.message }, err.type);
        else send(res, 500, { message: String(err) }, 'ServerException');
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    state,
    seedAssociation(input) {
      const region = input.region ?? 'us-east-1';
      const { clusterName, ...rest } = input;
      delete rest.region;
      return makeAssociation(region, clusterName, rest);
    },
    seedAddon(input) {
      return makeAddon(input.region ?? 'us-east-1', input);
    },
    setClusterEndpoint(region, cluster, endpoint) {
      endpoints.set(`${region}/${cluster}`, endpoint);
    },
    clear() {
      state.associations.clear();
      state.addons.clear();
      addonUpdates.clear();
      state.requests.length = 0;
      endpoints.clear();
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}

/** The ARN EKS (and moto) give a cluster. */
export function clusterArnFor(region: string, accountId: string, cluster: string): string {
  return `arn:aws:eks:${region}:${accountId}:cluster/${cluster}`;
}
