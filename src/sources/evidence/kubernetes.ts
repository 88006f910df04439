import type { KubernetesState, Node, OwnerRef, Pod, ServiceAccount, Workload } from '../../model/inventory.js';
import { DEFAULT_AUDIENCE } from '../../iam/requests.js';
import { EMPTY_MAP, Fields } from './fields.js';
import { streamListItems } from './json-items.js';
import type { ItemSink, ListHead } from './list-items.js';
import { streamYamlListItems, type YamlParser } from './yaml-items.js';
import { compareText } from '../../order.js';

export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
export const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** Whether a parsed document is a Kubernetes object or list (has `apiVersion` and `kind`). */
export function isKubernetesDocument(doc: unknown): boolean {
  return (
    typeof doc === 'object' &&
    doc !== null &&
    typeof (doc as Record<string, unknown>).apiVersion === 'string' &&
    typeof (doc as Record<string, unknown>).kind === 'string'
  );
}

/** The kind a `…List` implies for items that leave theirs out (none for a plain `List`). */
const impliedKindOf = (listKind: string) => (listKind === 'List' ? undefined : listKind.slice(0, -'List'.length));

/** The objects of a document: a `List`/`…List` is unwrapped, a single object stands alone. */
export function kubernetesObjects(doc: Record<string, unknown>, file: string, where: string): Fields[] {
  const kind = doc.kind as string;
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(doc.items))) return Fields.of(file, doc, where).objects('items', impliedKindOf(kind));
  return [Fields.of(file, doc, where)];
}

/** A collector for the items of one List file, and what hands each item to it. */
function listItems(file: string): { staged: KubernetesCollector; onItem: ItemSink } {
  const staged = new KubernetesCollector();
  const list = Fields.of(file, {}, '$');
  const onItem: ItemSink = (item, index, { kind }) => {
    if (typeof kind === 'string' && !kind.endsWith('List')) throw new Error('not a List: read whole');
    const listed = typeof kind === 'string';
    if (!listed && (typeof item !== 'object' || item === null || (item as Record<string, unknown>).kind === undefined))
      throw new Error('the item kind waits on the list kind');
    staged.add(list.element('items', index, item, listed ? impliedKindOf(kind) : undefined));
  };
  return { staged, onItem };
}

const isList = (head: ListHead | undefined) => head !== undefined && isKubernetesDocument(head) && (head.kind as string).endsWith('List');

/**
 * The objects of a kubectl JSON `List` (or `…List`) file, read one item at a time instead of parsing
 * the whole file; undefined when the file is anything else or does not read cleanly, so that the caller
 * reads it whole, for the same outcome or the error that reading gives.
 */
export function streamKubernetesList(path: string, file: string, maxBytes: number): KubernetesCollector | undefined {
  const { staged, onItem } = listItems(file);
  return isList(streamListItems(path, onItem, maxBytes)) ? staged : undefined;
}

/**
 * The objects of a kubectl `-o yaml` `List` (or `…List`), its text parsed one entry at a time; undefined
 * when the text is anything else or does not read cleanly that way, so that the caller parses it whole,
 * for the same outcome or the error that parsing gives.
 */
export function streamKubernetesYamlList(text: string, file: string, parser: YamlParser): KubernetesCollector | undefined {
  const { staged, onItem } = listItems(file);
  return isList(streamYamlListItems(text, parser, onItem)) ? staged : undefined;
}

function ownerOf(meta: Fields): OwnerRef | undefined {
  const owners = meta.objects('ownerReferences');
  const controller = owners.find((o) => o.value.controller === true) ?? owners[0];
  return controller ? { kind: controller.str('kind'), name: controller.str('name'), uid: controller.optStr('uid') } : undefined;
}

function templateServiceAccount(spec: Fields | undefined): string {
  const podSpec = spec?.optObj('template')?.optObj('spec');
  return podSpec?.optStr('serviceAccountName') || podSpec?.optStr('serviceAccount') || 'default';
}

