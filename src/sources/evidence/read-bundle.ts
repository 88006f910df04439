import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { InputError } from '../../errors.js';
import type {
  Addon,
  AddonConfiguration,
  Cluster,
  EvidenceFile,
  Inventory,
  ManagedPolicy,
  OidcProvider,
  PodIdentityAssociation,
  PodIdentityAssociationSummary,
  Role,
  RoleLastUse,
  ScanGap,
} from '../../model/inventory.js';
import type { CloudFormationResource, CloudFormationStack, CloudFormationTemplate, TerraformResource } from '../../model/owners.js';
import { rawStateResources, shownStateResources, stackFrom, stackResourceFrom } from './owners.js';
import {
  accountOfEmptyList,
  addonConfigurationFrom,
  addonFrom,
  associationFrom,
  associationSummaryFrom,
  clusterFrom,
  managedPolicyFrom,
  oidcProviderFrom,
  roleFrom,
} from './aws.js';
import { classify, type EvidenceKind } from './classify.js';
import { collectionTimes } from './collection.js';
import { Fields } from './fields.js';
import { KubernetesCollector, kubernetesObjects, streamKubernetesList, streamKubernetesYamlList } from './kubernetes.js';
import { formatOf, MAX_FILE_BYTES, parseEvidenceFile, parseEvidenceText, readEvidenceText, refuseTooDeep, type EvidenceFormat } from './parse.js';
import { yamlParser } from './yaml-documents.js';
import { compareText } from '../../order.js';

const EVIDENCE_FOLDERS = new Set(['aws', 'kubernetes', 'terraform']);

/**
 * The files under `root`, sorted, without dot-files; `regular` is false for what is listed but never read:
 * symbolic links (not followed, so a bundle cannot point outside itself), sockets, pipes and devices.
 */
function walk(root: string): { path: string; regular: boolean }[] {
  const out: { path: string; regular: boolean }[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareText(a.name, b.name))) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else out.push({ path: full, regular: entry.isFile() });
    }
  };
  visit(root);
  return out;
}

/** `kubernetes/<cluster>/…` → the cluster name; undefined outside a cluster folder. */
function kubernetesFolderCluster(relPath: string): string | undefined {
  const parts = relPath.split(sep);
  const at = parts.indexOf('kubernetes');
  return at >= 0 && at + 2 < parts.length ? parts[at + 1] : undefined;
}

interface Pending {
  readonly clusters: Omit<Cluster, 'kubernetes'>[];
  readonly roles: Map<string, Role>;
  readonly managedPolicies: Map<string, ManagedPolicy>;
  readonly providers: Map<string, OidcProvider>;
  readonly providerAccounts: Set<string>;
  /** Files with an empty provider list: their account is settled once every file is read. */
  readonly emptyProviderLists: string[];
  readonly associations: Map<string, PodIdentityAssociation>;
  readonly associationSummaries: Map<string, PodIdentityAssociationSummary>;
  readonly addons: Map<string, Addon>;
  /** By `<name>|<version>`. */
  readonly addonConfigurations: Map<string, AddonConfiguration>;
  readonly kubernetes: Map<string, KubernetesCollector>;
  readonly evidence: EvidenceFile[];
  readonly scanGaps: ScanGap[];
  /** The times collectors recorded (`collection.json`), by the path the reader shows for each file. */
  readonly collectedAt: Map<string, string>;
  readonly ignored: string[];
  readonly stacks: Map<string, CloudFormationStack>;
  readonly stackResources: Map<string, CloudFormationResource>;
  readonly templates: CloudFormationTemplate[];
  /** The CloudFormation and Terraform files read, empty ones included: owners were looked at. */
  readonly ownerFiles: string[];
  /** Terraform resources by workspace. */
  readonly terraform: Map<string, TerraformResource[]>;
}

/** `terraform/<path>.<ext>` → `<path>`, the workspace a state file names; undefined outside a `terraform/` folder. */
function workspaceOf(rel: string): string | undefined {
  const parts = rel.split(sep);
  const at = parts.indexOf('terraform');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  return parts
    .slice(at + 1)
    .join('/')
    .replace(/\.(json|tfstate)$/i, '');
}

