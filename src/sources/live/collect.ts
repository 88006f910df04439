/**
 * `irsa2pi collect`: reads IAM, EKS and each cluster's Kubernetes API (read-only) and returns an
 * evidence bundle in the README's layout, with unreachable clusters and failed regions as scan gaps.
 * @module
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../../errors.js';
import type { EmittedFile } from '../../output-file.js';
import { addonConfigurationNamed, addonVersions, collectCluster, collectIam, describeAddonConfiguration, listClusters, type ClusterEvidence } from './aws.js';
import { collectCloudFormation, type CloudFormationEvidence } from './cloudformation.js';
import { cliJsonText } from './cli-json.js';
import { contextFor, explicitContexts, type ContextServer } from './contexts.js';
import { kubeListJson, listClusterObjects, listClusterObjectsDirect } from './kubernetes.js';
import { mintEksToken, type AwsCredentials } from './eks-token.js';
import { limiter } from './limit.js';
import { DEFAULT_DEADLINES, type RequestDeadlines } from './deadlines.js';
import { addBodyDeadline, awsClientSettings } from './aws-deadlines.js';
import { compareAddonVersions, compareText } from '../../order.js';
import { assumeInto, callerAccount, selectedAccounts, type AccountCredentials, type AccountSelection } from './accounts.js';
import { eksNotOffered, enabledRegions } from './regions.js';

/** Accounts, regions and clusters read at once when `concurrency` is not given. */
export const DEFAULT_CONCURRENCY = 8;

/** The `--region` value that reads every region enabled for each account. */
export const ALL_REGIONS = 'all';

/** A part of the estate that could not be read. Written to `scan-gaps.json`. */
export interface ScanGap {
  readonly scope: 'cluster' | 'region' | 'account';
  readonly name: string;
  readonly region: string;
  readonly error: string;
  /** The account of the gap, in an organisation-wide scan. */
  readonly account?: string;
}

/** Name of the scan-gap file at the bundle root. */
export const SCAN_GAPS_FILE = 'scan-gaps.json';

/** Name of the file at the bundle root recording when each file was collected. */
export const COLLECTION_FILE = 'collection.json';

const now = () => new Date().toISOString();

/** Options for {@link collectEvidence}. */
export interface CollectOptions {
  /** Regions to scan; empty: the SDK's configured default region; `['all']`: every region enabled for each account. */
  readonly regions?: readonly string[];
  /** Read these accounts, each with credentials from `sts:AssumeRole` (default: only the caller's own account). */
  readonly accounts?: AccountSelection;
  /** Only these clusters (by name); empty: every cluster of the regions. */
  readonly clusters?: readonly string[];
  /** `--context` values: `NAME=CTX`, or bare contexts paired with {@link clusters} in order. */
  readonly contexts?: readonly string[];
  /** One line per cluster (no newline). */
  readonly progress?: (line: string) => void;
  /** In an organisation-wide scan, the number of accounts once listed, and each time one finishes (`done` of `total`). */
  readonly onAccounts?: (done: number, total: number) => void;
  /** AWS requests and clusters in flight at once, across the whole scan (default {@link DEFAULT_CONCURRENCY}). */
  readonly concurrency?: number;
  /** Connect and whole-request deadlines of every AWS and Kubernetes request (default {@link DEFAULT_DEADLINES}). */
  readonly deadlines?: RequestDeadlines;
  /** Kubernetes `limit` (default 500). */
  readonly kubePageSize?: number;
  /** `MaxResults` of the Organizations listings (default 20, the most they allow). */
  readonly organizationsPageSize?: number;
  /** `ListPodIdentityAssociations` `maxResults` (default 100). */
  readonly associationPageSize?: number;
  /** Sees every AWS operation sent, as `iam:GetAccountAuthorizationDetails`. */
  readonly onAwsOperation?: (operation: string) => void;
  /** Loads the kubeconfig (default: `KubeConfig.loadFromDefault()`, honouring `KUBECONFIG`). */
  readonly loadKubeConfig?: () => KubeConfig;
}

/** The collected bundle: files relative to the bundle root, and the gaps. */
export interface CollectResult {
  readonly files: EmittedFile[];
  readonly gaps: ScanGap[];
}