/** Accumulates the objects of one cluster from any number of documents. */
export class KubernetesCollector {
  private readonly serviceAccounts: ServiceAccount[] = [];
  private readonly pods: Pod[] = [];
  private readonly nodes: Node[] = [];
  private readonly workloads: Workload[] = [];
  private readonly sources = new Set<string>();

  add(object: Fields): void {
    this.sources.add(object.file);
    const kind = object.value.kind === undefined ? object.impliedKind : object.optStr('kind');
    const meta = object.obj('metadata');
    switch (kind) {
      case 'ServiceAccount': {
        const annotations = meta.stringMap('annotations');
        this.serviceAccounts.push({
          namespace: meta.optStr('namespace') ?? 'default',
          name: meta.str('name'),
          annotations,
          roleArn: annotations[ROLE_ARN_ANNOTATION]?.trim() || undefined,
          audience: annotations[AUDIENCE_ANNOTATION]?.trim() || DEFAULT_AUDIENCE,
        });
        return;
      }
      case 'Pod': {
        const spec = object.optObj('spec');
        this.pods.push({
          namespace: meta.optStr('namespace') ?? 'default',
          name: meta.str('name'),
          uid: meta.optStr('uid'),
          serviceAccount: spec?.optStr('serviceAccountName') || spec?.optStr('serviceAccount') || 'default',
          nodeName: spec?.optStr('nodeName') || undefined,
          labels: meta.stringMap('labels'),
          nodeSelector: spec?.stringMap('nodeSelector') ?? EMPTY_MAP,
          owner: ownerOf(meta),
          phase: object.optObj('status')?.optStr('phase'),
        });
        return;
      }
      case 'Node': {
        const labels = meta.stringMap('labels');
        const name = meta.str('name');
        const nodeInfoOs = object.optObj('status')?.optObj('nodeInfo')?.optStr('operatingSystem');
        this.nodes.push({
          name,
          labels,
          os: labels['kubernetes.io/os'] ?? labels['beta.kubernetes.io/os'] ?? nodeInfoOs ?? 'linux',
          fargate: labels['eks.amazonaws.com/compute-type'] === 'fargate' || name.startsWith('fargate-'),
        });
        return;
      }
      default:
        if (kind && WORKLOAD_KINDS.has(kind)) {
          const spec = object.optObj('spec');
          this.workloads.push({
            kind,
            namespace: meta.optStr('namespace') ?? 'default',
            name: meta.str('name'),
            uid: meta.optStr('uid'),
            owner: ownerOf(meta),
            serviceAccount: templateServiceAccount(kind === 'CronJob' ? spec?.optObj('jobTemplate')?.optObj('spec') : spec),
          });
        }
    }
  }

  /** Adds, after this collector's own, every object `other` collected. */
  absorb(other: KubernetesCollector): void {
    for (const s of other.serviceAccounts) this.serviceAccounts.push(s);
    for (const p of other.pods) this.pods.push(p);
    for (const n of other.nodes) this.nodes.push(n);
    for (const w of other.workloads) this.workloads.push(w);
    for (const source of other.sources) this.sources.add(source);
  }

  result(): KubernetesState {
    const byName = <T extends { namespace?: string; name: string }>(a: T, b: T) =>
      compareText(a.namespace ?? '', b.namespace ?? '') || compareText(a.name, b.name);
    return {
      serviceAccounts: dedupe(this.serviceAccounts, (s) => `${s.namespace}/${s.name}`).sort(byName),
      pods: dedupe(this.pods, (p) => `${p.namespace}/${p.name}`).sort(byName),
      nodes: dedupe(this.nodes, (n) => n.name).sort(byName),
      workloads: dedupe(this.workloads, (w) => `${w.kind}/${w.namespace}/${w.name}`).sort((a, b) => compareText(a.kind, b.kind) || byName(a, b)),
      sources: [...this.sources].sort(),
    };
  }
}

function dedupe<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (!seen.has(k)) seen.set(k, item);
  }
  return [...seen.values()];
}