function stateOf(kind: 'terraform-state' | 'terraform-show', f: Fields, rel: string, p: Pending): Omit<EvidenceFile, 'path' | 'modifiedAt'> {
  const workspace = workspaceOf(rel);
  if (workspace === undefined)
    throw new InputError('Terraform state must be under terraform/ (its path there, without the extension, names the workspace)', f.file);
  if (p.terraform.has(workspace)) throw new InputError(`a second state of workspace ${JSON.stringify(workspace)} (terraform/${workspace}.*)`, f.file);
  if (kind === 'terraform-show' && (Object.hasOwn(f.value, 'planned_values') || Object.hasOwn(f.value, 'resource_changes')))
    throw new InputError('this is terraform show -json of a plan; give the state: terraform show -json (no plan file)', f.file);
  p.terraform.set(workspace, kind === 'terraform-state' ? rawStateResources(f, workspace) : shownStateResources(f, workspace));
  return { kind };
}

const TEMPLATE_FILE = /^cloudformation-template-([A-Za-z][A-Za-z0-9-]{0,127})\.json$/i;

/**
 * A JSON template's body as an object, as the AWS CLI prints it: the SDKs (and `collect`) give it as the
 * text CloudFormation holds, which the CLI decodes when it is JSON. A YAML template stays text.
 */
function templateBody(body: Readonly<Record<string, unknown>> | string): Readonly<Record<string, unknown>> | string {
  if (typeof body !== 'string' || !body.trimStart().startsWith('{')) return body;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Readonly<Record<string, unknown>>) : body;
  } catch {
    return body;
  }
}

function templateOf(f: Fields, rel: string, p: Pending): Omit<EvidenceFile, 'path' | 'modifiedAt'> {
  const parts = rel.split(sep);
  const at = parts.indexOf('aws');
  const stack = TEMPLATE_FILE.exec(parts[parts.length - 1] ?? '')?.[1];
  const [accountId, region] = [parts[at + 1] ?? '', parts[at + 2] ?? ''];
  if (at < 0 || parts.length !== at + 4 || !/^\d{12}$/.test(accountId) || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region) || stack === undefined)
    throw new InputError('get-template output does not name its stack: save it as aws/<account>/<region>/cloudformation-template-<stack>.json', f.file);
  const body = f.value.TemplateBody;
  if (typeof body !== 'string' && (typeof body !== 'object' || body === null || Array.isArray(body)))
    throw new InputError('$.TemplateBody must be the template (an object or a string)', f.file);
  p.templates.push({ stackName: stack, accountId, region, body: templateBody(body as Readonly<Record<string, unknown>> | string), source: f.file });
  return { kind: 'cloudformation-template', accountId, region };
}

/** The roles of one listing, refused when it lists a role twice: IAM cannot, and which copy is real cannot be told. */
function unique(roles: readonly Role[], list: string, file: string): readonly Role[] {
  const seen = new Set<string>();
  for (const r of roles) {
    if (seen.has(r.arn)) throw new InputError(`$.${list} lists role ${r.arn} more than once`, file);
    seen.add(r.arn);
  }
  return roles;
}

/** Of two reports of a role's last use, the later use: a dated one over one saying no use (files of different times may disagree), whichever file comes first. */
function laterUse(a: RoleLastUse | undefined, b: RoleLastUse | undefined): RoleLastUse | undefined {
  if (!a || !b) return a ?? b;
  if (a.date === undefined) return b;
  if (b.date === undefined) return a;
  return Date.parse(b.date) >= Date.parse(a.date) ? b : a;
}

/**
 * Keeps a role, the later file's copy winning as before, but for what only some listings carry:
 * `list-roles` has no `RoleLastUsed`, so a copy without it keeps the last use another file gave, and
 * of two last uses the later one counts, so the order of file names cannot make a used role look stale.
 */
function keepRole(p: Pending, role: Role): void {
  const earlier = p.roles.get(role.arn);
  if (!earlier) {
    p.roles.set(role.arn, role);
    return;
  }
  const lastUsed = laterUse(earlier.lastUsed, role.lastUsed);
  const createDate = role.createDate ?? earlier.createDate;
  p.roles.set(role.arn, { ...role, ...(createDate === undefined ? {} : { createDate }), ...(lastUsed === undefined ? {} : { lastUsed }) });
}

