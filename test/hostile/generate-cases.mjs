// Regenerates test/fixtures/hostile/: small broken and hostile evidence bundles, each with expect.json.
// Run: node test/hostile/generate-cases.mjs   (big cases are generated at test time, not here)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';

const OUT = join(import.meta.dirname, '..', 'fixtures', 'hostile');
const ACCOUNT = '111122223333';
const ISSUER_HP = 'oidc.eks.eu-west-1.amazonaws.com/id/7948EE6781F420439410EF2FE581C082';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_HP}`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/s3-readers`;
const IAM = `aws/${ACCOUNT}/iam-authorization-details.json`;
const OIDC = `aws/${ACCOUNT}/oidc-providers.json`;
const CLUSTER = `aws/${ACCOUNT}/eu-west-1/cluster-c1.json`;
const ADDON = `aws/${ACCOUNT}/eu-west-1/addon-c1-eks-pod-identity-agent.json`;
const ASSOC = `aws/${ACCOUNT}/eu-west-1/pod-identity-association-a-1.json`;
const KUBE = 'kubernetes/c1/resources.yaml';

const irsaStatement = (sa = 'system:serviceaccount:shop:cart-reader') => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: { StringEquals: { [`${ISSUER_HP}:aud`]: 'sts.amazonaws.com', [`${ISSUER_HP}:sub`]: sa } },
});
const trust = (statements = [irsaStatement()]) => ({ Version: '2012-10-17', Statement: statements });
const role = (over = {}) => ({
  Path: '/',
  RoleName: 's3-readers',
  RoleId: 'AROAX5FUBF4QKD6KE75RB',
  Arn: ROLE_ARN,
  AssumeRolePolicyDocument: trust(),
  RolePolicyList: [
    { PolicyName: 's3-access', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } },
  ],
  AttachedManagedPolicies: [],
  ...over,
});
const iam = (roles = [role()]) => ({ UserDetailList: [], GroupDetailList: [], RoleDetailList: roles, Policies: [] });
const cluster = (over = {}) => ({
  cluster: {
    name: 'c1',
    arn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/c1`,
    version: '1.31',
    platformVersion: 'eks.12',
    identity: { oidc: { issuer: `https://${ISSUER_HP}` } },
    status: 'ACTIVE',
    ...over,
  },
});
const addon = (over = {}) => ({
  addon: {
    addonName: 'eks-pod-identity-agent',
    clusterName: 'c1',
    addonVersion: 'v1.3.4-eksbuild.1',
    addonArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:addon/c1/eks-pod-identity-agent/3d612a1d-9a81-9279-1351-5d90fde237fe`,
    ...over,
  },
});
const association = (over = {}) => ({
  association: {
    clusterName: 'c1',
    namespace: 'shop',
    serviceAccount: 'cart-reader',
    roleArn: ROLE_ARN,
    associationArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:podidentityassociation/c1/a-1`,
    associationId: 'a-1',
    ...over,
  },
});
const sa = (name = 'cart-reader', namespace = 'shop', annotations = { 'eks.amazonaws.com/role-arn': ROLE_ARN }) => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace, annotations },
});
const pod = (name = 'cart-1', namespace = 'shop', serviceAccountName = 'cart-reader', meta = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, uid: `uid-${name}`, ...meta },
  spec: { serviceAccountName, nodeName: 'node-1' },
  status: { phase: 'Running' },
});
const node = () => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/os': 'linux' } } });
const list = (items) => ({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } });
const kube = (items = [sa(), pod(), node()]) => list(items);

const json = (v) => `${JSON.stringify(v, null, 2)}\n`;
/** JSON that YAML also reads: kubectl -o yaml is written here as JSON-in-YAML only where that does not matter. */
const yamlOf = (v, indent = '') => {
  // a small block-YAML writer, enough for these fixtures
  if (Array.isArray(v)) {
    if (v.length === 0) return ' []\n';
    return '\n' + v.map((x) => `${indent}-${yamlOf(x, indent + '  ').replace(/^\n\s*/, ' ')}`).join('');
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return ' {}\n';
    return '\n' + entries.map(([k, x]) => `${indent}${JSON.stringify(k)}:${yamlOf(x, indent + '  ')}`).join('');
  }
  return ` ${JSON.stringify(v)}\n`;
};
const yaml = (v) => yamlOf(v).replace(/^\n/, '');

const base = () => ({
  [IAM]: json(iam()),
  [OIDC]: json({ OpenIDConnectProviderList: [{ Arn: PROVIDER }] }),
  [CLUSTER]: json(cluster()),
  [ADDON]: json(addon()),
  [KUBE]: yaml(kube()),
});

const cases = {};
const error = (files, message, location = false, note) => ({
  files: { ...base(), ...files },
  expect: { outcome: 'error', message, location, ...(note ? { note } : {}) },
});
const planned = (files, statuses, note) => ({
  files: { ...base(), ...files },
  expect: { outcome: 'plan', ...(statuses ? { statuses } : {}), ...(note ? { note } : {}) },
});
const KUBE_JSON = 'kubernetes/c1/resources.json';
/**
 * A broken Kubernetes document as `kubectl -o yaml` and as `-o json` print it: the reader reads a JSON
 * List one item at a time and YAML whole, and both must end in the same error.
 */
const kubernetesCases = (name, doc, message) => {
  cases[name] = error({ [KUBE]: yaml(doc) }, `${KUBE}: ${message}`);
  cases[`${name}-json`] = error({ [KUBE]: undefined, [KUBE_JSON]: json(doc) }, `${KUBE_JSON}: ${message}`);
};

// --- the control: the base bundle plans
cases['control-base'] = planned({}, { 'c1/shop/cart-reader': 'create' });

