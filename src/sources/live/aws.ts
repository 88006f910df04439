/**
 * Read-only AWS calls of `collect`, each rendered as the AWS CLI prints the same call's output.
 * @module
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { EKSClient } from '@aws-sdk/client-eks';
import { decodePolicyDocument, toCliJson } from './cli-json.js';
import { pageTokenGuard } from './page-tokens.js';

type Json = Record<string, unknown>;

function decodeRole(role: Json): Json {
  const out: Json = { ...role };
  if ('AssumeRolePolicyDocument' in out) out.AssumeRolePolicyDocument = decodePolicyDocument(out.AssumeRolePolicyDocument);
  if (Array.isArray(out.RolePolicyList)) {
    out.RolePolicyList = (out.RolePolicyList as Json[]).map((p) => ({ ...p, PolicyDocument: decodePolicyDocument(p.PolicyDocument) }));
  }
  if (Array.isArray(out.InstanceProfileList)) {
    out.InstanceProfileList = (out.InstanceProfileList as Json[]).map((ip) => ({
      ...ip,
      Roles: Array.isArray(ip.Roles) ? (ip.Roles as Json[]).map(decodeRole) : ip.Roles,
    }));
  }
  return out;
}

function decodeManagedPolicy(policy: Json): Json {
  // Real IAM always names the policy; some emulators omit it. The name is the ARN's last segment.
  const name =
    typeof policy.PolicyName === 'string' && policy.PolicyName !== ''
      ? policy.PolicyName
      : typeof policy.Arn === 'string'
        ? policy.Arn.split('/').pop()
        : undefined;
  return {
    ...(name !== undefined ? { PolicyName: name } : {}),
    ...policy,
    ...(name !== undefined ? { PolicyName: name } : {}),
    PolicyVersionList: Array.isArray(policy.PolicyVersionList)
      ? (policy.PolicyVersionList as Json[]).map((v) => ({ ...v, Document: decodePolicyDocument(v.Document) }))
      : policy.PolicyVersionList,
  };
}

/** What IAM gave: the CLI-shaped documents and the account they belong to. */
export interface IamEvidence {
  /** `aws iam get-account-authorization-details` output: roles, and the managed policies attached to them. */
  readonly authorizationDetails: Json;
  /** `aws iam list-open-id-connect-providers` output. */
  readonly oidcProviders: Json;
  /** From the role or provider ARNs; undefined when the account has neither. */
  readonly accountId: string | undefined;
}

const ACCOUNT_IN_ARN = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/;

/**
 * `GetAccountAuthorizationDetails` (filters `Role`, `LocalManagedPolicy`, `AWSManagedPolicy`, paged
 * with `Marker`, 1,000 items a page, the most IAM allows) and `ListOpenIDConnectProviders`. Only managed policies attached to a role are kept.
 */
export async function collectIam(iam: IAMClient): Promise<IamEvidence> {
  const { GetAccountAuthorizationDetailsCommand, ListOpenIDConnectProvidersCommand } = await import('@aws-sdk/client-iam');
  const roles: Json[] = [];
  const policies: Json[] = [];
  const nextMarker = pageTokenGuard('GetAccountAuthorizationDetails');
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new GetAccountAuthorizationDetailsCommand({ Filter: ['Role', 'LocalManagedPolicy', 'AWSManagedPolicy'], MaxItems: 1000, Marker: marker }),
    );
    roles.push(...(toCliJson(page.RoleDetailList ?? []) as Json[]).map(decodeRole));
    policies.push(...(toCliJson(page.Policies ?? []) as Json[]).map(decodeManagedPolicy));
    marker = page.IsTruncated ? nextMarker(page.Marker) : undefined;
  } while (marker);
  const attached = new Set<string>();
  for (const r of roles)
    for (const p of (r.AttachedManagedPolicies as Json[] | undefined) ?? []) if (typeof p.PolicyArn === 'string') attached.add(p.PolicyArn);
  const providers = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  const oidcProviders = { OpenIDConnectProviderList: toCliJson(providers.OpenIDConnectProviderList ?? []) } as Json;
  const arns = [...roles.map((r) => r.Arn), ...(oidcProviders.OpenIDConnectProviderList as Json[]).map((p) => p.Arn)];
  const accountId = arns.map((a) => (typeof a === 'string' ? ACCOUNT_IN_ARN.exec(a)?.[1] : undefined)).find((a) => a !== undefined);
  return {
    authorizationDetails: {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: roles,
      Policies: policies.filter((p) => typeof p.Arn === 'string' && attached.has(p.Arn)),
    },
    oidcProviders,
    accountId,
  };
}

/** `ListClusters`, all pages. */
export async function listClusters(eks: EKSClient): Promise<string[]> {
  const { paginateListClusters } = await import('@aws-sdk/client-eks');
  const names: string[] = [];
  const next = pageTokenGuard('ListClusters');
  for await (const page of paginateListClusters({ client: eks, pageSize: 100 }, {})) {
    names.push(...(page.clusters ?? []));
    next(page.nextToken);
  }
  return names;
}