function take(
  kind: EvidenceKind,
  doc: Record<string, unknown>,
  file: string,
  rel: string,
  p: Pending,
  inEvidenceFolder: boolean,
): Omit<EvidenceFile, 'path' | 'modifiedAt'> {
  const f = Fields.of(file, doc, '$');
  if (kind.startsWith('cloudformation-') || kind.startsWith('terraform-')) p.ownerFiles.push(file);
  switch (kind) {
    case 'cloudformation-stacks': {
      const stacks = [...f.objects('Stacks'), ...f.objects('StackSummaries')].map(stackFrom);
      for (const s of stacks) {
        const known = p.stacks.get(s.stackId);
        p.stacks.set(s.stackId, known && Object.keys(s.tags).length === 0 ? { ...s, tags: known.tags } : s);
      }
      return { kind, accountId: stacks[0]?.accountId, region: stacks[0]?.region };
    }
    case 'cloudformation-stack-resources': {
      const resources = f.objects('StackResources').map(stackResourceFrom);
      resources.forEach((r) => p.stackResources.set(`${r.stackId}|${r.logicalId}`, r));
      return { kind, accountId: resources[0]?.accountId, region: resources[0]?.region };
    }
    case 'cloudformation-stack-resource-summaries':
      throw new InputError(
        'list-stack-resources output does not name its stack; give aws cloudformation describe-stack-resources --stack-name <stack> --output json instead',
        file,
      );
    case 'cloudformation-template':
      return templateOf(f, rel, p);
    case 'terraform-state':
    case 'terraform-show':
      return stateOf(kind, f, rel, p);
    case 'iam-authorization-details': {
      const roles = unique(f.objects('RoleDetailList').map(roleFrom), 'RoleDetailList', file);
      roles.forEach((r) => {
        keepRole(p, r);
      });
      f.objects('Policies')
        .map(managedPolicyFrom)
        .forEach((m) => p.managedPolicies.set(m.arn, m));
      return { kind, accountId: roles[0]?.accountId };
    }
    case 'iam-list-roles': {
      const roles = unique(f.objects('Roles').map(roleFrom), 'Roles', file);
      roles.forEach((r) => {
        keepRole(p, r);
      });
      return { kind, accountId: roles[0]?.accountId };
    }
    case 'iam-get-role': {
      const role = roleFrom(f.obj('Role'));
      keepRole(p, role);
      return { kind, accountId: role.accountId };
    }
    case 'iam-oidc-providers': {
      const providers = f.objects('OpenIDConnectProviderList').map(oidcProviderFrom);
      providers.forEach((o) => {
        p.providers.set(o.arn, o);
        p.providerAccounts.add(o.accountId);
      });
      if (providers.length === 0) p.emptyProviderLists.push(file);
      return { kind, accountId: providers[0]?.accountId };
    }
    case 'eks-describe-cluster': {
      const cluster = clusterFrom(f.obj('cluster'));
      if (!p.clusters.some((c) => c.arn === cluster.arn)) p.clusters.push(cluster);
      return { kind, accountId: cluster.accountId, region: cluster.region, cluster: cluster.name };
    }
    case 'eks-pod-identity-association': {
      const a = associationFrom(f.obj('association'));
      p.associations.set(a.associationArn, a);
      return { kind, cluster: a.clusterName };
    }
    case 'eks-list-pod-identity-associations': {
      if (!inEvidenceFolder) return { kind };
      const summaries = f.objects('associations').map(associationSummaryFrom);
      summaries.forEach((a) => p.associationSummaries.set(a.associationArn, a));
      return { kind, cluster: summaries[0]?.clusterName };
    }
    case 'eks-describe-addon': {
      const a = addonFrom(f.obj('addon'));
      p.addons.set(`${a.clusterArn}|${a.name}`, a);
      return { kind, cluster: a.clusterName };
    }
    case 'eks-addon-configuration': {
      const c = addonConfigurationFrom(f);
      const key = `${c.addonName}|${c.addonVersion}`;
      const known = p.addonConfigurations.get(key);
      if (known && known.podIdentityServiceAccounts.join('\n') !== c.podIdentityServiceAccounts.join('\n'))
        throw new InputError(
          `add-on ${c.addonName} ${c.addonVersion}: podIdentityConfiguration names ${JSON.stringify(c.podIdentityServiceAccounts)} here but ${JSON.stringify(known.podIdentityServiceAccounts)} in ${known.source}`,
          file,
        );
      if (!known) p.addonConfigurations.set(key, c);
      return { kind };
    }
    case 'scan-gaps': {
      for (const g of f.objects('irsa2piScanGaps')) {
        const scope = g.str('scope');
        if (scope !== 'cluster' && scope !== 'region' && scope !== 'account')
          throw new InputError(`${g.path}.scope must be "cluster", "region" or "account"`, file);
        p.scanGaps.push({ scope, name: g.str('name'), region: g.optStr('region'), error: g.optStr('error') ?? 'unknown error', source: file });
      }
      return { kind };
    }
    case 'collection': {
      for (const [path, at] of collectionTimes(f)) {
        if (p.collectedAt.has(path))
          throw new InputError(`gives a collection time for ${path}, which another collection.json of the bundle gives already`, file);
        p.collectedAt.set(path, at);
      }
      return { kind };
    }
    default:
      return { kind };
  }
}

