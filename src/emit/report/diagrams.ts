import type { ReportCluster, RoleMapping } from '../../report/model.js';
import { mermaidId, mermaidLabel } from '../templates.js';
import { at } from '../lookup.js';

/** What one Mermaid block may hold: Mermaid's default `maxTextSize` and `maxEdges`, which GitHub keeps. */
export interface DiagramLimits {
  readonly chars: number;
  readonly edges: number;
}

/** Mermaid's defaults: a larger diagram is not drawn ("Maximum text size in diagram exceeded", "Too many edges"). */
export const MERMAID_LIMITS: DiagramLimits = { chars: 50_000, edges: 500 };

/** A node label longer than this many characters is cut, with `…`; the tables keep the whole value. */
const LABEL_MAX = 200;

/** One Mermaid block of a cluster's diagrams. */
export interface DiagramPart {
  /** The namespace it draws, or null for the whole cluster in one block. */
  readonly namespace: string | null;
  /** `part i of n` when a namespace's summary takes several blocks. */
  readonly part: string | null;
  /** Whether it draws counts per role instead of each workload and service account. */
  readonly summarised: boolean;
  /** The mappings it stands for. */
  readonly mappings: number;
  readonly text: string;
}

/** The lines a group of mappings adds to a flowchart: its node declarations and its edges. */
interface Unit {
  readonly nodes: ReadonlyMap<string, string>;
  readonly edges: readonly string[];
}

function label(value: string, suffix = ''): string {
  const chars = Array.from(value);
  return mermaidLabel(chars.length > LABEL_MAX ? `${chars.slice(0, LABEL_MAX).join('')}…${suffix}` : `${value}${suffix}`);
}

function declare(nodes: Map<string, string>, prefix: string, key: string, text: string): string {
  const id = mermaidId(prefix, key);
  if (!nodes.has(id)) nodes.set(id, `  ${id}[${text}]`);
  return id;
}

function roleNode(nodes: Map<string, string>, m: RoleMapping): string {
  return declare(nodes, 'role', m.roleArn, label(m.roleName, m.admin ? ' (admin)' : ''));
}

function edgeLabel(m: Pick<RoleMapping, 'mechanism' | 'status'>, prefix = ''): string {
  return mermaidLabel(`${prefix}${m.status === 'active' ? m.mechanism : `${m.mechanism} ${m.status}`}`);
}

const arrow = (m: Pick<RoleMapping, 'status'>) => (m.status === 'active' ? '-->' : '-.->');

