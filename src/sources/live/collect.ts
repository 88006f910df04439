/**
 * `irsa2pi collect`: reads IAM, EKS and each cluster's Kubernetes API (read-only) and returns an
 * evidence bundle in the README's layout, with unreachable clusters and failed regions as scan gaps.
 * @module
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../../errors.js';
import type { EmittedFile } from '../../emit/types.js';
import { collectCluster, collectIam, listClusters, type ClusterEvidence } from './aws.js';
import { cliJsonText } from './cli-json.js';
import { contextFor, explicitContexts, type ContextServer } from './contexts.js';
import { kubeListJson, listClusterObjects, listClusterObjectsDirect } from './kubernetes.js';
import { mintEksToken, type AwsCredentials } from './eks-token.js';
import { limiter } from './limit.js';
import { DEFAULT_DEADLINES, type RequestDeadlines } from './deadlines.js';
import { addBodyDeadline, awsClientSettings } from './aws-deadlines.js';
import { compareText } from '../../order.js';

/** A part of the estate that could not be read. Written to `scan-gaps.json`. */
export interface ScanGap {
  readonly scope: 'cluster' | 'region';
  readonly name: string;
  readonly region: string;
  readonly error: string;
}

/** Name of the scan-gap file at the bundle root. */
export const SCAN_GAPS_FILE = 'scan-gaps.json';

/** Name of the file at the bundle root recording when each file was collected. */
export const COLLECTION_FILE = 'collection.json';

const now = () => new Date().toISOString();

/** Options for {@link collectEvidence}. */
export interface CollectOptions {
  /** Regions to scan; empty: the SDK's configured default region. */
  readonly regions?: readonly string[];
  /** Only these clusters (by name); empty: every cluster of the regions. */
  readonly clusters?: readonly string[];
  /** `--context` values: `NAME=CTX`, or bare contexts paired with {@link clusters} in order. */
  readonly contexts?: readonly string[];
  /** One line per cluster (no newline). */
  readonly progress?: (line: string) => void;
  /** Regions and clusters read at once (default 4). */
  readonly concurrency?: number;
  /** Connect and whole-request deadlines of every AWS and Kubernetes request (default {@link DEFAULT_DEADLINES}). */
  readonly deadlines?: RequestDeadlines;
  /** Kubernetes `limit` (default 500). */
  readonly kubePageSize?: number;
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
  const err = e as { name?: unknown; message?: unknown; code?: unknown };
  const message = typeof err?.message === 'string' && err.message !== '' ? err.message : String(e);
  const name = typeof err?.name === 'string' && err.name !== 'Error' && !message.startsWith(err.name) ? `${err.name}: ` : '';
  return `${name}${message}`.split('\n')[0]!.slice(0, 500);
}

type Middlewared = { middlewareStack: { add: (mw: unknown, opts: { step: 'initialize'; name: string }) => void } };

function record(client: Middlewared, service: string, onOp: ((op: string) => void) | undefined): void {
  if (!onOp) return;
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      onOp(`${service}:${String(context.commandName ?? 'Unknown').replace(/Command$/, '')}`);
      return next(args);
    },
    { step: 'initialize', name: 'irsa2piRecordOperation' },
  );
}