interface KubernetesDocument {
  readonly file: string;
  readonly cluster: string;
  readonly doc: Record<string, unknown>;
  readonly index: number;
}

/**
 * The described clusters a `kubernetes/<folder>/` names: those of that name, or, where names repeat
 * across regions or accounts, the one `<region>.<name>` or `<account>.<region>.<name>` names (an EKS
 * cluster name holds no dot).
 */
function clustersOfFolder(folder: string, clusters: readonly Omit<Cluster, 'kubernetes'>[]): Omit<Cluster, 'kubernetes'>[] {
  const named = clusters.filter((c) => c.name === folder);
  if (named.length > 0) return named;
  const parts = folder.split('.');
  if (parts.length === 2) return clusters.filter((c) => c.region === parts[0] && c.name === parts[1]);
  if (parts.length === 3) return clusters.filter((c) => c.accountId === parts[0] && c.region === parts[1] && c.name === parts[2]);
  return [];
}

function clusterOfFolder(folder: string, file: string, p: Pending): Omit<Cluster, 'kubernetes'> {
  const matches = clustersOfFolder(folder, p.clusters);
  if (matches.length === 0)
    throw new InputError(`folder kubernetes/${folder}/ names no cluster of the bundle (no describe-cluster output for "${folder}")`, file);
  if (matches.length > 1) {
    const where = matches.map((c) => `${c.accountId}.${c.region}.${c.name}`).sort(compareText);
    throw new InputError(
      `folder kubernetes/${folder}/ is ambiguous: ${matches.length} clusters are named "${folder}"; name each folder <region>.${folder} or <account>.<region>.${folder} (${where.join(', ')})`,
      file,
    );
  }
  const [only] = matches;
  if (!only) throw new InputError(`folder kubernetes/${folder}/ names no cluster of the bundle`, file);
  return only;
}

/** Adds a document's objects to its cluster. */
function collect({ file, cluster, doc, index }: KubernetesDocument, p: Pending, firstFileOfFolder: Map<string, string>): void {
  const collector = collectorOf(cluster, file, p, firstFileOfFolder);
  for (const object of kubernetesObjects(doc, file, index > 0 ? `document ${index + 1}` : '$')) collector.add(object);
}

/**
 * The collector of the cluster a folder names; `firstFileOfFolder` keeps each folder's first file, for
 * checking at the end that a cluster described later does not make the folder ambiguous.
 */
function collectorOf(cluster: string, file: string, p: Pending, firstFileOfFolder: Map<string, string>): KubernetesCollector {
  const target = clusterOfFolder(cluster, file, p);
  if (!firstFileOfFolder.has(cluster)) firstFileOfFolder.set(cluster, file);
  let collector = p.kubernetes.get(target.arn);
  if (!collector) p.kubernetes.set(target.arn, (collector = new KubernetesCollector()));
  return collector;
}

