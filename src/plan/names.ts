/**
 * The AWS and Kubernetes naming rules every name of a migrated identity must follow, checked when the
 * identity is planned: a name outside them blocks its own identity only (`unsafe-name`), and the
 * emitters that write code (bash, Terraform) are never handed one.
 * @module
 */
import type { Addon, Cluster, PodIdentityAssociation, Role } from '../model/inventory.js';
import type { WorkloadRef } from './model.js';

const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The kinds of names, each with its rule. IAM accepts any printable ASCII in a role path; these rules
 * admit only the characters of role names there (`[\w+=,.@-]`), the ones irsa2pi writes into scripts.
 */
export const NAME_RULES = {
  account: { re: /^\d{12}$/, rule: 'a 12-digit AWS account id' },
  region: { re: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, rule: 'an AWS region name' },
  cluster: { re: /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, rule: 'an EKS cluster name (^[0-9A-Za-z][A-Za-z0-9\\-_]*$, at most 100 characters)' },
  namespace: { re: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, rule: 'a Kubernetes namespace (DNS-1123 label)' },
  serviceAccount: { re: DNS1123_SUBDOMAIN, rule: 'a Kubernetes service account name (DNS-1123 subdomain)' },
  workload: { re: DNS1123_SUBDOMAIN, rule: 'a Kubernetes object name (DNS-1123 subdomain)' },
  workloadKind: { re: /^[A-Z][A-Za-z0-9]{0,62}$/, rule: 'a Kubernetes kind' },
  roleArn: {
    re: /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/(?=[\w+=,.@/-]{1,576}$)([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
    rule: 'an IAM role ARN (arn:<partition>:iam::<account>:role/<path><name>) whose path has only the characters of role names',
  },
  roleName: { re: /^[\w+=,.@-]{1,64}$/, rule: 'an IAM role name' },
  rolePath: { re: /^\/([\w+=,.@-]+\/)*$/, rule: 'an IAM path of the characters of role names' },
  addon: { re: /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, rule: 'an EKS add-on name' },
  associationId: { re: /^a-[a-z0-9]{1,64}$/, rule: 'a Pod Identity association id' },
  stack: { re: /^[A-Za-z][A-Za-z0-9-]{0,127}$/, rule: 'a CloudFormation stack name' },
  logicalId: { re: /^[A-Za-z0-9]{1,255}$/, rule: 'a CloudFormation logical ID' },
} as const;

/** A kind of name with a rule in {@link NAME_RULES}. */
export type NameKind = keyof typeof NAME_RULES;

/** Whether `value` is a string that follows the naming rule of `kind`. */
export function isValidName(kind: NameKind, value: unknown): boolean {
  return typeof value === 'string' && NAME_RULES[kind].re.test(value);
}

/** A name that breaks its rule: which field of the identity, its value, and the rule it breaks. */
export interface NameProblem {
  readonly field: string;
  readonly value: string;
  readonly rule: string;
}

/** The names of one identity that the plan hands to the emitters when it migrates. */
export interface IdentityNames {
  readonly cluster: Pick<Cluster, 'name' | 'accountId' | 'region'>;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly annotatedRoleArn: string;
  readonly role: Pick<Role, 'name' | 'path'> | undefined;
  readonly chainRoleArn: string | undefined;
  readonly addon: Pick<Addon, 'name'> | undefined;
  readonly existing: Pick<PodIdentityAssociation, 'associationId'> | undefined;
  readonly workloads: readonly WorkloadRef[];
}

/** Every name of the identity that breaks its rule, in a fixed order; empty when all follow them. */
export function nameProblems(n: IdentityNames): NameProblem[] {
  const checks: [string, NameKind, string][] = [
    ['cluster name', 'cluster', n.cluster.name],
    ['account', 'account', n.cluster.accountId],
    ['region', 'region', n.cluster.region],
    ['namespace', 'namespace', n.namespace],
    ['service account', 'serviceAccount', n.serviceAccount],
    ['annotated role', 'roleArn', n.annotatedRoleArn],
  ];
  if (n.role) checks.push(['role name', 'roleName', n.role.name], ['role path', 'rolePath', n.role.path]);
  if (n.chainRoleArn !== undefined) checks.push(['chaining role', 'roleArn', n.chainRoleArn]);
  if (n.addon) checks.push(['add-on', 'addon', n.addon.name]);
  if (n.existing) checks.push(['existing association id', 'associationId', n.existing.associationId]);
  for (const w of n.workloads) checks.push(['workload kind', 'workloadKind', w.kind], ['workload name', 'workload', w.name]);
  return checks.filter(([, kind, value]) => !isValidName(kind, value)).map(([field, kind, value]) => ({ field, value, rule: NAME_RULES[kind].rule }));
}