/** One line of an error, without a stack; never includes request headers or credentials. */
function errorLine(e: unknown): string {
  const err = e as { name?: unknown; message?: unknown; code?: unknown } | null | undefined;
  const message = typeof err?.message === 'string' && err.message !== '' ? err.message : String(e);
  const name = typeof err?.name === 'string' && err.name !== 'Error' && !message.startsWith(err.name) ? `${err.name}: ` : '';
  return (`${name}${message}`.split('\n')[0] ?? '').slice(0, 500);
}

type Middlewared = { middlewareStack: { add: (mw: unknown, opts: { step: 'initialize'; name: string }) => void } };

function record(client: Middlewared, service: string, onOp: ((op: string) => void) | undefined): void {
  if (!onOp) return;
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      onOp(`${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`);
      return next(args);
    },
    { step: 'initialize', name: 'irsa2piRecordOperation' },
  );
}

/** One account being read: its id when chosen up front, and its credentials (undefined: the caller's). */
interface AccountScope {
  readonly id: string | undefined;
  readonly credentials?: () => Promise<AccountCredentials>;
}

/** What one account's scan found, for its progress line. */
interface AccountTally {
  clusters: number;
  serviceAccounts: number;
  gaps: number;
  /** The accounts of the clusters' ARNs. */
  readonly clusterAccounts: string[];
}

