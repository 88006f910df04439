/**
 * Plays the EKS add-on manager for the e2e worlds: what an add-on does to its own service accounts
 * when its Pod Identity associations change. AWS's add-on guide: with the eks-pod-identity-agent
 * installed, "the serviceAccountRoleArn will be ignored, and EKS will use the provided pod identity
 * association", and updating an add-on's associations starts a rolling restart of its pods.
 * So a service account the add-on's associations list loses the add-on's IRSA annotation; one they no
 * longer list gets the add-on's `serviceAccountRoleArn` back; the workloads running either restart.
 * @module
 */
import { addonNamespace, type AddonAssociationsListener } from './eks-shim.js';
import type { KubeFake, KubeObject } from './kube-fake.js';

const ROLE_ARN = 'eks.amazonaws.com/role-arn';
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

interface PodTemplateOwner extends KubeObject {
  spec: { template: { metadata?: { annotations?: Record<string, string> }; spec?: { serviceAccountName?: string } } };
}

function restart(kube: KubeFake, namespace: string, serviceAccount: string): void {
  for (const o of kube.objects()) {
    if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind) || o.metadata.namespace !== namespace) continue;
    const w = o as PodTemplateOwner;
    if ((w.spec.template.spec?.serviceAccountName ?? 'default') !== serviceAccount) continue;
    const metadata = w.spec.template.metadata ?? {};
    w.spec.template.metadata = { ...metadata, annotations: { ...metadata.annotations, [RESTARTED_AT]: new Date().toISOString() } };
    kube.put(w);
  }
}

/**
 * The add-on manager over one Kubernetes fake per cluster name. It acts in the add-on's namespace
 * on service accounts annotated with the add-on's role.
 */
export function addonManager(kubes: Readonly<Record<string, KubeFake>>): AddonAssociationsListener {
  const moved = new Set<string>();
  return ({ addon, serviceAccounts }) => {
    const kube = kubes[addon.clusterName];
    const role = addon.serviceAccountRoleArn;
    if (!kube || !role) return;
    const namespace = addonNamespace(addon);
    const listed = new Set(serviceAccounts);
    for (const sa of kube.objects().filter((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === namespace)) {
      const name = sa.metadata.name;
      const key = `${addon.addonArn} ${name}`;
      const annotations = sa.metadata.annotations ?? {};
      let next: Record<string, string>;
      if (listed.has(name) && annotations[ROLE_ARN] === role) {
        next = Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== ROLE_ARN));
        moved.add(key);
      } else if (!listed.has(name) && moved.has(key)) {
        next = { ...annotations, [ROLE_ARN]: role };
        moved.delete(key);
      } else continue;
      kube.put({ ...sa, metadata: { ...sa.metadata, annotations: next } });
      restart(kube, namespace, name);
    }
  };
}
