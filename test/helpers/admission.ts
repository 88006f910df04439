import { evaluateTrust } from '../../src/iam/evaluate.js';
import { normalizeStatements, type PolicyDocument } from '../../src/iam/policy.js';
import { chainRequest, podIdentityRequest, type Identity } from '../../src/iam/requests.js';
import type { Inventory } from '../../src/model/inventory.js';
import type { Plan } from '../../src/plan/model.js';

/** A reference to an identity by cluster name, as fixtures' expect.json write it. */
export interface IdentitySpec {
  readonly roleArn: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** The identity for a spec; a cluster absent from the inventory becomes a fresh cluster in the same account and region. */
export function identityFor(inventory: Inventory, spec: IdentitySpec): Identity {
  const known = inventory.clusters.find((c) => c.name === spec.cluster);
  const model = known ?? inventory.clusters[0]!;
  const clusterArn = known?.arn ?? model.arn.replace(/cluster\/.*$/, `cluster/${spec.cluster}`);
  return {
    clusterArn,
    clusterName: spec.cluster,
    accountId: model.accountId,
    region: model.region,
    issuerHostPath: known?.issuerHostPath ?? `oidc.eks.${model.region}.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF`,
    namespace: spec.namespace,
    serviceAccount: spec.serviceAccount,
    audience: 'sts.amazonaws.com',
  };
}

function trustOf(plan: Plan, inventory: Inventory, arn: string, phase: 'transition' | 'final'): PolicyDocument | undefined {
  return plan.roles.find((r) => r.arn === arn)?.trustPolicy[phase] ?? inventory.roles.find((r) => r.arn === arn)?.trustPolicy;
}

/**
 * Whether EKS Pod Identity would hand `spec.roleArn` to the identity under the plan's trust at `phase`,
 * evaluated independently of the planner: directly, or through the plan's chaining role.
 */
export function podIdentityAdmits(plan: Plan, inventory: Inventory, spec: IdentitySpec, phase: 'transition' | 'final' = 'transition'): boolean {
  const identity = identityFor(inventory, spec);
  const target = trustOf(plan, inventory, spec.roleArn, phase);
  if (!target) return false;
  const roleAccount = spec.roleArn.split(':')[4];
  if (roleAccount === identity.accountId) {
    return evaluateTrust(normalizeStatements(target), podIdentityRequest(identity)).decision === 'yes';
  }
  return plan.roles
    .filter((r) => r.chainsTo === spec.roleArn && r.accountId === identity.accountId)
    .some(
      (chain) =>
        evaluateTrust(normalizeStatements(chain.trustPolicy[phase]), podIdentityRequest(identity)).decision === 'yes' &&
        evaluateTrust(normalizeStatements(target), chainRequest(identity, chain.arn)).decision === 'yes',
    );
}
