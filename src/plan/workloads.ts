import type { KubernetesState, Pod, Workload } from '../model/inventory.js';
import type { WorkloadRef } from './model.js';
import { push } from '../group.js';

/** Finds the pods and top-level workloads that use each service account of one cluster. */
export class WorkloadIndex {
  private readonly workloads = new Map<string, Workload>();
  private readonly podsBySa = new Map<string, Pod[]>();
  private readonly templatesBySa = new Map<string, Workload[]>();

  constructor(state: KubernetesState) {
    for (const w of state.workloads) {
      this.workloads.set(`${w.kind}/${w.namespace}/${w.name}`, w);
      if (!w.owner) push(this.templatesBySa, `${w.namespace}/${w.serviceAccount}`, w);
    }
    for (const p of state.pods) push(this.podsBySa, `${p.namespace}/${p.serviceAccount}`, p);
  }

  pods(namespace: string, serviceAccount: string): readonly Pod[] {
    return this.podsBySa.get(`${namespace}/${serviceAccount}`) ?? [];
  }

  /** The top owner of a pod: ReplicaSet → Deployment, Job → CronJob; the pod itself when it has none. */
  topOwner(pod: Pod): WorkloadRef {
    let ref: WorkloadRef = { kind: 'Pod', namespace: pod.namespace, name: pod.name };
    let owner = pod.owner;
    for (let depth = 0; owner && depth < 8; depth++) {
      if (owner.kind === 'Node') break;
      ref = { kind: owner.kind, namespace: pod.namespace, name: owner.name };
      owner = this.workloads.get(`${owner.kind}/${pod.namespace}/${owner.name}`)?.owner;
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
    for (const w of this.templatesBySa.get(`${namespace}/${serviceAccount}`) ?? []) {
      refs.set(`${w.kind}/${w.name}`, { kind: w.kind, namespace: w.namespace, name: w.name });
    }
    return [...refs.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  }
}
