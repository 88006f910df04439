import type { Cluster } from '../model/inventory.js';
import { displayIdentity, isMigrating, type Candidate } from './identities.js';
import type { PlannedRole, Step } from './model.js';
import { compareText } from '../order.js';

/** A step before it is numbered: each variant of {@link Step} without its `id`. */
type StepDraft = Step extends infer S ? (S extends Step ? Omit<S, 'id'> : never) : never;

/** Whether two phases of a role's trust differ: the same object never does, minified sizes that differ always do. */
function differs(role: PlannedRole, a: keyof PlannedRole['trustSize'], b: keyof PlannedRole['trustSize']): boolean {
  const [x, y] = [role.trustPolicy[a], role.trustPolicy[b]];
  return x !== y && (role.trustSize[a] !== role.trustSize[b] || JSON.stringify(x) !== JSON.stringify(y));
}

/**
 * The migration in order: agent and chaining roles, transition trust, associations (or add-on
 * updates), annotation removal with restarts, verification, then the final trust.
 */
export function planSteps(candidates: readonly Candidate[], roles: readonly PlannedRole[], agentMissing: readonly Cluster[]): Step[] {
  const steps: Step[] = [];
  const nextId = () => `s${String(steps.length + 1).padStart(3, '0')}`;
  const add = (d: StepDraft) => steps.push({ id: nextId(), ...d });
  for (const c of agentMissing) {
    add({
      phase: 'prepare',
      action: 'install-agent',
      cluster: c.name,
      clusterArn: c.arn,
      addon: 'eks-pod-identity-agent',
      description: `Install the eks-pod-identity-agent add-on on ${c.name}`,
    });
  }
  for (const r of roles.filter((r) => r.kind === 'new')) {
    add({
      phase: 'prepare',
      action: 'create-role',
      roleArn: r.arn,
      targetRoleArn: r.chainsTo,
      description: `Create ${r.arn}, allowed to chain into ${r.chainsTo}`,
    });
  }
  const transitionOrder = [...roles].sort((a, b) => Number(b.kind === 'new') - Number(a.kind === 'new') || compareText(a.arn, b.arn));
  for (const r of transitionOrder.filter((r) => r.kind === 'existing' && differs(r, 'current', 'transition'))) {
    add({
      phase: 'transition',
      action: 'update-trust',
      roleArn: r.arn,
      description: `Add Pod Identity admission to ${r.arn}'s trust (${r.migrated.length === 1 ? '1 identity' : `${String(r.migrated.length)} identities`}), keeping every current statement`,
    });
  }
  const migrating = candidates.filter(isMigrating);
  const addonGroups = new Map<string, { readonly addon: string; readonly cluster: Cluster; readonly candidates: Candidate[] }>();
  for (const c of migrating.filter((c) => c.decision.kind === 'create')) {
    if (c.via === 'addon' && c.addon) {
      const key = `${c.cluster.arn}|${c.addon.name}`;
      const group = addonGroups.get(key);
      if (group) group.candidates.push(c);
      else addonGroups.set(key, { addon: c.addon.name, cluster: c.cluster, candidates: [c] });
      continue;
    }
    add({
      phase: 'associate',
      action: 'create-association',
      cluster: c.cluster.name,
      clusterArn: c.cluster.arn,
      namespace: c.identity.namespace,
      serviceAccount: c.identity.serviceAccount,
      roleArn: c.chainRoleArn ?? c.annotatedRoleArn,
      targetRoleArn: c.chainRoleArn ? c.annotatedRoleArn : undefined,
      description: `Associate ${displayIdentity(c.identity)} with ${c.chainRoleArn ? `${c.chainRoleArn} → ${c.annotatedRoleArn}` : c.annotatedRoleArn}`,
    });
  }
  for (const { addon, cluster, candidates: group } of addonGroups.values()) {
    add({
      phase: 'associate',
      action: 'update-addon',
      cluster: cluster.name,
      clusterArn: cluster.arn,
      addon,
      podIdentityAssociations: group.map((g) => ({ namespace: g.identity.namespace, serviceAccount: g.identity.serviceAccount, roleArn: g.annotatedRoleArn })),
      description: `Update add-on ${addon} on ${cluster.name} with podIdentityAssociations for ${group.map((g) => g.identity.serviceAccount).join(', ')}`,
    });
  }
  for (const c of migrating) {
    const { name: cluster, arn: clusterArn } = c.cluster;
    const { namespace, serviceAccount } = c.identity;
    steps.push({
      id: nextId(),
      cluster,
      clusterArn,
      namespace,
      serviceAccount,
      phase: 'cutover',
      action: 'remove-annotation',
      roleArn: c.annotatedRoleArn,
      description: `Remove eks.amazonaws.com/role-arn from ${displayIdentity(c.identity)}`,
    });
    const restartable = c.workloads.filter((w) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(w.kind));
    if (c.workloads.length) {
      steps.push({
        id: nextId(),
        cluster,
        clusterArn,
        namespace,
        serviceAccount,
        phase: 'cutover',
        action: 'restart-workloads',
        workloads: c.workloads,
        description:
          restartable.length === c.workloads.length
            ? `Restart ${c.workloads.map((w) => `${w.kind}/${w.name}`).join(', ')}`
            : `Restart ${restartable.map((w) => `${w.kind}/${w.name}`).join(', ') || 'nothing restartable'}; pods of ${c.workloads
                .filter((w) => !restartable.includes(w))
                .map((w) => `${w.kind}/${w.name}`)
                .join(', ')} pick up Pod Identity when next created`,
      });
    }
  }
  const verifyClusters = new Map(migrating.map((c) => [c.cluster.arn, c.cluster]));
  for (const cl of [...verifyClusters.values()].sort((a, b) => compareText(a.name, b.name))) {
    add({
      phase: 'verify',
      action: 'verify',
      cluster: cl.name,
      clusterArn: cl.arn,
      description: `Check that new pods on ${cl.name} carry AWS_CONTAINER_CREDENTIALS_FULL_URI and no AWS_ROLE_ARN`,
    });
  }
  for (const r of roles.filter((r) => differs(r, 'transition', 'final'))) {
    add({
      phase: 'finalize',
      action: 'finalize-trust',
      roleArn: r.arn,
      description: `Remove IRSA admission for the migrated identities from ${r.arn}'s trust`,
    });
  }
  return steps;
}