/** One cluster's EKS evidence, CLI-shaped. */
export interface ClusterEvidence {
  readonly name: string;
  readonly arn: string;
  readonly accountId: string;
  readonly endpoint: string | undefined;
  /** `{"cluster": {...}}` */
  readonly cluster: Json;
  /** `{"addon": {...}}` per add-on. */
  readonly addons: { name: string; doc: Json }[];
  /** `{"association": {...}}` per association. */
  readonly associations: { id: string; doc: Json }[];
}

/**
 * `DescribeCluster`, `ListAddons` + `DescribeAddon` each, `ListPodIdentityAssociations` (paged) +
 * `DescribePodIdentityAssociation` each (the list's summaries lack the role).
 */
export async function collectCluster(eks: EKSClient, name: string, opts: { associationPageSize?: number } = {}): Promise<ClusterEvidence> {
  const { DescribeClusterCommand, DescribeAddonCommand, DescribePodIdentityAssociationCommand, paginateListAddons, paginateListPodIdentityAssociations } =
    await import('@aws-sdk/client-eks');
  const described = await eks.send(new DescribeClusterCommand({ name }));
  const cluster = toCliJson(described.cluster ?? {}) as Json;
  const arn = typeof cluster.arn === 'string' ? cluster.arn : '';
  const accountId = ACCOUNT_IN_ARN.exec(arn)?.[1];
  if (!accountId) throw new Error(`DescribeCluster ${name}: no account in cluster ARN ${JSON.stringify(arn)}`);

  const addonNames: string[] = [];
  const nextAddons = pageTokenGuard(`ListAddons ${name}`);
  for await (const page of paginateListAddons({ client: eks, pageSize: 100 }, { clusterName: name })) {
    addonNames.push(...(page.addons ?? []));
    nextAddons(page.nextToken);
  }
  const addons: { name: string; doc: Json }[] = [];
  for (const addonName of addonNames.sort()) {
    const a = await eks.send(new DescribeAddonCommand({ clusterName: name, addonName }));
    addons.push({ name: addonName, doc: { addon: toCliJson(a.addon ?? {}) } });
  }

  const ids: string[] = [];
  const nextAssociations = pageTokenGuard(`ListPodIdentityAssociations ${name}`);
  for await (const page of paginateListPodIdentityAssociations({ client: eks, pageSize: opts.associationPageSize ?? 100 }, { clusterName: name })) {
    nextAssociations(page.nextToken);
    for (const s of page.associations ?? []) if (s.associationId) ids.push(s.associationId);
  }
  const associations: { id: string; doc: Json }[] = [];
  for (const associationId of ids.sort()) {
    const a = await eks.send(new DescribePodIdentityAssociationCommand({ clusterName: name, associationId }));
    associations.push({ id: associationId, doc: { association: toCliJson(a.association ?? {}) } });
  }
  return {
    name,
    arn,
    accountId,
    endpoint: typeof cluster.endpoint === 'string' ? cluster.endpoint : undefined,
    cluster: { cluster },
    addons,
    associations,
  };
}

/** An add-on name or version that can name a bundle file: what EKS gives, nothing that climbs out of a folder. */
const ADDON_FILE_PART = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

/** Whether `name` and `version` can be asked about and name a file `addon-configuration-<name>-<version>.json`. */
export function addonConfigurationNamed(name: string, version: string): boolean {
  return ADDON_FILE_PART.test(name) && ADDON_FILE_PART.test(version) && !version.includes('..') && !name.includes('..');
}

/**
 * `DescribeAddonConfiguration` of one add-on version, as `aws eks describe-addon-configuration` prints
 * it: its `podIdentityConfiguration` says whether the version takes Pod Identity associations.
 */
export async function describeAddonConfiguration(eks: EKSClient, addonName: string, addonVersion: string): Promise<Json> {
  const { DescribeAddonConfigurationCommand } = await import('@aws-sdk/client-eks');
  const out = await eks.send(new DescribeAddonConfigurationCommand({ addonName, addonVersion }));
  return toCliJson(out) as Json;
}

/** `DescribeAddonVersions` of one add-on, all pages: every version EKS offers of it in the region. */
export async function addonVersions(eks: EKSClient, addonName: string): Promise<string[]> {
  const { paginateDescribeAddonVersions } = await import('@aws-sdk/client-eks');
  const versions = new Set<string>();
  const next = pageTokenGuard(`DescribeAddonVersions ${addonName}`);
  for await (const page of paginateDescribeAddonVersions({ client: eks, pageSize: 100 }, { addonName })) {
    for (const a of page.addons ?? []) if (a.addonName === addonName) for (const v of a.addonVersions ?? []) if (v.addonVersion) versions.add(v.addonVersion);
    next(page.nextToken);
  }
  return [...versions];
}