// --- truncated files
cases['truncated-json-aws'] = error({ [IAM]: json(iam()).slice(0, 400) }, `${IAM}:\\d+:\\d+: malformed JSON`, true);
cases['control-json-kubernetes'] = planned({ [KUBE]: undefined, [KUBE_JSON]: json(kube()) }, { 'c1/shop/cart-reader': 'create' });
cases['truncated-json-kubernetes-after-a-field-error'] = error(
  { [KUBE]: undefined, [KUBE_JSON]: json(kube([sa(1234), pod(), node()])).slice(0, -40) },
  'kubernetes/c1/resources\\.json:\\d+:\\d+: malformed JSON',
  true,
  'read whole, the file gives its syntax error before the field error of its first item',
);
cases['truncated-json-kubernetes'] = error(
  { [KUBE]: undefined, 'kubernetes/c1/resources.json': json(kube()).slice(0, 300) },
  'kubernetes/c1/resources\\.json:\\d+:\\d+: malformed JSON',
  true,
);
cases['truncated-yaml-kubernetes'] = error(
  { [KUBE]: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: "cart-reader", namespace: [shop\n' },
  `${KUBE}:\\d+:\\d+: malformed YAML`,
  true,
);
cases['truncated-yaml-aws'] = error(
  { [CLUSTER]: undefined, [`aws/${ACCOUNT}/eu-west-1/cluster-c1.yaml`]: 'cluster:\n  name: "c1\n  arn: arn:aws:eks:eu-west-1:111122223333:cluster/c1\n' },
  'cluster-c1\\.yaml:\\d+:\\d+: malformed YAML: Missing closing "quote',
  true,
);

// --- wrong types at each field the tool reads
cases['roles-not-a-list'] = error({ [IAM]: json({ RoleDetailList: { Arn: ROLE_ARN } }) }, `${IAM}: \\$\\.RoleDetailList must be a list`);
cases['list-roles-not-a-list'] = error({ [`aws/${ACCOUNT}/list-roles.json`]: json({ Roles: 'all of them' }) }, `list-roles\\.json: \\$\\.Roles must be a list`);
cases['arn-a-number'] = error({ [IAM]: json(iam([role({ Arn: 111122223333 })])) }, `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.Arn must be a non-empty string`);
cases['trust-policy-a-number'] = error(
  { [IAM]: json(iam([role({ AssumeRolePolicyDocument: 42 })])) },
  `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument`,
);
cases['trust-policy-a-list'] = error(
  { [IAM]: json(iam([role({ AssumeRolePolicyDocument: [trust()] })])) },
  `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument`,
);
cases['trust-policy-null'] = error(
  { [IAM]: json(iam([role({ AssumeRolePolicyDocument: null })])) },
  `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument`,
);
cases['statement-a-string'] = error(
  { [IAM]: json(iam([role({ AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: 'allow everyone' } })])) },
  `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument.*Statement`,
);
{
  const st = irsaStatement();
  st.Condition.StringEquals[`${ISSUER_HP}:sub`] = { nested: 'system:serviceaccount:shop:cart-reader' };
  cases['condition-value-object'] = error(
    { [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([st]) })])) },
    `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument.*Condition`,
  );
  const st2 = irsaStatement();
  st2.Condition = { StringEquals: 'system:serviceaccount:shop:cart-reader' };
  cases['condition-operator-a-string'] = error(
    { [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([st2]) })])) },
    `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument.*Condition`,
  );
  const st3 = irsaStatement();
  st3.Principal = { Federated: 42 };
  cases['principal-a-number'] = error(
    { [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([st3]) })])) },
    `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument.*Principal`,
  );
  const st4 = irsaStatement();
  st4.Action = { 'sts:AssumeRoleWithWebIdentity': true };
  cases['action-an-object'] = error(
    { [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([st4]) })])) },
    `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument.*Action`,
  );
}
cases['inline-policy-a-number'] = error(
  { [IAM]: json(iam([role({ RolePolicyList: [{ PolicyName: 'p', PolicyDocument: 7 }] })])) },
  `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.RolePolicyList\\[0\\]\\.PolicyDocument`,
);
cases['issuer-a-number'] = error(
  { [CLUSTER]: json(cluster({ identity: { oidc: { issuer: 12345 } } })) },
  `cluster-c1\\.json: \\$\\.cluster\\.identity\\.oidc\\.issuer must be a string`,
);
cases['issuer-not-a-url'] = error(
  { [CLUSTER]: json(cluster({ identity: { oidc: { issuer: 'not a url at all' } } })) },
  `cluster-c1\\.json: \\$\\.cluster\\.identity\\.oidc\\.issuer`,
);
cases['cluster-arn-not-an-arn'] = error({ [CLUSTER]: json(cluster({ arn: 'c1' })) }, `cluster-c1\\.json: \\$\\.cluster\\.arn is not an EKS cluster ARN`);
cases['cluster-arn-bad-account'] = error(
  { [CLUSTER]: json(cluster({ arn: 'arn:aws:eks:eu-west-1:12:cluster/c1' })) },
  `cluster-c1\\.json: \\$\\.cluster\\.arn is not an ARN with an account ID`,
);
cases['association-role-arn-missing'] = error(
  { [ASSOC]: json(association({ roleArn: undefined })) },
  `pod-identity-association-a-1\\.json: \\$\\.association\\.roleArn must be a non-empty string`,
);
cases['association-role-arn-not-an-arn'] = error(
  { [ASSOC]: json(association({ roleArn: 'cart-reader-role' })) },
  `pod-identity-association-a-1\\.json: \\$\\.association\\.roleArn`,
);
cases['addon-service-account-role-arn-bad'] = error(
  { [ADDON]: json(addon({ serviceAccountRoleArn: 'arn:aws:iam::111122223333:user/bob' })) },
  `addon-c1-eks-pod-identity-agent\\.json: \\$\\.addon\\.serviceAccountRoleArn is not an IAM role ARN`,
);
cases['association-target-role-arn-newline'] = error(
  { [ASSOC]: json(association({ targetRoleArn: `${ROLE_ARN}\nx` })) },
  `pod-identity-association-a-1\\.json: \\$\\.association\\.targetRoleArn is not an IAM role ARN`,
);
cases['addon-associations-not-a-list'] = error(
  { [ADDON]: json(addon({ podIdentityAssociations: 'arn:aws:eks:eu-west-1:111122223333:podidentityassociation/c1/a-1' })) },
  `addon-c1-eks-pod-identity-agent\\.json: \\$\\.addon\\.podIdentityAssociations must be a list`,
);
cases['addon-associations-numbers'] = error(
  { [ADDON]: json(addon({ podIdentityAssociations: [1, 2] })) },
  `addon-c1-eks-pod-identity-agent\\.json: \\$\\.addon\\.podIdentityAssociations must be a list of strings`,
);
cases['oidc-provider-arn-a-number'] = error(
  { [OIDC]: json({ OpenIDConnectProviderList: [{ Arn: 5 }] }) },
  `oidc-providers\\.json: \\$\\.OpenIDConnectProviderList\\[0\\]\\.Arn must be a non-empty string`,
);
{
  const noMeta = sa();
  delete noMeta.metadata;
  kubernetesCases('kubernetes-metadata-missing', kube([noMeta, pod(), node()]), `\\$\\.items\\[0\\]\\.metadata must be an object`);
  kubernetesCases(
    'kubernetes-annotation-a-number',
    kube([sa('cart-reader', 'shop', { 'eks.amazonaws.com/role-arn': ROLE_ARN, 'example.com/replicas': 3 }), pod(), node()]),
    `\\$\\.items\\[0\\]\\.metadata\\.annotations`,
  );
  kubernetesCases(
    'kubernetes-annotations-a-list',
    kube([sa('cart-reader', 'shop', [ROLE_ARN]), pod(), node()]),
    `\\$\\.items\\[0\\]\\.metadata\\.annotations must be a map of strings`,
  );
  kubernetesCases(
    'kubernetes-owner-references-not-a-list',
    kube([sa(), pod('cart-1', 'shop', 'cart-reader', { ownerReferences: { kind: 'ReplicaSet', name: 'cart-x' } }), node()]),
    `\\$\\.items\\[1\\]\\.metadata\\.ownerReferences must be a list`,
  );
  kubernetesCases(
    'kubernetes-service-account-name-a-number',
    kube([sa(), pod('cart-1', 'shop', 42), node()]),
    `\\$\\.items\\[1\\]\\.spec\\.serviceAccountName must be a string`,
  );
  kubernetesCases('kubernetes-name-a-number', kube([sa(1234), pod(), node()]), `\\$\\.items\\[0\\]\\.metadata\\.name must be a non-empty string`);
  kubernetesCases('kubernetes-items-not-a-list', { apiVersion: 'v1', kind: 'List', items: { a: sa() } }, `\\$\\.items must be a list`);
  kubernetesCases('kubernetes-item-a-string', kube([sa(), 'pod/cart-1', node()]), `\\$\\.items\\[1\\] must be an object`);
}

