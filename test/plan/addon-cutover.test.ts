import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/plan.js';
import { associationOf, cluster, inventory, irsaStatement, role, serviceAccount } from '../helpers/inventory.js';

const CNI = 'arn:aws:iam::111122223333:role/cni';

function addonOf(c: ReturnType<typeof cluster>, podIdentityAssociations: string[] = []) {
  return {
    name: 'vpc-cni',
    clusterName: c.name,
    clusterArn: c.arn,
    version: 'v1.18.0',
    serviceAccountRoleArn: CNI,
    namespace: undefined,
    podIdentityAssociations,
    source: 'builder',
  };
}

/** What the plan does, at cut-over, to one service account's annotation: a kubectl removal, or an add-on update that lists it. */
function movedBy(p: ReturnType<typeof plan>, ns: string, sa: string): string[] {
  return p.steps.flatMap((st) => {
    if (st.action === 'remove-annotation' && st.namespace === ns && st.serviceAccount === sa) return ['remove-annotation'];
    if (st.action === 'update-addon' && st.podIdentityAssociations.some((a) => a.namespace === ns && a.serviceAccount === sa)) return ['update-addon'];
    return [];
  });
}

describe('add-on service accounts at cut-over', () => {
  it("a service account of the add-on's namespace that reuses the add-on's role but is not the add-on's own is still moved off IRSA", () => {
    // kube-system/cni-metrics-helper (installed by its own Helm chart) reuses vpc-cni's role. The add-on
    // manager only manages its own manifest (aws-node), so nothing the add-on does removes this
    // annotation or restarts these pods; since c66ce2c the scripts no longer do either.
    const c1 = cluster('c1', [serviceAccount('kube-system', 'aws-node', CNI), serviceAccount('kube-system', 'cni-metrics-helper', CNI)]);
    const r = role('cni', [
      irsaStatement(c1, 'StringEquals', ['system:serviceaccount:kube-system:aws-node', 'system:serviceaccount:kube-system:cni-metrics-helper']),
    ]);
    const p = plan({ ...inventory([c1], [r]), addons: [addonOf(c1)] }, { generatedAt: 'x' });
    const helper = p.associations.find((a) => a.serviceAccount === 'cni-metrics-helper')!;
    expect(['create', 'exists']).toContain(helper.status);
    // Either the plan removes its annotation itself, or it does not claim the add-on moves it.
    expect(movedBy(p, 'kube-system', 'cni-metrics-helper').includes('remove-annotation') || helper.via !== 'addon').toBe(true);
  });

  it('an add-on service account whose association already exists but is still annotated gets a step that takes it off IRSA', () => {
    // The association is there (status exists), so no update-addon step is planned; since c66ce2c no
    // remove-annotation step either: the plan migrates the identity with no step acting on it.
    const c1 = cluster('c1', [serviceAccount('kube-system', 'aws-node', CNI)]);
    const r = role('cni', [irsaStatement(c1, 'StringEquals', ['system:serviceaccount:kube-system:aws-node'])]);
    const made = associationOf(c1, 'kube-system', 'aws-node', CNI);
    const existing = { ...made, associationId: 'a-0123456789abcdefg', associationArn: made.associationArn.replace('a-aws-node', 'a-0123456789abcdefg') };
    const p = plan({ ...inventory([c1], [r]), associations: [existing], addons: [addonOf(c1, [existing.associationArn])] }, { generatedAt: 'x' });
    const node = p.associations.find((a) => a.serviceAccount === 'aws-node')!;
    expect(node.status).toBe('exists');
    expect(movedBy(p, 'kube-system', 'aws-node')).not.toEqual([]);
  });
});
