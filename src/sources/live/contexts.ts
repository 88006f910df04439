/**
 * Which kubeconfig context reaches which EKS cluster.
 * @module
 */
import { InputError } from '../../errors.js';
import { compareText } from '../../order.js';

/** A kubeconfig context and the server its cluster points at. */
export interface ContextServer {
  readonly name: string;
  readonly server: string | undefined;
}

function normaliseServer(s: string): string {
  try {
    const u = new URL(s);
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return s.replace(/\/+$/, '').toLowerCase();
  }
}

/**
 * Parses `--context` values against `--cluster` names: `NAME=CTX` names the cluster explicitly;
 * a bare `CTX` pairs with the `--cluster` at the same position. Returns cluster name → context.
 */
export function explicitContexts(contexts: readonly string[], clusters: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  let bare = 0;
  for (const c of contexts) {
    const eq = c.indexOf('=');
    if (eq > 0) {
      out.set(c.slice(0, eq), c.slice(eq + 1));
      continue;
    }
    const cluster = clusters[bare++];
    if (cluster === undefined)
      throw new InputError(`--context ${JSON.stringify(c)} has no --cluster to pair with; give --cluster NAME in the same order, or --context NAME=CTX`);
    out.set(cluster, c);
  }
  return out;
}

/**
 * The context for an EKS cluster: the one named explicitly (by cluster name or ARN), else the only
 * context whose cluster server equals the cluster's endpoint; undefined when none (then `collect`
 * connects to the endpoint directly with an EKS token, and records a scan gap only if that fails).
 */
export function contextFor(
  cluster: { name: string; arn: string; endpoint: string | undefined },
  explicit: ReadonlyMap<string, string>,
  contexts: readonly ContextServer[],
): string | undefined {
  const named = explicit.get(cluster.arn) ?? explicit.get(cluster.name);
  if (named !== undefined) return named;
  if (!cluster.endpoint) return undefined;
  const want = normaliseServer(cluster.endpoint);
  const matches = contexts.filter((c) => c.server !== undefined && normaliseServer(c.server) === want);
  const [first] = [...matches].sort((a, b) => compareText(a.name, b.name));
  return first?.name;
}