// --- URL-encoded policy documents
cases['policy-invalid-url-encoding'] = error(
  { [IAM]: json(iam([role({ AssumeRolePolicyDocument: `${encodeURIComponent(JSON.stringify(trust()))}%E0%A4%A` })])) },
  `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument is not valid URL-encoding`,
);
cases['policy-url-encoded-invalid-json'] = error(
  { [IAM]: json(iam([role({ AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust())).slice(0, -9) })])) },
  `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument is not valid JSON`,
);
cases['policy-url-encoded-ok'] = planned(
  { [IAM]: json(iam([role({ AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust())) })])) },
  { 'c1/shop/cart-reader': 'create' },
);
cases['policy-json-string-not-json'] = error(
  { [IAM]: json(iam([role({ AssumeRolePolicyDocument: '{"Version": "2012-10-17", "Statement": [' })])) },
  `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument is not valid JSON`,
);
cases['policy-string-decodes-to-number'] = error(
  { [IAM]: json(iam([role({ AssumeRolePolicyDocument: '%34%32' })])) },
  `${IAM}: \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument`,
);

// --- valid but unusual policies: NotPrincipal, NotAction, Deny, Principal "*"
{
  const deny = {
    Effect: 'Deny',
    Principal: { Federated: PROVIDER },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${ISSUER_HP}:sub`]: 'system:serviceaccount:shop:cart-reader' } },
  };
  cases['policy-deny-on-subject'] = planned(
    { [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([irsaStatement(), deny]) })])) },
    { 'c1/shop/cart-reader': 'skipped' },
    'A Deny on the migrated subject: the role does not trust the service account, so it is skipped.',
  );
  const notPrincipal = { Effect: 'Deny', NotPrincipal: { Federated: PROVIDER }, Action: 'sts:*' };
  cases['policy-not-principal'] = planned(
    { [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([irsaStatement(), notPrincipal]) })])) },
    undefined,
    'Deny with NotPrincipal: valid evidence; the plan must be produced.',
  );
  const notAction = {
    Effect: 'Allow',
    Principal: { Federated: PROVIDER },
    NotAction: 'sts:AssumeRole',
    Condition: { StringEquals: { [`${ISSUER_HP}:sub`]: 'system:serviceaccount:shop:cart-reader' } },
  };
  cases['policy-not-action'] = planned(
    { [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([notAction]) })])) },
    undefined,
    'Allow with NotAction: valid evidence; the plan must be produced.',
  );
  const star = { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' };
  cases['policy-principal-star'] = planned(
    { [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([star]) })])) },
    undefined,
    'Principal "*": valid evidence (and a very open role); the plan must be produced.',
  );
  const denyAll = { Effect: 'Deny', Principal: '*', Action: '*' };
  cases['policy-deny-everyone'] = planned(
    { [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([irsaStatement(), denyAll]) })])) },
    { 'c1/shop/cart-reader': 'skipped' },
    'A Deny on everyone: the service account is not trusted; skipped.',
  );
}

// --- blind spots of the IAM evaluation: collected-empty lists, partitions, wildcards, chained session tags
{
  const EMPTY_PROVIDERS = json({ OpenIDConnectProviderList: [] });
  cases['oidc-provider-list-empty'] = planned(
    { [OIDC]: EMPTY_PROVIDERS },
    { 'c1/shop/cart-reader': 'skipped' },
    'The provider was deleted (to revoke IRSA): IAM refuses every web identity of the account, so nothing is migrated.',
  );
  cases['oidc-provider-list-empty-no-account'] = error(
    {
      [OIDC]: undefined,
      'aws/oidc-providers.json': EMPTY_PROVIDERS,
      [`aws/444455556666/role.json`]: json({ Role: role({ Arn: 'arn:aws:iam::444455556666:role/other', RoleName: 'other' }) }),
    },
    'aws/oidc-providers\\.json: \\$\\.OpenIDConnectProviderList is empty and names no account',
  );
  const LIST = `aws/${ACCOUNT}/eu-west-1/associations-c1.json`;
  const summary = Object.fromEntries(Object.entries(association().association).filter(([key]) => key !== 'roleArn'));
  cases['association-listed-not-described'] = planned(
    { [LIST]: json({ associations: [summary] }) },
    { 'c1/shop/cart-reader': 'conflict' },
    'The list names an association whose describe output is missing: its role is unknown, so the identity is a conflict.',
  );
  cases['association-list-entry-no-service-account'] = error(
    { [LIST]: json({ associations: [{ ...summary, serviceAccount: undefined }] }) },
    `associations-c1\\.json: \\$\\.associations\\[0\\]\\.serviceAccount must be a non-empty string`,
  );

  /** The base bundle moved to another partition: every ARN, region and issuer (paths included). */
  const inPartition = (partition, region, suffix, edit = (t) => t) => {
    const move = (t) => edit(t.replaceAll('arn:aws:', `arn:${partition}:`).replaceAll('eu-west-1', region).replaceAll('amazonaws.com/id/', `${suffix}/id/`));
    return Object.fromEntries([
      ...Object.keys(base()).map((path) => [path, undefined]),
      ...Object.entries(base()).map(([path, text]) => [move(path), move(text)]),
    ]);
  };
  const GOV = ['aws-us-gov', 'us-gov-west-1', 'amazonaws.com'];
  const CN = ['aws-cn', 'cn-north-1', 'amazonaws.com.cn'];
  cases['partition-aws-us-gov'] = planned(
    inPartition(...GOV),
    { 'c1/shop/cart-reader': 'create' },
    'GovCloud: the trust of the provider in aws-us-gov admits the service account.',
  );
  cases['partition-aws-cn'] = planned(
    inPartition(...CN),
    { 'c1/shop/cart-reader': 'create' },
    'China: arn:aws-cn ARNs and an amazonaws.com.cn issuer; the trust admits the service account.',
  );
  for (const name of ['partition-aws-us-gov', 'partition-aws-cn']) cases[name].expect.emittersAccept = ['script', 'terraform'];
  const awsProvider = (t) => t.replaceAll(`"Federated": "arn:aws-cn:`, '"Federated": "arn:aws:');
  cases['partition-aws-cn-provider-of-aws'] = planned(
    inPartition(...CN, awsProvider),
    { 'c1/shop/cart-reader': 'skipped' },
    'A trust naming the provider in partition aws admits nobody of an aws-cn cluster.',
  );

  // StringLike patterns that make a backtracking matcher try every split of long near-miss names.
  const pattern = 'system:serviceaccount:shop:*-*-*-*-*-*-*-ok';
  const wild = {
    ...irsaStatement(),
    Condition: { StringEquals: { [`${ISSUER_HP}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${ISSUER_HP}:sub`]: pattern } },
  };
  const nearMisses = Array.from({ length: 30 }, (_, i) => `a${'-'.repeat(60)}${i}`);
  const names = ['a-b-c-d-e-f-g-ok', ...nearMisses];
  cases['stringlike-backtracking-subjects'] = planned(
    {
      [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([wild]) })])),
      [KUBE]: yaml(kube([...names.map((n) => sa(n)), ...names.map((n, i) => pod(`p-${i}`, 'shop', n)), node()])),
    },
    Object.fromEntries([['c1/shop/a-b-c-d-e-f-g-ok', 'create'], ...nearMisses.map((n) => [`c1/shop/${n}`, 'skipped'])]),
    'A 7-wildcard subject pattern against 30 names of 60 dashes: a backtracking matcher ran for minutes.',
  );

  // The target-role trust of EKS's guide (pod-id-assign-target-role.html): the chaining role, scoped by the transitive session tags.
  const B = '222233334444';
  const TARGET = `arn:aws:iam::${B}:role/s3-readers`;
  const { createHash } = await import('node:crypto');
  const chainRole = `arn:aws:iam::${ACCOUNT}:role/irsa2pi/irsa2pi-s3-readers-${createHash('sha256').update(TARGET).digest('hex').slice(0, 8)}`;
  const providerB = `arn:aws:iam::${B}:oidc-provider/${ISSUER_HP}`;
  const taggedChain = {
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    Condition: {
      StringEquals: {
        'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/c1`,
        'aws:RequestTag/kubernetes-namespace': 'shop',
        'aws:RequestTag/kubernetes-service-account': 'cart-reader',
      },
      ArnEquals: { 'aws:PrincipalARN': chainRole },
    },
  };
  const targetRole = role({
    Arn: TARGET,
    RoleId: 'AROAX5FUBF4QKD6KE75RC',
    AssumeRolePolicyDocument: trust([{ ...irsaStatement(), Principal: { Federated: providerB } }, taggedChain]),
  });
  cases['chain-target-trust-session-tags'] = planned(
    {
      [`aws/${B}/iam-authorization-details.json`]: json(iam([targetRole])),
      [`aws/${B}/oidc-providers.json`]: json({ OpenIDConnectProviderList: [{ Arn: providerB }] }),
      [KUBE]: yaml(kube([sa('cart-reader', 'shop', { 'eks.amazonaws.com/role-arn': TARGET }), pod(), node()])),
    },
    { 'c1/shop/cart-reader': 'create' },
    'The target trust already admits the chained request by its session tags: the plan reuses it and adds no external-ID statement.',
  );
  cases['chain-target-trust-session-tags'].expect.outputNeverContains = 'sts:ExternalId';
}

