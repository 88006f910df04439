import { InputError } from '../../errors.js';
import { clusterArnFromEksResource, issuerHostPath, oidcProviderHostPath, parseArn, roleNameAndPath } from '../../iam/arn.js';
import type {
  Addon,
  AddonConfiguration,
  Cluster,
  ManagedPolicy,
  OidcProvider,
  PodIdentityAssociation,
  PodIdentityAssociationSummary,
  Role,
  RoleLastUse,
} from '../../model/inventory.js';
import { optAwsTime } from './aws-time.js';
import { decodePolicy } from './decode-policy.js';
import { Fields } from './fields.js';

function arnAccount(arn: string, file: string, where: string): string {
  const parsed = parseArn(arn);
  if (!parsed || !/^\d{12}$/.test(parsed.accountId)) throw new InputError(`${where} is not an ARN with an account ID: ${JSON.stringify(arn)}`, file);
  return parsed.accountId;
}

function roleArnField(f: Fields, key: string, optional: false): string;
function roleArnField(f: Fields, key: string, optional: true): string | undefined;
function roleArnField(f: Fields, key: string, optional: boolean): string | undefined {
  const arn = optional ? f.optStr(key) || undefined : f.str(key);
  if (arn !== undefined && (!roleNameAndPath(arn) || /\s/.test(arn)))
    throw new InputError(`${f.path}.${key} is not an IAM role ARN: ${JSON.stringify(arn)}`, f.file);
  return arn;
}

/** A role from `get-account-authorization-details` (RoleDetailList), `list-roles` (Roles) or `get-role` (Role). */
export function roleFrom(f: Fields): Role {
  const arn = f.str('Arn');
  const accountId = arnAccount(arn, f.file, `${f.path}.Arn`);
  const parsed = roleNameAndPath(arn);
  if (!parsed) throw new InputError(`${f.path}.Arn is not an IAM role ARN: ${JSON.stringify(arn)}`, f.file);
  const trust = f.value.AssumeRolePolicyDocument;
  if (trust === undefined) throw new InputError(`${f.path}.AssumeRolePolicyDocument is missing`, f.file);
  return {
    arn,
    name: f.optStr('RoleName') ?? parsed.name,
    path: f.optStr('Path') ?? parsed.path,
    accountId,
    trustPolicy: decodePolicy(trust, f.file, `${f.path}.AssumeRolePolicyDocument`),
    attachedPolicies: f.objects('AttachedManagedPolicies').map((p) => ({ name: p.str('PolicyName'), arn: p.str('PolicyArn') })),
    inlinePolicies: f.objects('RolePolicyList').map((p, i) => ({
      name: p.str('PolicyName'),
      document: decodePolicy(p.value.PolicyDocument, f.file, `${f.path}.RolePolicyList[${i}].PolicyDocument`),
    })),
    ...boundaryOf(f),
    ...tagsOf(f),
    ...datesOf(f),
    source: f.file,
  };
}

/** IAM's and CloudFormation's `Tags: [{Key, Value}]` as a map; a key given twice is refused. */
export function tagList(f: Fields, key = 'Tags'): Readonly<Record<string, string>> {
  const tags: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const t of f.objects(key)) {
    const k = t.str('Key');
    if (Object.hasOwn(tags, k)) throw new InputError(`${t.path}.Key repeats tag ${JSON.stringify(k)}`, f.file);
    tags[k] = t.optStr('Value') ?? '';
  }
  return tags;
}

function tagsOf(f: Fields): Pick<Role, 'tags'> {
  return f.value.Tags === undefined || f.value.Tags === null ? {} : { tags: tagList(f) };
}

/** `CreateDate` and `RoleLastUsed`, each left out when the evidence does not carry it. */
function datesOf(f: Fields): Pick<Role, 'createDate' | 'lastUsed'> {
  const createDate = optAwsTime(f, 'CreateDate');
  const used = f.optObj('RoleLastUsed');
  let lastUsed: RoleLastUse | undefined;
  if (used) {
    const date = optAwsTime(used, 'LastUsedDate');
    const region = used.optStr('Region') || undefined;
    lastUsed = { ...(date === undefined ? {} : { date }), ...(region === undefined ? {} : { region }), source: f.file };
  }
  return { ...(createDate === undefined ? {} : { createDate }), ...(lastUsed === undefined ? {} : { lastUsed }) };
}