/**
 * Reads a kubectl List of a folder whose cluster is already described one item at a time (such Lists
 * are most of a bundle's bytes): JSON from the file a chunk at a time, YAML from its text one entry at a
 * time. Otherwise the file is to be read whole, as every other one is (from its text, when already read).
 */
function streamed(
  abs: string,
  display: string,
  format: EvidenceFormat,
  cluster: string | undefined,
  p: Pending,
  waiting: ReadonlySet<string>,
  firstFileOfFolder: Map<string, string>,
): Streaming {
  if (cluster === undefined || waiting.has(cluster) || clustersOfFolder(cluster, p.clusters).length === 0) return { read: 'whole' };
  let text: string | undefined;
  let objects: KubernetesCollector | undefined;
  if (format === 'json') objects = streamKubernetesList(abs, display, MAX_FILE_BYTES);
  else objects = streamKubernetesYamlList((text = readEvidenceText(abs, display)), display, yamlParser());
  if (!objects) return { read: 'whole', text };
  collectorOf(cluster, display, p, firstFileOfFolder).absorb(objects);
  p.evidence.push({ path: display, kind: 'kubernetes', cluster, modifiedAt: statSync(abs).mtime.toISOString() });
  return { read: 'streamed' };
}

type Streaming = { readonly read: 'streamed' } | { readonly read: 'whole'; readonly text?: string };

function assemble(p: Pending, root: string): Inventory {
  const accounts = new Set([...p.roles.values(), ...p.providers.values(), ...p.clusters].map((x) => x.accountId));
  const accountOf = (file: string, list: string) => accountOfEmptyList(file, relative(root, file), list, accounts);
  for (const file of p.emptyProviderLists) p.providerAccounts.add(accountOf(file, 'OpenIDConnectProviderList'));
  const clusters: Cluster[] = p.clusters.map((c) => ({ ...c, kubernetes: p.kubernetes.get(c.arn)?.result() })).sort((a, b) => compareText(a.arn, b.arn));
  const byArn = <T>(m: Map<string, T>, key: (t: T) => string) => [...m.values()].sort((a, b) => compareText(key(a), key(b)));
  return {
    roles: byArn(p.roles, (r) => r.arn),
    managedPolicies: byArn(p.managedPolicies, (m) => m.arn),
    oidcProviders: byArn(p.providers, (o) => o.arn),
    accountsWithProviderList: [...p.providerAccounts].sort(),
    clusters,
    associations: byArn(p.associations, (a) => a.associationArn),
    undescribedAssociations: byArn(p.associationSummaries, (a) => a.associationArn).filter((a) => !p.associations.has(a.associationArn)),
    addons: byArn(p.addons, (a) => `${a.clusterArn}|${a.name}`),
    ...(p.addonConfigurations.size > 0 ? { addonConfigurations: byArn(p.addonConfigurations, (c) => `${c.addonName}|${c.addonVersion}`) } : {}),
    evidence:
      p.collectedAt.size === 0
        ? p.evidence
        : p.evidence.map((e) => {
            const collectedAt = p.collectedAt.get(e.path);
            return collectedAt !== undefined ? { ...e, collectedAt } : e;
          }),
    scanGaps: p.scanGaps,
    ignored: p.ignored,
    ...ownersOf(p),
  };
}

function ownersOf(p: Pending): Pick<Inventory, 'owners'> {
  if (p.ownerFiles.length === 0) return {};
  return {
    owners: {
      stacks: [...p.stacks.values()].sort((a, b) => compareText(a.stackId, b.stackId)),
      stackResources: [...p.stackResources.values()].sort((a, b) => compareText(a.stackId, b.stackId) || compareText(a.logicalId, b.logicalId)),
      templates: [...p.templates].sort((a, b) => compareText(a.source, b.source)),
      terraform: [...p.terraform.keys()].sort(compareText).flatMap((w) => p.terraform.get(w) ?? []),
    },
  };
}

