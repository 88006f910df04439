import type { KubernetesState, OwnerRef, Pod, Workload, WorkloadRef } from '../model/inventory.js';
import { pushIn } from '../group.js';
import { compareText } from '../order.js';

/** Lists keyed by namespace, then by a name in it; no key strings are built per object. */
type ByNamespace<V> = Map<string, Map<string, V[]>>;

/** Finds the pods and top-level workloads that use each service account of one cluster. */
export class WorkloadIndex {
  /** Workloads that have an owner, the only ones looked up. */
  private readonly owned: ByNamespace<Workload> = new Map();
  private readonly podsBySa: ByNamespace<Pod> = new Map();
  private readonly templatesBySa: ByNamespace<Workload> = new Map();

  constructor(state: KubernetesState) {
    for (const w of state.workloads) {
      if (!w.owner) {
        pushIn(this.templatesBySa, w.namespace, w.serviceAccount, w);
        continue;
      }
      pushIn(this.owned, w.namespace, w.name, w);
    }
    for (const p of state.pods) pushIn(this.podsBySa, p.namespace, p.serviceAccount, p);
  }

  pods(namespace: string, serviceAccount: string): readonly Pod[] {
    return this.podsBySa.get(namespace)?.get(serviceAccount) ?? [];
  }

  private ownerOf(kind: string, namespace: string, name: string): OwnerRef | undefined {
    const named = this.owned.get(namespace)?.get(name) ?? [];
    for (let i = named.length - 1; i >= 0; i--) {
      const w = named[i];
      if (w?.kind === kind) return w.owner;
    }
    return undefined;
  }

  /** The top owner of a pod: ReplicaSet → Deployment, Job → CronJob; the pod itself when it has none. */
  topOwner(pod: Pod): WorkloadRef {
    let ref: WorkloadRef = { kind: 'Pod', namespace: pod.namespace, name: pod.name };
    let owner = pod.owner;
    for (let depth = 0; owner && depth < 8; depth++) {
      if (owner.kind === 'Node') break;
      ref = { kind: owner.kind, namespace: pod.namespace, name: owner.name };
      owner = this.ownerOf(owner.kind, pod.namespace, owner.name);
    }
    return ref;
  }

  /** Every top-level workload using the service account, from its pods and from pod templates. */
  workloadsOf(namespace: string, serviceAccount: string): WorkloadRef[] {
    const refs = new Map<string, WorkloadRef>();
    for (const pod of this.pods(namespace, serviceAccount)) {
      const ref = this.topOwner(pod);
      refs.set(`${ref.kind}/${ref.name}`, ref);
    }
    for (const w of this.templatesBySa.get(namespace)?.get(serviceAccount) ?? []) {
      refs.set(`${w.kind}/${w.name}`, { kind: w.kind, namespace: w.namespace, name: w.name });
    }
    return [...refs.values()].sort((a, b) => compareText(a.kind, b.kind) || compareText(a.name, b.name));
  }
}