function boundaryOf(f: Fields): Pick<Role, 'permissionsBoundaryArn'> {
  const arn = f.optObj('PermissionsBoundary')?.optStr('PermissionsBoundaryArn');
  return arn === undefined ? {} : { permissionsBoundaryArn: arn };
}

/** A managed policy from `get-account-authorization-details` (Policies), with its default version. */
export function managedPolicyFrom(f: Fields): ManagedPolicy {
  const versions = f.objects('PolicyVersionList');
  const current = versions.find((v) => v.value.IsDefaultVersion === true) ?? versions[0];
  const docValue = current?.value.Document;
  return {
    arn: f.str('Arn'),
    name: f.str('PolicyName'),
    document: docValue === undefined || !current ? undefined : decodePolicy(docValue, f.file, `${current.path}.Document`),
  };
}

export function oidcProviderFrom(f: Fields): OidcProvider {
  const arn = f.str('Arn');
  const hostPath = oidcProviderHostPath(arn);
  if (!hostPath) throw new InputError(`${f.path}.Arn is not an OIDC provider ARN: ${JSON.stringify(arn)}`, f.file);
  return { arn, accountId: arnAccount(arn, f.file, `${f.path}.Arn`), hostPath };
}

/** A cluster from `aws eks describe-cluster` (`{"cluster": {...}}`). */
export function clusterFrom(f: Fields): Omit<Cluster, 'kubernetes'> {
  const arn = f.str('arn');
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'eks' || !parsed.resource.startsWith('cluster/')) {
    throw new InputError(`${f.path}.arn is not an EKS cluster ARN: ${JSON.stringify(arn)}`, f.file);
  }
  const issuer = f.optObj('identity')?.optObj('oidc')?.optStr('issuer') || undefined;
  if (issuer !== undefined && !/^https:\/\/[^\s/]+(\/\S*)?$/i.test(issuer)) {
    throw new InputError(`${f.path}.identity.oidc.issuer is not an https URL: ${JSON.stringify(issuer)}`, f.file);
  }
  return {
    name: f.str('name'),
    arn,
    accountId: arnAccount(arn, f.file, `${f.path}.arn`),
    region: parsed.region,
    version: f.optStr('version'),
    platformVersion: f.optStr('platformVersion'),
    issuer,
    issuerHostPath: issuer ? issuerHostPath(issuer) : undefined,
    endpoint: f.optStr('endpoint'),
    autoMode: f.optObj('computeConfig')?.optBool('enabled') ?? false,
    onOutposts: f.value.outpostConfig !== undefined && f.value.outpostConfig !== null,
    source: f.file,
  };
}

function eksChildClusterArn(f: Fields, arnKey: string): string {
  const arn = f.str(arnKey);
  const clusterArn = clusterArnFromEksResource(arn);
  if (!clusterArn) throw new InputError(`${f.path}.${arnKey} is not an EKS ARN: ${JSON.stringify(arn)}`, f.file);
  return clusterArn;
}

/** An association from `aws eks describe-pod-identity-association` (`{"association": {...}}`). */
export function associationFrom(f: Fields): PodIdentityAssociation {
  return {
    clusterName: f.str('clusterName'),
    clusterArn: eksChildClusterArn(f, 'associationArn'),
    namespace: f.str('namespace'),
    serviceAccount: f.str('serviceAccount'),
    roleArn: roleArnField(f, 'roleArn', false),
    targetRoleArn: roleArnField(f, 'targetRoleArn', true),
    associationId: f.str('associationId'),
    associationArn: f.str('associationArn'),
    ownerArn: f.optStr('ownerArn') || undefined,
    disableSessionTags: f.optBool('disableSessionTags') ?? false,
    source: f.file,
  };
}