/** Collects the evidence; throws {@link InputError} when no region is configured or IAM cannot be read. */
export async function collectEvidence(opts: CollectOptions = {}): Promise<CollectResult> {
  const [{ IAMClient }, { EKSClient }, kube] = await Promise.all([
    import('@aws-sdk/client-iam'),
    import('@aws-sdk/client-eks'),
    import('@kubernetes/client-node'),
  ]);
  const startedAt = now();
  const progress = opts.progress ?? (() => {});
  const deadlines = opts.deadlines ?? DEFAULT_DEADLINES;
  const sdk = awsClientSettings(deadlines);

  let regions = [...new Set(opts.regions ?? [])];
  if (regions.length === 0) {
    let configured: string | undefined;
    try {
      configured = await new EKSClient({}).config.region();
    } catch {
      configured = undefined;
    }
    if (!configured) throw new InputError('no AWS region: give --region, or set AWS_REGION or a default region in the AWS config');
    regions = [configured];
  }
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

  const iam: IAMClient = new IAMClient({ ...sdk, region: regions[0] });
  record(iam as unknown as Middlewared, 'iam', opts.onAwsOperation);
  addBodyDeadline(iam, deadlines);
  let iamEvidence;
  let iamAt: string;
  try {
    iamEvidence = await collectIam(iam);
    iamAt = now();
  } catch (e) {
    throw new InputError(`cannot read IAM (GetAccountAuthorizationDetails, ListOpenIDConnectProviders): ${errorLine(e)}`);
  } finally {
    iam.destroy();
  }

  const run = limiter(Math.max(1, opts.concurrency ?? 4));
  const gaps: ScanGap[] = [];
  const clusterFiles: EmittedFile[] = [];
  /** When each file's content was read, by its path. */
  const collectedAt = new Map<string, string>();
  /** Each cluster's Kubernetes objects; its folder is known once every region is scanned. */
  const kubernetesFiles: { region: string; name: string; content: string; at: string }[] = [];
  const regionsByName = new Map<string, Set<string>>();
  const found = new Set<string>();
  const clusterAccounts: string[] = [];

  const scanCluster = async (eks: EKSClient, region: string, name: string): Promise<void> => {
    let evidence: ClusterEvidence;
    try {
      evidence = await collectCluster(eks, name, { associationPageSize: opts.associationPageSize });
    } catch (e) {
      gaps.push({ scope: 'cluster', name, region, error: errorLine(e) });
      progress(`irsa2pi: ${region}/${name}: scan gap: ${errorLine(e)}`);
      return;
    }
    const awsAt = now();
    clusterAccounts.push(evidence.accountId);
    const dir = `aws/${evidence.accountId}/${region}`;
    const awsFile = (path: string, content: string) => {
      clusterFiles.push({ path, content });
      collectedAt.set(path, awsAt);
    };
    awsFile(`${dir}/cluster-${name}.json`, cliJsonText(evidence.cluster));
    const regionsOfName = regionsByName.get(name);
    if (regionsOfName) regionsOfName.add(region);
    else regionsByName.set(name, new Set([region]));
    for (const a of evidence.addons) awsFile(`${dir}/addon-${name}-${a.name}.json`, cliJsonText(a.doc));
    for (const a of evidence.associations) awsFile(`${dir}/pod-identity-association-${a.id}.json`, cliJsonText(a.doc));
    const aws = `${evidence.addons.length} add-ons, ${evidence.associations.length} associations`;
    const context = contextFor(evidence, explicit, contexts);
    if (context === undefined) {
      // No kubeconfig context: connect to the endpoint directly with the CA from DescribeCluster and
      // the token `aws eks get-token` would make, signed with the EKS client's own credentials.
      const noContext = `no kubeconfig context reaches ${evidence.endpoint ?? 'the cluster endpoint'}; give --context ${name}=CONTEXT`;
      if (!evidence.endpoint) {
        gaps.push({ scope: 'cluster', name, region, error: noContext });
        progress(`irsa2pi: ${region}/${name}: ${aws}; scan gap: ${noContext}`);
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
        kubernetesFiles.push({ region, name, content: kubeListJson(items), at: now() });
        progress(`irsa2pi: ${region}/${name}: ${aws}, ${items.length} Kubernetes objects (endpoint, EKS token)`);
      } catch (e) {
        const error = `${noContext} (direct EKS token authentication failed: ${errorLine(e)})`;
        gaps.push({ scope: 'cluster', name, region, error });
        progress(`irsa2pi: ${region}/${name}: ${aws}; scan gap: ${error}`);
      }
      return;
    }
    try {
      const items = await listClusterObjects(loadKubeConfig, context, { limit: opts.kubePageSize, deadlines });
      kubernetesFiles.push({ region, name, content: kubeListJson(items), at: now() });
      progress(`irsa2pi: ${region}/${name}: ${aws}, ${items.length} Kubernetes objects (context ${context})`);
    } catch (e) {
      gaps.push({ scope: 'cluster', name, region, error: `Kubernetes API (context ${context}): ${errorLine(e)}` });
      progress(`irsa2pi: ${region}/${name}: ${aws}; scan gap: Kubernetes API (context ${context}): ${errorLine(e)}`);
    }
  };

  const scanRegion = async (region: string): Promise<void> => {
    const eks: EKSClient = new EKSClient({ ...sdk, region });
    record(eks as unknown as Middlewared, 'eks', opts.onAwsOperation);
    addBodyDeadline(eks, deadlines);
    try {
      let names: string[];
      try {
        names = await run(() => listClusters(eks));
      } catch (e) {
        gaps.push({ scope: 'region', name: region, region, error: errorLine(e) });
        progress(`irsa2pi: ${region}: scan gap: ${errorLine(e)}`);
        return;
      }
      const selected = wantedClusters.size > 0 ? names.filter((n) => wantedClusters.has(n)) : names;
      selected.forEach((n) => found.add(n));
      await Promise.all(selected.map((n) => run(() => scanCluster(eks, region, n))));
    } finally {
      eks.destroy();
    }
  };
  await Promise.all(regions.map(scanRegion));

  for (const name of wantedClusters) {
    if (!found.has(name) && !gaps.some((g) => g.scope === 'region')) {
      gaps.push({ scope: 'cluster', name, region: regions.join(','), error: `cluster not found in ${regions.join(', ')}` });
      progress(`irsa2pi: ${name}: scan gap: cluster not found in ${regions.join(', ')}`);
    }
  }

  for (const k of kubernetesFiles) {
    const folder = (regionsByName.get(k.name)?.size ?? 0) > 1 ? `${k.region}.${k.name}` : k.name;
    clusterFiles.push({ path: `kubernetes/${folder}/resources.json`, content: k.content });
    collectedAt.set(`kubernetes/${folder}/resources.json`, k.at);
  }
  const account = iamEvidence.accountId ?? clusterAccounts.sort()[0] ?? 'unknown-account';
  const files: EmittedFile[] = [
    { path: `aws/${account}/iam-authorization-details.json`, content: cliJsonText(iamEvidence.authorizationDetails) },
    { path: `aws/${account}/oidc-providers.json`, content: cliJsonText(iamEvidence.oidcProviders) },
    ...clusterFiles.sort((a, b) => compareText(a.path, b.path)),
  ];
  const sortedGaps = [...gaps].sort((a, b) => compareText(`${a.scope}|${a.region}|${a.name}`, `${b.scope}|${b.region}|${b.name}`));
  if (sortedGaps.length > 0) files.push({ path: SCAN_GAPS_FILE, content: `${JSON.stringify({ irsa2piScanGaps: sortedGaps }, null, 2)}\n` });
  collectedAt.set(files[0]!.path, iamAt);
  collectedAt.set(files[1]!.path, iamAt);
  const times = Object.fromEntries(files.flatMap((f) => (collectedAt.has(f.path) ? [[f.path, collectedAt.get(f.path)!]] : [])));
  const collection = { irsa2piCollection: { collector: 'irsa2pi collect', startedAt, finishedAt: now(), files: times } };
  files.push({ path: COLLECTION_FILE, content: `${JSON.stringify(collection, null, 2)}\n` });
  return { files, gaps: sortedGaps };
}