/** One mapping drawn in full: workload → service account → role. */
function mappingUnit(m: RoleMapping): Unit {
  const nodes = new Map<string, string>();
  const sa = declare(nodes, 'sa', `${m.namespace}/${m.serviceAccount}`, label(`${m.namespace}/${m.serviceAccount}`));
  const role = roleNode(nodes, m);
  const edges = m.workloads.map((w) => `  ${declare(nodes, 'wl', `${w.namespace}/${w.kind}/${w.name}`, label(`${w.kind}/${w.name}`))} --> ${sa}`);
  edges.push(`  ${sa} ${arrow(m)}|${edgeLabel(m)}| ${role}`);
  return { nodes, edges };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The mappings of one namespace to one role through one mechanism and status, drawn as counts. */
function summaryUnit(namespace: string, group: readonly RoleMapping[]): Unit {
  const nodes = new Map<string, string>();
  const first = at(group, 0);
  const ns = declare(nodes, 'ns', namespace, label(`namespace ${namespace}`));
  const role = roleNode(nodes, first);
  const workloads = group.reduce((n, m) => n + m.workloads.length, 0);
  const pods = group.reduce((n, m) => n + m.podCount, 0);
  const counts = `${plural(group.length, 'service account', 'service accounts')}, ${plural(workloads, 'workload', 'workloads')}, ${plural(pods, 'pod', 'pods')}: `;
  return { nodes, edges: [`  ${ns} ${arrow(first)}|${edgeLabel(first, counts)}| ${role}`] };
}

const HEAD = 'flowchart LR';

/** Flowcharts holding the units in order, as few as fit the limits; a unit is never split. */
function pack(units: readonly Unit[], limits: DiagramLimits): string[] {
  const charts: string[] = [];
  let nodes = new Map<string, string>();
  let edges = new Set<string>();
  let size = HEAD.length;
  for (const unit of units) {
    const fresh = [...unit.nodes].filter(([id]) => !nodes.has(id));
    const newEdges = [...new Set(unit.edges)].filter((e) => !edges.has(e));
    const added = [...fresh.map(([, line]) => line), ...newEdges].reduce((n, line) => n + line.length + 1, 0);
    if (edges.size > 0 && (size + added > limits.chars || edges.size + newEdges.length > limits.edges)) {
      charts.push([HEAD, ...nodes.values(), ...edges].join('\n'));
      nodes = new Map();
      edges = new Set();
      for (const [id, line] of unit.nodes) nodes.set(id, line);
      for (const e of unit.edges) edges.add(e);
      size = [...nodes.values(), ...edges].reduce((n, line) => n + line.length + 1, HEAD.length);
    } else {
      for (const [id, line] of fresh) nodes.set(id, line);
      for (const e of newEdges) edges.add(e);
      size += added;
    }
  }
  if (edges.size > 0) charts.push([HEAD, ...nodes.values(), ...edges].join('\n'));
  return charts;
}

/** Whether a flowchart is within the limits; every edge line is `  <id> -->` or `  <id> -.->`. */
function fits(chart: string, limits: DiagramLimits): boolean {
  return chart.length <= limits.chars && (chart.match(/^ {2}\w+ -\.?->/gm) ?? []).length <= limits.edges;
}

/** A Mermaid `flowchart LR` of one cluster: workload → service account → role, as one block whatever its size. */
export function clusterDiagram(cluster: ReportCluster): string {
  const units = cluster.mappings.map(mappingUnit);
  const nodes = new Map<string, string>();
  const edges = new Set<string>();
  for (const u of units) {
    for (const [id, line] of u.nodes) if (!nodes.has(id)) nodes.set(id, line);
    for (const e of u.edges) edges.add(e);
  }
  return [HEAD, ...nodes.values(), ...edges].join('\n');
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * A cluster's diagrams, each block within `limits`: the whole cluster in one when it fits; otherwise
 * one per namespace, and a namespace whose own diagram does not fit drawn as counts per role (service
 * accounts, workloads, pods), over as many blocks as those take.
 */
export function clusterDiagrams(cluster: ReportCluster, limits: DiagramLimits = MERMAID_LIMITS): DiagramPart[] {
  // Each mapping draws its own service account → role edge, so more mappings than edges cannot fit.
  if (cluster.mappings.length <= limits.edges) {
    const whole = clusterDiagram(cluster);
    if (fits(whole, limits)) return [{ namespace: null, part: null, summarised: false, mappings: cluster.mappings.length, text: whole }];
  }
  const parts: DiagramPart[] = [];
  for (const [namespace, mappings] of groupBy(cluster.mappings, (m) => m.namespace)) {
    const full = pack(mappings.map(mappingUnit), limits);
    const [only] = full;
    if (full.length === 1 && only !== undefined && fits(only, limits)) {
      parts.push({ namespace, part: null, summarised: false, mappings: mappings.length, text: only });
      continue;
    }
    const groups = [...groupBy(mappings, (m) => JSON.stringify([m.roleArn, m.mechanism, m.status])).values()];
    const charts = pack(
      groups.map((g) => summaryUnit(namespace, g)),
      limits,
    );
    charts.forEach((text, i) =>
      parts.push({ namespace, part: charts.length > 1 ? `part ${i + 1} of ${charts.length}` : null, summarised: true, mappings: mappings.length, text }),
    );
  }
  return parts;
}
