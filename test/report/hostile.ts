import type { Inventory, Role } from '../../src/model/inventory.js';

/** Strings the hand-built inventory carries in every field the outputs echo. */
export interface HostileValues {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly workload: string;
  readonly policy: string;
  readonly cluster: string;
  readonly file: string;
  readonly ignored: string;
}

/** Values that would break a Markdown table, a Mermaid diagram or a CSV row if written raw. */
export const HOSTILE: HostileValues = {
  namespace: 'team|a',
  serviceAccount: 'evil|sa\nsecond line `code` <b>x</b> \\| end',
  workload: 'web|app`\r\n"quoted", comma',
  policy: 'pol|icy\n`x` "y", z',
  cluster: 'c|1\nx',
  file: 'evil|file\n.json',
  ignored: 'ignored|file`',
};

/**
 * Values that would act on a terminal or hide text if written raw: OSC window title and clipboard
 * writes, CSI screen clears, the C1 CSI, DEL, bidi overrides and isolates, zero-width characters, a BOM,
 * a line separator, a tag character.
 */
export const TERMINAL: HostileValues = {
  namespace: 'team\u009b31m\u2028a',
  serviceAccount: 'evil\u001b]0;pwned\u0007sa\u202egnp.exe\tx',
  workload: 'web\u001b]52;c;cm0gLXJmIH4=\u0007\u2066x\u2069\r\ny',
  policy: 'pol\u001b[2J\u001b[1;1H\u200b\ufeff\u007ficy\u{e0041}',
  cluster: 'c\u001b]0;t\u0007\u202e1',
  file: 'evil\u001b[31m\u202efile.json',
  ignored: 'ignored\u009b2J\u2067file\u200f',
};

const ACCOUNT = '111122223333';
const HP = 'oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/c|1`;

function role(name: string, subject: string, policy: string): Role {
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
    attachedPolicies: [{ name: policy, arn: `arn:aws:iam::${ACCOUNT}:policy/x` }],
    inlinePolicies: [{ name: `${policy}|inline`, document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
    source: 'hand-built',
  };
}

/** A hand-built inventory whose names carry `values` (by default `|`, newlines, backticks, quotes and angle brackets). */
export function hostileInventory(values: HostileValues = HOSTILE): Inventory {
  const { namespace, serviceAccount, workload } = values;
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/app`;
  return {
    roles: [role('app', `system:serviceaccount:${namespace}:${serviceAccount}`, values.policy), role('other', 'system:serviceaccount:x:y', values.policy)],
    managedPolicies: [],
    oidcProviders: [{ arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${HP}`, accountId: ACCOUNT, hostPath: HP }],
    accountsWithProviderList: [ACCOUNT],
    clusters: [
      {
        name: values.cluster,
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
    evidence: [{ path: values.file, kind: 'iam-authorization-details', accountId: ACCOUNT, modifiedAt: '2026-01-01T00:00:00.000Z' }],
    ignored: [values.ignored],
  };
}