/** The region the SDK is configured with (`AWS_REGION`, the profile), if any. */
async function configuredRegion(EKSClient: typeof import('@aws-sdk/client-eks').EKSClient): Promise<string | undefined> {
  try {
    return (await new EKSClient({}).config.region()) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Collects the evidence; throws {@link InputError} when no region is configured, IAM of the caller's
 * account cannot be read, or the organisation's accounts cannot be listed. In an organisation-wide
 * scan an account whose role cannot be assumed or whose IAM cannot be read is a scan gap.
 */
export async function collectEvidence(opts: CollectOptions = {}): Promise<CollectResult> {
  const [{ IAMClient }, { EKSClient }, { CloudFormationClient }, kube] = await Promise.all([
    import('@aws-sdk/client-iam'),
    import('@aws-sdk/client-eks'),
    import('@aws-sdk/client-cloudformation'),
    import('@kubernetes/client-node'),
  ]);
  const startedAt = now();
  const progress = opts.progress ?? (() => {});
  const deadlines = opts.deadlines ?? DEFAULT_DEADLINES;
  const sdk = awsClientSettings(deadlines);

  const requested = [...new Set(opts.regions ?? [])];
  const allRegions = requested.includes(ALL_REGIONS);
  if (allRegions && requested.length > 1) {
    throw new InputError(
      `--region ${ALL_REGIONS} reads every enabled region; give it alone, not with ${requested.filter((r) => r !== ALL_REGIONS).join(', ')}`,
    );
  }
  const home = allRegions || requested.length === 0 ? await configuredRegion(EKSClient) : requested[0];
  if (!home) {
    throw new InputError(
      allRegions
        ? `--region ${ALL_REGIONS} needs a home region for STS, Organizations and EC2 DescribeRegions: set AWS_REGION or a default region in the AWS config`
        : 'no AWS region: give --region, or set AWS_REGION or a default region in the AWS config',
    );
  }
  const fixedRegions = allRegions ? undefined : requested.length > 0 ? requested : [home];
  const regionsText = fixedRegions ? fixedRegions.join(', ') : 'every enabled region';
  const wantedClusters = new Set(opts.clusters ?? []);
  const explicit = explicitContexts(opts.contexts ?? [], opts.clusters ?? []);
  const loadKubeConfig =
    opts.loadKubeConfig ??
    (() => {
      const kc = new kube.KubeConfig();
      kc.loadFromDefault();
      return kc;
    });
  let contexts: ContextServer[] = [];
  try {
    const kc = loadKubeConfig();
    contexts = kc.getContexts().map((c) => ({ name: c.name, server: kc.getCluster(c.cluster)?.server }));
  } catch {
    contexts = [];
  }

  const run = limiter(Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY));
  const gaps: ScanGap[] = [];
  const accountFiles: EmittedFile[] = [];
  const clusterFiles: EmittedFile[] = [];
  /** When each file's content was read, by its path. */
  const collectedAt = new Map<string, string>();
  /** Each cluster's Kubernetes objects; its folder is known once every account and region is scanned. */
  const kubernetesFiles: { account: string; region: string; name: string; content: string; at: string }[] = [];
  /** Cluster name → the `account|region` places a cluster of that name was described in. */
  const placesByName = new Map<string, Set<string>>();
  const found = new Set<string>();
  /** `DescribeAddonConfiguration` once per account, region, add-on and version, by `<account>|<region>|<name>|<version>`: whether it takes Pod Identity associations (undefined: the call failed). */
  const addonConfigurations = new Map<string, Promise<boolean | undefined>>();
  /** `DescribeAddonVersions` once per account, region and add-on, by `<account>|<region>|<name>`. */
  const versionsOfAddon = new Map<string, Promise<string[] | undefined>>();

  /** Where a cluster's add-on files go, and how its progress lines name it. */
  interface AddonPlace {
    readonly account: string;
    readonly region: string;
    readonly dir: string;
    readonly where: string;
  }

  const addonConfiguration = (eks: EKSClient, at: AddonPlace, name: string, version: string): Promise<boolean | undefined> => {
    const key = `${at.account}|${at.region}|${name}|${version}`;
    let known = addonConfigurations.get(key);
    if (known) return known;
    known = (async () => {
      try {
        const doc = await describeAddonConfiguration(eks, name, version);
        const path = `${at.dir}/addon-configuration-${name}-${version}.json`;
        clusterFiles.push({ path, content: cliJsonText(doc) });
        collectedAt.set(path, now());
        return Array.isArray(doc.podIdentityConfiguration) && doc.podIdentityConfiguration.length > 0;
      } catch (e) {
        progress(`irsa2pi: ${at.where}: add-on ${name} ${version}: DescribeAddonConfiguration: ${errorLine(e)}; its Pod Identity support stays unknown`);
        return undefined;
      }
    })();
    addonConfigurations.set(key, known);
    return known;
  };

  /**
   * Describes the installed version's configuration and, when it takes no Pod Identity association
   * and the add-on has a role (only then does it move an identity), finds the lowest later version
   * that does: EKS's version list has no such field, so the later versions are bisected (support,
   * once added, stays), each probe a configuration of the bundle.
   */
  const addonSupport = async (eks: EKSClient, at: AddonPlace, name: string, version: string, withRole: boolean): Promise<void> => {
    if (!addonConfigurationNamed(name, version)) return;
    if ((await addonConfiguration(eks, at, name, version)) !== false || !withRole) return;
    const key = `${at.account}|${at.region}|${name}`;
    let listed = versionsOfAddon.get(key);
    if (!listed) {
      listed = addonVersions(eks, name).catch((e: unknown) => {
        progress(`irsa2pi: ${at.where}: add-on ${name}: DescribeAddonVersions: ${errorLine(e)}; the lowest version taking Pod Identity stays unknown`);
        return undefined;
      });
      versionsOfAddon.set(key, listed);
    }
    const later = ((await listed) ?? []).filter((v) => addonConfigurationNamed(name, v) && compareAddonVersions(v, version) > 0).sort(compareAddonVersions);
    let [lo, hi] = [0, later.length - 1];
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const probe = later[mid];
      if (probe !== undefined && (await addonConfiguration(eks, at, name, probe)) === true) hi = mid - 1;
      else lo = mid + 1;
    }
  };

  const gap = (g: ScanGap, tally: AccountTally | undefined, line: string): void => {
    gaps.push(g);
    if (tally) tally.gaps++;
    progress(line);
  };

  const scanCluster = async (eks: EKSClient, scope: AccountScope, tally: AccountTally, region: string, name: string): Promise<void> => {
    const account = scope.id !== undefined ? { account: scope.id } : {};
    const where = `${scope.id !== undefined ? `${scope.id}/` : ''}${region}/${name}`;
    let evidence: ClusterEvidence;
    try {
      evidence = await collectCluster(eks, name, { associationPageSize: opts.associationPageSize });
    } catch (e) {
      gap({ scope: 'cluster', name, region, error: errorLine(e), ...account }, tally, `irsa2pi: ${where}: scan gap: ${errorLine(e)}`);
      return;
    }
    const awsAt = now();
    tally.clusters++;
    tally.clusterAccounts.push(evidence.accountId);
    const dir = `aws/${evidence.accountId}/${region}`;
    const awsFile = (path: string, content: string) => {
      clusterFiles.push({ path, content });
      collectedAt.set(path, awsAt);
    };
    awsFile(`${dir}/cluster-${name}.json`, cliJsonText(evidence.cluster));
    const places = placesByName.get(name);
    if (places) places.add(`${evidence.accountId}|${region}`);
    else placesByName.set(name, new Set([`${evidence.accountId}|${region}`]));
    for (const a of evidence.addons) awsFile(`${dir}/addon-${name}-${a.name}.json`, cliJsonText(a.doc));
    for (const a of evidence.addons) {
      const { addonVersion, serviceAccountRoleArn } = (a.doc.addon ?? {}) as { addonVersion?: unknown; serviceAccountRoleArn?: unknown };
      if (typeof addonVersion !== 'string') continue;
      const withRole = typeof serviceAccountRoleArn === 'string' && serviceAccountRoleArn.startsWith('arn:');
      await addonSupport(eks, { account: evidence.accountId, region, dir, where }, a.name, addonVersion, withRole);
    }
    for (const a of evidence.associations) awsFile(`${dir}/pod-identity-association-${a.id}.json`, cliJsonText(a.doc));
    const aws = `${evidence.addons.length} add-ons, ${evidence.associations.length} associations`;
    const kept = (items: Record<string, unknown>[]): void => {
      kubernetesFiles.push({ account: evidence.accountId, region, name, content: kubeListJson(items), at: now() });
      tally.serviceAccounts += items.filter((i) => i.kind === 'ServiceAccount').length;
    };
    const context = contextFor(evidence, explicit, contexts);
    if (context === undefined) {
      // No kubeconfig context: connect to the endpoint directly with the CA from DescribeCluster and
      // the token `aws eks get-token` would make, signed with the EKS client's own credentials.
      const noContext = `no kubeconfig context reaches ${evidence.endpoint ?? 'the cluster endpoint'}; give --context ${name}=CONTEXT`;
      if (!evidence.endpoint) {
        gap({ scope: 'cluster', name, region, error: noContext, ...account }, tally, `irsa2pi: ${where}: ${aws}; scan gap: ${noContext}`);
        return;
      }
      const ca = (evidence.cluster.cluster as { certificateAuthority?: { data?: unknown } } | undefined)?.certificateAuthority?.data;
      const credentials = (): Promise<AwsCredentials> => eks.config.credentials();
      let minted: { token: string; at: number } | undefined;
      const token = async (): Promise<string> => {
        // Presigned for 60 s, accepted by EKS for 15 min: re-mint every 5 min on long listings.
        if (!minted || Date.now() - minted.at > 300_000) minted = { token: await mintEksToken({ clusterName: name, region, credentials }), at: Date.now() };
        return minted.token;
      };
      try {
        const items = await listClusterObjectsDirect(
          { endpoint: evidence.endpoint, caData: typeof ca === 'string' && ca !== '' ? ca : undefined, token },
          { limit: opts.kubePageSize, deadlines },
        );
        kept(items);
        progress(`irsa2pi: ${where}: ${aws}, ${items.length} Kubernetes objects (endpoint, EKS token)`);
      } catch (e) {
        const error = `${noContext} (direct EKS token authentication failed: ${errorLine(e)})`;
        gap({ scope: 'cluster', name, region, error, ...account }, tally, `irsa2pi: ${where}: ${aws}; scan gap: ${error}`);
      }
      return;
    }
    try {
      const items = await listClusterObjects(loadKubeConfig, context, { limit: opts.kubePageSize, deadlines });
      kept(items);
      progress(`irsa2pi: ${where}: ${aws}, ${items.length} Kubernetes objects (context ${context})`);
    } catch (e) {
      const error = `Kubernetes API (context ${context}): ${errorLine(e)}`;
      gap({ scope: 'cluster', name, region, error, ...account }, tally, `irsa2pi: ${where}: ${aws}; scan gap: ${error}`);
    }
  };

  const clientConfig = (scope: AccountScope, region: string) => ({ ...sdk, region, ...(scope.credentials ? { credentials: scope.credentials } : {}) });

  /** The region's stacks, or undefined (and a scan gap) when CloudFormation cannot be read. */
  const scanStacks = async (
    scope: AccountScope,
    tally: AccountTally,
    region: string,
  ): Promise<{ evidence: CloudFormationEvidence; at: string } | undefined> => {
    const cfn = new CloudFormationClient(clientConfig(scope, region));
    record(cfn as unknown as Middlewared, 'cloudformation', opts.onAwsOperation);
    addBodyDeadline(cfn, deadlines);
    try {
      const evidence = await run(() => collectCloudFormation(cfn));
      return { evidence, at: now() };
    } catch (e) {
      const error = `CloudFormation (DescribeStacks, DescribeStackResources, GetTemplate): ${errorLine(e)}`;
      const prefix = scope.id !== undefined ? `${scope.id}/` : '';
      gap(
        { scope: 'region', name: region, region, error, ...(scope.id !== undefined ? { account: scope.id } : {}) },
        tally,
        `irsa2pi: ${prefix}${region}: scan gap: ${error}`,
      );
      return undefined;
    } finally {
      cfn.destroy();
    }
  };

  const scanRegion = async (
    scope: AccountScope,
    tally: AccountTally,
    region: string,
  ): Promise<{ evidence: CloudFormationEvidence; at: string } | undefined> => {
    const eks: EKSClient = new EKSClient(clientConfig(scope, region));
    record(eks as unknown as Middlewared, 'eks', opts.onAwsOperation);
    addBodyDeadline(eks, deadlines);
    try {
      let names: string[];
      try {
        names = await run(() => listClusters(eks));
      } catch (e) {
        if (allRegions && eksNotOffered(e, region)) return undefined;
        const prefix = scope.id !== undefined ? `${scope.id}/` : '';
        gap(
          { scope: 'region', name: region, region, error: errorLine(e), ...(scope.id !== undefined ? { account: scope.id } : {}) },
          tally,
          `irsa2pi: ${prefix}${region}: scan gap: ${errorLine(e)}`,
        );
        return undefined;
      }
      const selected = wantedClusters.size > 0 ? names.filter((n) => wantedClusters.has(n)) : names;
      selected.forEach((n) => found.add(n));
      const [stacks] = await Promise.all([scanStacks(scope, tally, region), ...selected.map((n) => run(() => scanCluster(eks, scope, tally, region, n)))]);
      return stacks;
    } finally {
      eks.destroy();
    }
  };

  const accountGap = (id: string, error: string, tally?: AccountTally): void => {
    gap({ scope: 'account', name: id, region: '', error, account: id }, tally, `irsa2pi: account ${id}: scan gap: ${error}`);
  };

  const scanAccount = async (scope: AccountScope): Promise<void> => {
    const tally: AccountTally = { clusters: 0, serviceAccounts: 0, gaps: 0, clusterAccounts: [] };
    const iam: IAMClient = new IAMClient(clientConfig(scope, home));
    record(iam as unknown as Middlewared, 'iam', opts.onAwsOperation);
    addBodyDeadline(iam, deadlines);
    let iamEvidence;
    let iamAt: string;
    try {
      iamEvidence = await run(() => collectIam(iam));
      iamAt = now();
    } catch (e) {
      const error = `cannot read IAM (GetAccountAuthorizationDetails, ListOpenIDConnectProviders): ${errorLine(e)}`;
      if (scope.id === undefined) throw new InputError(error);
      accountGap(scope.id, error);
      return;
    } finally {
      iam.destroy();
    }
    let regions = fixedRegions;
    if (!regions) {
      const { EC2Client } = await import('@aws-sdk/client-ec2');
      const ec2 = new EC2Client(clientConfig(scope, home));
      record(ec2 as unknown as Middlewared, 'ec2', opts.onAwsOperation);
      try {
        regions = await run(() => enabledRegions(ec2));
      } catch (e) {
        const error = `cannot list the enabled regions (ec2:DescribeRegions): ${errorLine(e)}`;
        if (scope.id === undefined) throw new InputError(error);
        accountGap(scope.id, error, tally);
        regions = [];
      } finally {
        ec2.destroy();
      }
    }
    const stacks = await Promise.all(regions.map((r) => scanRegion(scope, tally, r)));
    const account = scope.id ?? iamEvidence.accountId ?? [...tally.clusterAccounts].sort()[0] ?? 'unknown-account';
    stacks.forEach((s, i) => {
      if (!s) return;
      for (const f of s.evidence.files) {
        const path = `aws/${s.evidence.accountId ?? account}/${regions[i] ?? ''}/${f.name}`;
        accountFiles.push({ path, content: cliJsonText(f.doc) });
        collectedAt.set(path, s.at);
      }
    });
    accountFiles.push(
      { path: `aws/${account}/iam-authorization-details.json`, content: cliJsonText(iamEvidence.authorizationDetails) },
      { path: `aws/${account}/oidc-providers.json`, content: cliJsonText(iamEvidence.oidcProviders) },
    );
    collectedAt.set(`aws/${account}/iam-authorization-details.json`, iamAt);
    collectedAt.set(`aws/${account}/oidc-providers.json`, iamAt);
    if (scope.id !== undefined) {
      progress(`irsa2pi: account ${scope.id}: ${tally.clusters} clusters, ${tally.serviceAccounts} service accounts, ${tally.gaps} scan gaps`);
    }
  };

  if (opts.accounts === undefined) {
    await scanAccount({ id: undefined });
  } else {
    const selection = opts.accounts;
    const [{ OrganizationsClient }, { STSClient }] = await Promise.all([import('@aws-sdk/client-organizations'), import('@aws-sdk/client-sts')]);
    let org: InstanceType<typeof OrganizationsClient> | undefined;
    let ids: string[];
    try {
      ids = await selectedAccounts(selection, opts.organizationsPageSize, () => {
        org = new OrganizationsClient({ ...sdk, region: home });
        record(org as unknown as Middlewared, 'organizations', opts.onAwsOperation);
        return org;
      });
    } catch (e) {
      throw new InputError(
        `cannot list the accounts of the organisation (organizations:${selection.ou !== undefined ? 'ListAccountsForParent, ListChildren' : 'ListAccounts'}): ${errorLine(e)}`,
      );
    } finally {
      org?.destroy();
    }
    if (ids.length === 0)
      throw new InputError(
        selection.ou !== undefined ? `organisational unit ${selection.ou} and the units below it have no active account` : 'no account to scan',
      );
    let accountsDone = 0;
    const finished = (): void => opts.onAccounts?.(++accountsDone, ids.length);
    opts.onAccounts?.(0, ids.length);
    const sts = new STSClient({ ...sdk, region: home });
    record(sts as unknown as Middlewared, 'sts', opts.onAwsOperation);
    try {
      let own: string | undefined;
      try {
        own = await callerAccount(sts);
      } catch (e) {
        throw new InputError(`cannot identify the caller's account (sts:GetCallerIdentity): ${errorLine(e)}`);
      }
      await Promise.all(
        ids.map(async (id) => {
          try {
            if (id === own) {
              await scanAccount({ id });
              return;
            }
            let credentials: () => Promise<AccountCredentials>;
            try {
              credentials = await run(() => assumeInto(sts, selection, id, home));
            } catch (e) {
              accountGap(id, `cannot assume role ${selection.assumeRole}: ${errorLine(e)}`);
              return;
            }
            await scanAccount({ id, credentials });
          } finally {
            finished();
          }
        }),
      );
    } finally {
      sts.destroy();
    }
  }

  for (const name of wantedClusters) {
    if (!found.has(name) && !gaps.some((g) => g.scope !== 'cluster')) {
      gaps.push({ scope: 'cluster', name, region: fixedRegions ? fixedRegions.join(',') : ALL_REGIONS, error: `cluster not found in ${regionsText}` });
      progress(`irsa2pi: ${name}: scan gap: cluster not found in ${regionsText}`);
    }
  }

  for (const k of kubernetesFiles) {
    const places = placesByName.get(k.name) ?? new Set<string>();
    const accounts = new Set([...places].map((p) => p.split('|')[0]));
    const folder = accounts.size > 1 ? `${k.account}.${k.region}.${k.name}` : places.size > 1 ? `${k.region}.${k.name}` : k.name;
    clusterFiles.push({ path: `kubernetes/${folder}/resources.json`, content: k.content });
    collectedAt.set(`kubernetes/${folder}/resources.json`, k.at);
  }
  const files: EmittedFile[] = [...accountFiles.sort((a, b) => compareText(a.path, b.path)), ...clusterFiles.sort((a, b) => compareText(a.path, b.path))];
  const gapKey = (g: ScanGap) => `${g.scope}|${g.account ?? ''}|${g.region}|${g.name}`;
  const sortedGaps = [...gaps].sort((a, b) => compareText(gapKey(a), gapKey(b)));
  if (sortedGaps.length > 0) files.push({ path: SCAN_GAPS_FILE, content: `${JSON.stringify({ irsa2piScanGaps: sortedGaps }, null, 2)}\n` });
  const times = Object.fromEntries(
    files.flatMap((f) => {
      const at = collectedAt.get(f.path);
      return at !== undefined ? [[f.path, at] as const] : [];
    }),
  );
  const collection = { irsa2piCollection: { collector: 'irsa2pi collect', startedAt, finishedAt: now(), files: times } };
  files.push({ path: COLLECTION_FILE, content: `${JSON.stringify(collection, null, 2)}\n` });
  return { files, gaps: sortedGaps };
}