/**
 * Reads an evidence bundle: a directory of unmodified AWS CLI and kubectl output.
 * Files are recognised by content; Kubernetes objects belong to the cluster named by their
 * `kubernetes/<cluster-name>/` folder (`<region>.<name>` or `<account>.<region>.<name>` where names
 * repeat). Throws {@link InputError} naming the file on bad input.
 */
export function readEvidenceBundle(dir: string): Inventory {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new InputError('evidence directory does not exist', dir);
  }
  if (!stat.isDirectory()) throw new InputError('evidence path is not a directory', dir);
  const p: Pending = {
    clusters: [],
    roles: new Map(),
    managedPolicies: new Map(),
    providers: new Map(),
    providerAccounts: new Set(),
    emptyProviderLists: [],
    associations: new Map(),
    associationSummaries: new Map(),
    addons: new Map(),
    addonConfigurations: new Map(),
    kubernetes: new Map(),
    evidence: [],
    scanGaps: [],
    collectedAt: new Map(),
    ignored: [],
    stacks: new Map(),
    stackResources: new Map(),
    templates: [],
    ownerFiles: [],
    terraform: new Map(),
  };
  /**
   * Documents of folders whose cluster was not yet described when they were read: a folder's
   * documents are collected as soon as its cluster is known, so that no parsed file outlives its
   * reading, unless one of them had to wait; then the rest wait too, to keep the folder's file order
   * (the first copy of an object wins).
   */
  const deferred: KubernetesDocument[] = [];
  const waiting = new Set<string>();
  const firstFileOfFolder = new Map<string, string>();
  for (const { path: abs, regular } of walk(dir)) {
    const rel = relative(dir, abs);
    const display = join(dir, rel);
    const format = formatOf(rel);
    if (!format || !regular) {
      p.ignored.push(display);
      continue;
    }
    const streaming = streamed(abs, display, format, kubernetesFolderCluster(rel), p, waiting, firstFileOfFolder);
    if (streaming.read === 'streamed') continue;
    const docs = streaming.text === undefined ? parseEvidenceFile(abs, display, format) : parseEvidenceText(streaming.text, display, format);
    const inEvidenceFolder = rel.split(sep).some((part) => EVIDENCE_FOLDERS.has(part));
    let taken: Omit<EvidenceFile, 'path' | 'modifiedAt'> | undefined;
    docs.forEach((doc, index) => {
      const kind = classify(doc);
      if (kind !== 'kubernetes') refuseTooDeep(doc, display, index, docs.length);
      if (!kind) {
        if (inEvidenceFolder || docs.length > 1) {
          const what =
            doc === null
              ? 'null'
              : Array.isArray(doc)
                ? 'a list'
                : typeof doc === 'object'
                  ? `keys ${JSON.stringify(Object.keys(doc).slice(0, 4)).slice(0, 120)}`
                  : typeof doc;
          const where = docs.length > 1 ? `document ${index + 1}: ` : '';
          throw new InputError(`${where}not recognised as AWS CLI or kubectl output (top-level: ${what})`, display);
        }
        return;
      }
      if (kind === 'kubernetes') {
        const cluster = kubernetesFolderCluster(rel);
        if (!cluster) throw new InputError('Kubernetes objects must be under kubernetes/<cluster-name>/', display);
        const document = { file: display, cluster, doc: doc as Record<string, unknown>, index };
        if (!waiting.has(cluster) && clustersOfFolder(cluster, p.clusters).length > 0) collect(document, p, firstFileOfFolder);
        else {
          deferred.push(document);
          waiting.add(cluster);
        }
        taken = { kind, cluster };
        return;
      }
      taken = take(kind, doc as Record<string, unknown>, display, rel, p, inEvidenceFolder);
    });
    if (taken) p.evidence.push({ path: display, ...taken, modifiedAt: statSync(abs).mtime.toISOString() });
    else p.ignored.push(display);
  }
  if (p.evidence.length === 0) throw new InputError('no AWS CLI or kubectl output found in the evidence bundle', dir);
  for (const document of deferred) collect(document, p, firstFileOfFolder);
  for (const [cluster, file] of firstFileOfFolder) clusterOfFolder(cluster, file, p);
  return assemble(p, dir);
}
