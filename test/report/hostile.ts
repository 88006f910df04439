import type { Inventory, Role } from '../../src/model/inventory.js';

/** Values that would break a Markdown table, a Mermaid diagram or a CSV row if written raw. */
export const HOSTILE = {
  namespace: 'team|a',
  serviceAccount: 'evil|sa\nsecond line `code` <b>x</b> \\| end',
  workload: 'web|app`\r\n"quoted", comma',
  policy: 'pol|icy\n`x` "y", z',
};

const ACCOUNT = '111122223333';
const HP = 'oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/c|1`;

function role(name: string, subject: string): Role {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    name,
    path: '/',
    accountId: ACCOUNT,
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${HP}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${HP}:sub`]: subject, [`${HP}:aud`]: 'sts.amazonaws.com' } },
        },
      ],
    },
    attachedPolicies: [{ name: HOSTILE.policy, arn: `arn:aws:iam::${ACCOUNT}:policy/x` }],
    inlinePolicies: [{ name: `${HOSTILE.policy}|inline`, document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
    source: 'hand-built',
  };
}

/** A hand-built inventory whose names carry `|`, newlines, backticks, quotes and angle brackets. */
export function hostileInventory(): Inventory {
  const { namespace, serviceAccount, workload } = HOSTILE;
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/app`;
  return {
    roles: [role('app', `system:serviceaccount:${namespace}:${serviceAccount}`), role('other', 'system:serviceaccount:x:y')],
    managedPolicies: [],
    oidcProviders: [{ arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${HP}`, accountId: ACCOUNT, hostPath: HP }],
    accountsWithProviderList: [ACCOUNT],
    clusters: [
      {
        name: 'c|1\nx',
        arn: CLUSTER_ARN,
        accountId: ACCOUNT,
        region: 'eu-west-1',
        version: '1.31',
        platformVersion: 'eks.12',
        issuer: `https://${HP}`,
        issuerHostPath: HP,
        endpoint: undefined,
        autoMode: true,
        onOutposts: false,
        source: 'hand-built',
        kubernetes: {
          serviceAccounts: [
            { namespace, name: serviceAccount, annotations: { 'eks.amazonaws.com/role-arn': roleArn }, roleArn, audience: 'sts.amazonaws.com' },
            { namespace, name: 'broken|sa', annotations: {}, roleArn: `arn:aws:iam::${ACCOUNT}:role/other`, audience: 'sts.amazonaws.com' },
          ],
          pods: [
            {
              namespace,
              name: 'pod|1',
              uid: 'p1',
              serviceAccount,
              nodeName: 'n1',
              labels: {},
              nodeSelector: {},
              owner: { kind: 'Deployment', name: workload, uid: 'd1' },
              phase: 'Running',
            },
          ],
          nodes: [{ name: 'n1', labels: {}, os: 'linux', fargate: false }],
          workloads: [{ kind: 'Deployment', namespace, name: workload, uid: 'd1', owner: undefined, serviceAccount }],
          sources: ['hand-built'],
        },
      },
    ],
    associations: [],
    addons: [],
    scanGaps: [],
    evidence: [{ path: 'evil|file\n.json', kind: 'iam-authorization-details', accountId: ACCOUNT, modifiedAt: '2026-01-01T00:00:00.000Z' }],
    ignored: ['ignored|file`'],
  };
}