/** An entry of `aws eks list-pod-identity-associations` (`{"associations": [...]}`), which has no role. */
export function associationSummaryFrom(f: Fields): PodIdentityAssociationSummary {
  return {
    clusterName: f.str('clusterName'),
    clusterArn: eksChildClusterArn(f, 'associationArn'),
    namespace: f.str('namespace'),
    serviceAccount: f.str('serviceAccount'),
    associationId: f.str('associationId'),
    associationArn: f.str('associationArn'),
    source: f.file,
  };
}

/** An EKS add-on version as EKS writes them (`v1.19.0-eksbuild.1`), and as the collectors accept them in file names. */
const ADDON_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

function addonVersion(f: Fields, key: string, version: string): string {
  if (!ADDON_VERSION.test(version))
    throw new InputError(`${f.path}.${key} ${JSON.stringify(version.slice(0, 80))} is not an add-on version (letters, digits, . _ + -, at most 100)`, f.file);
  return version;
}

/** An add-on from `aws eks describe-addon` (`{"addon": {...}}`). */
export function addonFrom(f: Fields): Addon {
  const version = f.optStr('addonVersion');
  return {
    name: f.str('addonName'),
    clusterName: f.str('clusterName'),
    clusterArn: eksChildClusterArn(f, 'addonArn'),
    version: version === undefined ? undefined : addonVersion(f, 'addonVersion', version),
    serviceAccountRoleArn: roleArnField(f, 'serviceAccountRoleArn', true),
    namespace: f.optObj('namespaceConfig')?.optStr('namespace') || undefined,
    podIdentityAssociations: f.strings('podIdentityAssociations'),
    source: f.file,
  };
}

/** A Kubernetes service account name: a DNS subdomain. */
const SERVICE_ACCOUNT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** An add-on version's configuration from `aws eks describe-addon-configuration` (the whole output). */
export function addonConfigurationFrom(f: Fields): AddonConfiguration {
  const serviceAccounts = f.objects('podIdentityConfiguration').map((c, i) => {
    const name = c.str('serviceAccount');
    if (!SERVICE_ACCOUNT_NAME.test(name))
      throw new InputError(
        `$.podIdentityConfiguration[${i}].serviceAccount ${JSON.stringify(name.slice(0, 80))} is not a Kubernetes service account name`,
        f.file,
      );
    return name;
  });
  return {
    addonName: f.str('addonName'),
    addonVersion: addonVersion(f, 'addonVersion', f.str('addonVersion')),
    podIdentityServiceAccounts: [...new Set(serviceAccounts)].sort(),
    source: f.file,
  };
}

/** The account of a file under `aws/<account>/` (the README's layout), by the nearest 12-digit folder of its path. */
export function accountOfPath(file: string): string | undefined {
  const folders = file.split(/[\\/]/).slice(0, -1);
  for (let i = folders.length - 1; i >= 0; i--) {
    const folder = folders[i];
    if (folder !== undefined && /^\d{12}$/.test(folder)) return folder;
  }
  return undefined;
}

/**
 * The account an empty list (`{"OpenIDConnectProviderList": []}`: the account has none) speaks for:
 * the folder it is filed under inside the bundle (`inBundle`, its path from the bundle's root, so that
 * the folders the bundle itself sits in count for nothing), else the bundle's only account. A
 * collected empty list is a fact, not a gap, so one whose account cannot be told is refused rather
 * than dropped.
 */
export function accountOfEmptyList(file: string, inBundle: string, list: string, bundleAccounts: ReadonlySet<string>): string {
  const byPath = accountOfPath(inBundle);
  if (byPath) return byPath;
  const [only] = bundleAccounts;
  if (only !== undefined && bundleAccounts.size === 1) return only;
  const which = bundleAccounts.size === 0 ? 'the bundle names no account' : `the bundle holds accounts ${[...bundleAccounts].sort().join(', ')}`;
  throw new InputError(`$.${list} is empty and names no account (${which}): file it under aws/<account>/`, file);
}