// --- duplicate keys
cases['json-duplicate-keys-last-wins'] = planned(
  { [CLUSTER]: json(cluster()).replace('"name": "c1",', '"name": "other",\n    "name": "c1",') },
  { 'c1/shop/cart-reader': 'create' },
  'JSON.parse keeps the last of duplicate keys; AWS CLI output never has them, and the reader accepts them with last-wins (documented here).',
);
cases['yaml-duplicate-keys'] = error(
  { [KUBE]: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: cart-reader\n  name: cart-writer\n  namespace: shop\n' },
  `${KUBE}:5:3: malformed YAML: Map keys must be unique`,
  true,
);

// --- encodings
cases['non-utf8-json'] = error(
  { [OIDC]: Buffer.concat([Buffer.from('{"OpenIDConnectProviderList": [{"Arn": "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(`${PROVIDER}"}]}\n`)]) },
  `oidc-providers\\.json: file is not valid UTF-8`,
);
cases['yaml-collection-key-in-list'] = error(
  {
    [KUBE]:
      'apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    labels:\n      ? [team, tier]\n      : shop\n    name: cart-reader\n    namespace: shop\nkind: List\n',
  },
  `${KUBE}:7:9: malformed YAML: a mapping key that is a collection, which no JSON document holds`,
  true,
);
cases['yaml-aliased-collection-key'] = error(
  {
    [KUBE]:
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: cart-reader\n  namespace: shop\n  labels: &keys {team: shop}\n  annotations:\n    ? *keys\n    : x\n',
  },
  `${KUBE}:8:7: malformed YAML: a mapping key that is a collection, which no JSON document holds`,
  true,
);
cases['non-utf8-yaml'] = error(
  { [KUBE]: Buffer.concat([Buffer.from(yaml(kube())), Buffer.from([0x23, 0x20, 0xfe, 0xfe, 0x0a])]) },
  `${KUBE}: file is not valid UTF-8`,
);
cases['utf16-json'] = error(
  { [OIDC]: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json({ OpenIDConnectProviderList: [{ Arn: PROVIDER }] }), 'utf16le')]) },
  `oidc-providers\\.json: file is not valid UTF-8`,
);
cases['utf8-bom-json'] = planned({ [IAM]: `\ufeff${json(iam())}`, [CLUSTER]: `\ufeff${json(cluster())}` }, { 'c1/shop/cart-reader': 'create' });
cases['utf8-bom-yaml'] = planned({ [KUBE]: `\ufeff${yaml(kube())}` }, { 'c1/shop/cart-reader': 'create' });

// --- nesting
cases['deep-json-arrays-small'] = error(
  { [`aws/${ACCOUNT}/deep.json`]: `${'['.repeat(5000)}${']'.repeat(5000)}` },
  `deep\\.json: nested more than 256 levels deep \\(at \\$\\[0\\]`,
);
cases['deep-json-inside-trust-policy'] = error(
  {
    [IAM]: json(iam()).replace(
      '"Action": "sts:AssumeRoleWithWebIdentity",',
      `"Action": "sts:AssumeRoleWithWebIdentity", "Sid": ${'['.repeat(3000)}${']'.repeat(3000)},`,
    ),
  },
  `${IAM}: nested more than 256 levels deep \\(at \\$\\.RoleDetailList\\[0\\]\\.AssumeRolePolicyDocument\\.Statement\\[0\\]\\.Sid`,
  false,
  'Was an internal error (stack overflow, exit 3) before the depth guard.',
);
cases['deep-json-just-under-limit'] = error(
  { [`aws/${ACCOUNT}/deep.json`]: `${'['.repeat(256)}${']'.repeat(256)}` },
  `deep\\.json: not recognised as AWS CLI or kubectl output \\(top-level: a list\\)`,
);
cases['deep-yaml-flow'] = error(
  { [`kubernetes/c1/deep.yaml`]: `${'['.repeat(5000)}${']'.repeat(5000)}\n` },
  `deep\\.yaml:\\d+:\\d+: malformed YAML: nested more than 256 levels deep`,
  true,
);
cases['yaml-alias-bomb'] = error(
  {
    [`kubernetes/c1/bomb.yaml`]: [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
      'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
      '',
    ].join('\n'),
  },
  `bomb\\.yaml: malformed YAML: .*alias`,
);
cases['yaml-alias-bomb-in-kubernetes-object'] = error(
  {
    [KUBE]: [
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      '  name: cart-reader',
      '  namespace: shop',
      'x0: &x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...Array.from({ length: 12 }, (_, i) => `x${i + 1}: &x${i + 1} [${Array(10).fill(`*x${i}`).join(',')}]`),
      '',
    ].join('\n'),
  },
  `${KUBE}: malformed YAML: .*alias`,
);

// --- names valid as JSON but not for AWS or Kubernetes: each blocks its own identity (unsafe-name), next
// to a good identity (shop/cart-reader) that is planned and emitted as usual.
{
  const GOOD = 'c1/shop/cart-reader';
  const hostileSa = (name, ns, arn = ROLE_ARN, roles = []) => {
    const sub = `system:serviceaccount:${ns}:${name}`;
    return {
      [IAM]: json(iam([role({ AssumeRolePolicyDocument: trust([irsaStatement(), irsaStatement(sub)]) }), ...roles])),
      [KUBE]: yaml(kube([sa(), pod(), sa(name, ns, { 'eks.amazonaws.com/role-arn': arn }), pod('p-1', ns, name), node()])),
    };
  };
  const blocked = (name, files, key, note, onlyInComments) => {
    cases[name] = planned(files, { [GOOD]: 'create', [key]: 'blocked' }, note);
    Object.assign(cases[name].expect, {
      emittersAccept: ['script', 'terraform', 'table', 'markdown'],
      emitted: 'cart-reader',
      onlyInComments,
      reason: 'unsafe-name',
    });
  };
  blocked(
    'name-namespace-uppercase',
    hostileSa('cart-reader', 'Shop'),
    'c1/Shop/cart-reader',
    'Namespace "Shop" is invalid for Kubernetes: that identity is blocked, the good one emitted.',
    'Shop',
  );
  blocked(
    'name-namespace-slash',
    hostileSa('cart-reader', 'shop/../x'),
    'c1/shop/../x/cart-reader',
    'Namespace with "/": that identity is blocked, the good one emitted.',
    'shop/../x',
  );
  blocked(
    'name-service-account-shell',
    hostileSa("'$(rm -rf /)", 'shop'),
    "c1/shop/'$(rm -rf /)",
    'A shell-injection service-account name: that identity is blocked, the good one emitted.',
    '$(rm -rf /)',
  );
  {
    const pathArn = `arn:aws:iam::${ACCOUNT}:role/$(touch pwned)/s3-writers`;
    const pathRole = role({
      Path: '/$(touch pwned)/',
      RoleName: 's3-writers',
      RoleId: 'AROAX5FUBF4QKD6KE75RC',
      Arn: pathArn,
      AssumeRolePolicyDocument: trust([irsaStatement('system:serviceaccount:shop:writer')]),
    });
    blocked(
      'name-role-path-shell',
      hostileSa('writer', 'shop', pathArn, [pathRole]),
      'c1/shop/writer',
      'A role path with $(…), which IAM allows: the identity annotated with it is blocked, the good one emitted.',
      '$(touch pwned)',
    );
  }
  {
    const files = hostileSa('cart-reader', 'shop', `${ROLE_ARN}\nrm -rf /`);
    cases['name-role-arn-newline'] = planned(
      files,
      { [GOOD]: 'create' },
      'A role-ARN annotation with a newline names no role of the bundle: that identity is skipped (sa-role-missing), the good one emitted.',
    );
    Object.assign(cases['name-role-arn-newline'].expect, {
      emittersAccept: ['script', 'terraform', 'table', 'markdown'],
      emitted: 'cart-reader',
      outputNeverContains: '\nrm -rf',
    });
  }
}

// --- terminal escapes (ESC/OSC/CSI, C1 CSI, DEL, bidi overrides and isolates, zero-width) in every string the
// tool echoes: no raw control or bidi character reaches a human-facing output or stderr.
{
  const E = {
    title: '\u001b]0;pwned\u0007',
    clip: '\u001b]52;c;cm0gLXJmIH4=\u0007',
    csi: '\u001b[2J\u001b[1;1H',
    c1: '\u009b31m',
    rlo: '\u202egnp.exe',
    iso: '\u2066x\u2069',
    zw: '\u200b\ufeff\u007f',
  };
  const all = Object.values(E).join('');
  const evilNs = `shop${E.c1}`;
  const evilSa = `cart${E.csi}${E.rlo}`;
  const evilArn = `${ROLE_ARN}${E.title}`;
  const subs = [`system:serviceaccount:${evilNs}:${evilSa}`, `system:serviceaccount:shop:ghost${E.rlo}${E.iso}`];
  const st = irsaStatement();
  st.Condition.StringEquals[`${ISSUER_HP}:sub`] = ['system:serviceaccount:shop:cart-reader', ...subs];
  const good = role({
    AssumeRolePolicyDocument: trust([st]),
    RolePolicyList: [
      {
        PolicyName: `s3${E.clip}${E.zw}`,
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: `S${E.rlo}`, Effect: 'Allow', Action: 's3:GetObject', Resource: `*${E.csi}` }] },
      },
    ],
  });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web${E.rlo}${E.title}`, namespace: evilNs, uid: 'd-1' },
    spec: { template: { spec: { serviceAccountName: evilSa } } },
  };
  const evilPod = pod('p-1', evilNs, evilSa, {
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: 'd-1', controller: true }],
  });
  cases['terminal-escapes'] = planned(
    {
      [IAM]: json(iam([good])),
      [KUBE]: yaml(
        kube([
          sa(),
          pod(),
          sa(evilSa, evilNs, { 'eks.amazonaws.com/role-arn': ROLE_ARN, note: all }),
          evilPod,
          deployment,
          sa(`api${E.iso}`, 'shop', { 'eks.amazonaws.com/role-arn': evilArn }),
          node(),
        ]),
      ),
      [`aws/${ACCOUNT}/eu-west-2/cluster-c2.json`]: json(
        cluster({
          name: `c2${E.title}${E.c1}`,
          arn: `arn:aws:eks:eu-west-2:${ACCOUNT}:cluster/c2`,
          identity: { oidc: { issuer: 'https://oidc.eks.eu-west-2.amazonaws.com/id/11112222333344445555666677778888' } },
        }),
      ),
    },
    { 'c1/shop/cart-reader': 'create', [`c1/${evilNs}/${evilSa}`]: 'blocked', [`c1/shop/api${E.iso}`]: 'skipped' },
    'Terminal escapes, C1 controls and bidi characters in a namespace, service accounts, an annotation, a workload, a policy, a trust subject and a cluster name: every human-facing output shows them escaped.',
  );
  Object.assign(cases['terminal-escapes'].expect, {
    emittersAccept: ['script', 'terraform', 'table', 'markdown'],
    emitted: 'cart-reader',
    noRawControls: true,
    exactInTrust: subs,
  });
}

// --- degenerate files
cases['empty-file-aws'] = error({ [OIDC]: '' }, `oidc-providers\\.json: file is empty`);
cases['whitespace-file-kubernetes'] = error({ [KUBE]: '\n  \n' }, `${KUBE}: file is empty`);
cases['null-json-aws'] = error({ [OIDC]: 'null\n' }, `oidc-providers\\.json: not recognised as AWS CLI or kubectl output \\(top-level: null\\)`);
cases['array-json-aws'] = error({ [OIDC]: json([{ Arn: PROVIDER }]) }, `oidc-providers\\.json: not recognised as AWS CLI or kubectl output`);
cases['string-json-aws'] = error({ [OIDC]: '"hello"\n' }, `oidc-providers\\.json: not recognised as AWS CLI or kubectl output`);
cases['scalar-yaml-kubernetes'] = error({ [KUBE]: 'just a string\n' }, `${KUBE}: not recognised as AWS CLI or kubectl output`);
cases['null-yaml-kubernetes'] = error({ [KUBE]: '~\n' }, `${KUBE}: file holds no YAML documents`);
cases['comment-only-yaml-kubernetes'] = error({ [KUBE]: '# nothing here\n' }, `${KUBE}: file holds no YAML documents`);
cases['empty-documents-yaml-kubernetes'] = error({ [KUBE]: '---\n---\n' }, `${KUBE}: file holds no YAML documents`);
cases['multi-doc-yaml-scalar-second'] = error(
  { [KUBE]: `${yaml(sa())}---\n42\n` },
  `${KUBE}: document 2: not recognised as AWS CLI or kubectl output \\(top-level: number\\)`,
);
cases['only-empty-bundle'] = {
  files: { 'README.txt': 'nothing\n' },
  expect: { outcome: 'error', message: 'no AWS CLI or kubectl output found', location: false },
};

// --- prototype pollution attempts
cases['json-proto-key'] = planned(
  { [KUBE]: undefined, 'kubernetes/c1/resources.json': json(kube()).replace('"annotations": {', '"annotations": {\n "__proto__": "x", "constructor": "y",') },
  { 'c1/shop/cart-reader': 'create' },
);

// --- planning hostile: a role squatting the chaining role's name; a shared role whose trust cannot fit IAM's limit
{
  const OTHER = '444455556666';
  const TARGET = `arn:aws:iam::${OTHER}:role/data`;
  const chainName = `irsa2pi-data-${createHash('sha256').update(TARGET).digest('hex').slice(0, 8)}`;
  const otherProvider = `arn:aws:iam::${OTHER}:oidc-provider/${ISSUER_HP}`;
  const target = role({
    RoleName: 'data',
    RoleId: 'AROAX5FUBF4QKD6KE75RC',
    Arn: TARGET,
    AssumeRolePolicyDocument: trust([{ ...irsaStatement(), Principal: { Federated: otherProvider } }]),
  });
  const squatter = role({
    Path: '/irsa2pi/',
    RoleName: chainName,
    RoleId: 'AROAX5FUBF4QKD6KE75RD',
    Arn: `arn:aws:iam::${ACCOUNT}:role/irsa2pi/${chainName}`,
    AssumeRolePolicyDocument: trust([
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop', 'aws:RequestTag/kubernetes-service-account': 'cart-reader' } },
      },
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' },
    ]),
    RolePolicyList: [
      {
        PolicyName: 'irsa2pi-chain',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Sid: 'AssumeTargetRole', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: TARGET }],
        },
      },
    ],
  });
  const crossAccount = (roles) => ({
    [IAM]: json(iam(roles)),
    [`aws/${OTHER}/iam-authorization-details.json`]: json(iam([target])),
    [`aws/${OTHER}/oidc-providers.json`]: json({ OpenIDConnectProviderList: [{ Arn: otherProvider }] }),
    [KUBE]: yaml(kube([sa('cart-reader', 'shop', { 'eks.amazonaws.com/role-arn': TARGET }), pod(), node()])),
  });
  cases['chain-role-name-free'] = planned(
    crossAccount([role()]),
    { 'c1/shop/cart-reader': 'create' },
    "Control for chain-role-name-squatted: no role holds the chaining role's name, so it is created.",
  );
  cases['chain-role-name-squatted'] = {
    files: { ...base(), ...crossAccount([role(), squatter]) },
    expect: {
      outcome: 'plan',
      statuses: { 'c1/shop/cart-reader': 'conflict' },
      emittersAccept: ['script', 'terraform'],
      note: "A role already at the chaining role's name also trusts another account: never adopted; the identity is a conflict and no output serves it.",
    },
  };

  const exact = role({
    ...squatter,
    AssumeRolePolicyDocument: trust([
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:TagSession', 'sts:AssumeRole'],
        Condition: {
          StringEquals: {
            'aws:RequestTag/eks-cluster-arn': cluster().cluster.arn,
            'aws:RequestTag/kubernetes-namespace': 'shop',
            'aws:RequestTag/kubernetes-service-account': 'cart-reader',
          },
        },
      },
    ]),
  });
  cases['chain-role-name-held-exactly'] = planned(
    crossAccount([role(), exact]),
    { 'c1/shop/cart-reader': 'create' },
    "The role at the chaining role's name is exactly the planned one (trust and permissions): adopted.",
  );
  const widened = (condition, extra = []) =>
    role({
      ...exact,
      AssumeRolePolicyDocument: trust([{ ...exact.AssumeRolePolicyDocument.Statement[0], Condition: condition }, ...extra]),
    });
  const exactCondition = exact.AssumeRolePolicyDocument.Statement[0].Condition;
  const devArn = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/dev`;
  cases['chain-role-name-held-unscanned-cluster'] = planned(
    crossAccount([role(), widened({ StringEquals: { ...exactCondition.StringEquals, 'aws:RequestTag/eks-cluster-arn': [cluster().cluster.arn, devArn] } })]),
    { 'c1/shop/cart-reader': 'conflict' },
    "The role at the chaining role's name also admits cart-reader of a cluster that is not in the evidence: not adopted.",
  );
  cases['chain-role-name-held-unscanned-namespace'] = planned(
    crossAccount([role(), widened({ StringEquals: { ...exactCondition.StringEquals, 'aws:RequestTag/kubernetes-namespace': ['shop', 'evil'] } })]),
    { 'c1/shop/cart-reader': 'conflict' },
    "The role at the chaining role's name also admits a namespace no scanned cluster has: not adopted.",
  );
  cases['chain-role-name-held-service-account-pattern'] = planned(
    crossAccount([
      role(),
      widened({
        StringEquals: { 'aws:RequestTag/eks-cluster-arn': cluster().cluster.arn, 'aws:RequestTag/kubernetes-namespace': 'shop' },
        StringLike: { 'aws:RequestTag/kubernetes-service-account': 'cart-*' },
      }),
    ]),
    { 'c1/shop/cart-reader': 'conflict' },
    "The role at the chaining role's name admits every service account named cart-* in shop: not adopted.",
  );
  cases['chain-role-name-held-second-statement'] = planned(
    crossAccount([
      role(),
      widened(exactCondition, [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'aws:RequestTag/eks-cluster-name': 'dev',
              'aws:RequestTag/kubernetes-namespace': 'evil',
              'aws:RequestTag/kubernetes-service-account': 'thief',
            },
          },
        },
      ]),
    ]),
    { 'c1/shop/cart-reader': 'conflict' },
    "The role at the chaining role's name has a second statement admitting dev/evil/thief, all three unscanned: not adopted.",
  );
  const podsStatement = (Condition) => ({
    Effect: 'Allow',
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: ['sts:TagSession', 'sts:AssumeRole'],
    Condition,
  });
  const c1Arn = cluster().cluster.arn;
  const squattedBy = {
    'other-principal-by-condition': [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::777788889999:role/attacker' } },
      },
    ],
    'every-other-account': [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': [ACCOUNT, '999999999999'] } },
      },
    ],
    'cluster-by-name-only': [
      podsStatement({
        StringEquals: {
          'aws:RequestTag/eks-cluster-name': 'c1',
          'aws:RequestTag/kubernetes-namespace': 'shop',
          'aws:RequestTag/kubernetes-service-account': 'cart-reader',
        },
      }),
    ],
    'cluster-arn-pattern': [
      podsStatement({
        StringLike: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:*:cluster/c1' },
        StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop', 'aws:RequestTag/kubernetes-service-account': 'cart-reader' },
      }),
    ],
    'two-patterns-one-key': [
      podsStatement({
        StringEquals: { 'aws:RequestTag/eks-cluster-arn': c1Arn, 'aws:RequestTag/kubernetes-service-account': 'cart-reader' },
        StringLike: { 'aws:RequestTag/kubernetes-namespace': 'sh*' },
        'ForAnyValue:StringLike': { 'aws:RequestTag/kubernetes-namespace': '*op-2' },
      }),
    ],
    'negated-service-accounts': [
      podsStatement({
        StringEquals: { 'aws:RequestTag/eks-cluster-arn': c1Arn, 'aws:RequestTag/kubernetes-namespace': 'shop' },
        StringNotEquals: {
          'aws:RequestTag/kubernetes-service-account': [
            'cart-reader',
            'irsa2pi-neighbour',
            'irsa2pi-unmentioned',
            'zq0-irsa2pi-unmentioned-9',
            'irsa2pi.unmentioned.x',
            'cart-reader-irsa2pi-neighbour',
          ],
        },
      }),
    ],
    'negated-namespaces': [
      podsStatement({
        Null: { 'aws:RequestTag/kubernetes-namespace': 'false' },
        StringNotEquals: {
          'aws:RequestTag/kubernetes-namespace': [
            'shop',
            'irsa2pi-neighbour',
            'false',
            'irsa2pi-unmentioned',
            'zq0-irsa2pi-unmentioned-9',
            'irsa2pi.unmentioned.x',
            'shop-irsa2pi-neighbour',
          ],
        },
      }),
    ],
    'policy-variable': [
      podsStatement({
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': c1Arn,
          'aws:RequestTag/kubernetes-namespace': '${aws:PrincipalTag/ns}',
          'aws:RequestTag/kubernetes-service-account': 'cart-reader',
        },
      }),
    ],
  };
  for (const [name, extra] of Object.entries(squattedBy)) {
    cases[`chain-role-name-held-${name}`] = planned(
      crossAccount([role(), widened(exactCondition, extra)]),
      { 'c1/shop/cart-reader': 'conflict' },
      `The role at the chaining role's name has, beside the planned statement, one irsa2pi never writes (${name}): not adopted (found by an adversarial review).`,
    );
  }
  cases['chain-role-name-held-own-association'] = planned(
    {
      ...crossAccount([
        role(),
        widened(exactCondition, [
          podsStatement({
            StringEquals: {
              'aws:RequestTag/eks-cluster-arn': c1Arn,
              'aws:RequestTag/kubernetes-namespace': 'evil',
              'aws:RequestTag/kubernetes-service-account': 'x',
            },
          }),
        ]),
      ]),
      [`aws/${ACCOUNT}/eu-west-1/pod-identity-association-a-9.json`]: json(
        association({
          namespace: 'evil',
          serviceAccount: 'x',
          roleArn: exact.Arn,
          targetRoleArn: TARGET,
          associationArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:podidentityassociation/c1/a-9`,
          associationId: 'a-9',
        }),
      ),
    },
    { 'c1/shop/cart-reader': 'conflict' },
    "The squatter of the chaining role's name also made an association into it for its own identity: an association the target's trust does not yet admit through the chaining role proves nothing, so the role is not adopted (found by an adversarial review).",
  );
  cases['chain-role-name-held-twice-in-evidence'] = error(
    crossAccount([role(), widened(exactCondition, squattedBy['other-principal-by-condition']), exact]),
    `iam-authorization-details\\.json: \\$\\.RoleDetailList lists role arn:aws:iam::${ACCOUNT}:role/irsa2pi/${chainName} more than once`,
    false,
    "Evidence listing the role at the chaining role's name twice, a wide trust first and the exact one last: IAM cannot hold that and which copy is real cannot be told, so the bundle is refused (found by an adversarial review).",
  );
  cases['chain-role-name-held-two-chain-policies'] = planned(
    crossAccount([
      role(),
      {
        ...exact,
        RolePolicyList: [
          ...exact.RolePolicyList,
          { PolicyName: 'irsa2pi-chain', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
        ],
      },
    ]),
    { 'c1/shop/cart-reader': 'conflict' },
    'Evidence holding two inline policies named irsa2pi-chain on the role at the chaining name, the second granting everything: not adopted.',
  );
  cases['chain-role-name-held-exactly-as-lists'] = planned(
    crossAccount([
      role(),
      role({
        ...exact,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: {
            Sid: 'Written',
            Effect: 'Allow',
            Principal: { Service: ['pods.eks.amazonaws.com'] },
            Action: ['sts:assumerole', 'STS:TagSession'],
            Condition: {
              StringEquals: {
                'aws:requesttag/eks-cluster-arn': [c1Arn],
                'aws:RequestTag/Kubernetes-Namespace': ['shop'],
                'aws:RequestTag/kubernetes-service-account': ['cart-reader'],
              },
            },
          },
        },
      }),
    ]),
    { 'c1/shop/cart-reader': 'create' },
    "Control: the role at the chaining role's name trusts exactly the planned identity, written with lists, another Sid, other letter case of actions and keys, and a statement object: adopted.",
  );
  cases['chain-role-name-held-with-boundary'] = planned(
    crossAccount([
      role(),
      { ...exact, PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/PowerUserAccess' } },
    ]),
    { 'c1/shop/cart-reader': 'conflict' },
    "The role at the chaining role's name is the planned one but for a permissions boundary: not adopted.",
  );

  const pairs = Array.from({ length: 14 }, (_, i) => [`svc-${String(i + 1).padStart(2, '0')}`, `app-${String(i + 1).padStart(2, '0')}`]);
  const sharedTrust = trust([irsaStatement(pairs.map(([n, s]) => `system:serviceaccount:${n}:${s}`))]);
  cases['trust-too-large-shared-role'] = {
    files: { ...base(), [IAM]: json(iam([role({ AssumeRolePolicyDocument: sharedTrust })])), [KUBE]: yaml(kube([...pairs.map(([n, s]) => sa(s, n)), node()])) },
    expect: {
      outcome: 'plan',
      statuses: { 'c1/svc-01/app-01': 'create', 'c1/svc-14/app-14': 'blocked' },
      emittersAccept: ['script', 'terraform'],
      note: 'Fourteen service accounts on one role, one per namespace: even compacted the trust cannot hold them all under 2,048 characters, so those that do not fit are blocked, never planned for an update that must fail.',
    },
  };
}

rmSync(OUT, { recursive: true, force: true });
for (const [name, { files, expect }] of Object.entries(cases)) {
  for (const [rel, content] of Object.entries(files)) {
    if (content === undefined) continue;
    const path = join(OUT, name, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  writeFileSync(join(OUT, name, 'expect.json'), json(expect));
}
console.log(`wrote ${Object.keys(cases).length} cases to ${OUT}`);
