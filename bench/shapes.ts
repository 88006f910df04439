/**
 * Evidence objects as the AWS CLI and `kubectl get -o json` print them (modelled on the demo fixture,
 * which is such output): every field those commands show, not only the ones irsa2pi reads, indented by
 * four spaces, Kubernetes keys sorted. The skeleton keeps only the fields irsa2pi reads, indented by
 * one; both carry the same facts.
 * @module
 */

/** Where a generated object's facts come from; the same for both shapes. */
export interface PodFacts {
  readonly namespace: string;
  readonly name: string;
  readonly replicaSet: string;
  readonly replicaSetUid: string;
  readonly uid: string;
  readonly serviceAccount: string;
  readonly nodeName: string;
  readonly roleArn: string | undefined;
  readonly region: string;
}

export interface WorkloadFacts {
  readonly namespace: string;
  readonly deployment: string;
  readonly deploymentUid: string;
  readonly replicaSet: string;
  readonly replicaSetUid: string;
  readonly serviceAccount: string;
}

export interface ServiceAccountFacts {
  readonly namespace: string;
  readonly name: string;
  readonly roleArn: string | undefined;
}

export interface NodeFacts {
  readonly name: string;
  readonly os: 'linux' | 'windows';
  readonly fargate: boolean;
  readonly region: string;
}

/** The builders of one shape. */
export interface Shape {
  serviceAccount(f: ServiceAccountFacts): unknown;
  deployment(f: WorkloadFacts): unknown;
  replicaSet(f: WorkloadFacts): unknown;
  pod(f: PodFacts): unknown;
  node(f: NodeFacts): unknown;
  /** What a role's entry in `get-account-authorization-details` holds besides its name, ARN and trust. */
  roleExtras(roleName: string, account: string, policyArn: string, region: string): Record<string, unknown>;
  /** The customer-managed policies the roles attach, as the `Policies` list prints them. */
  policies(arns: readonly string[]): unknown[];
  /** Spaces per indentation level in the files. */
  readonly indent: number;
  /** Whether Kubernetes objects are printed with their keys sorted, as kubectl prints them. */
  readonly sortKubernetesKeys: boolean;
  /** How the Kubernetes Lists are printed: `kubectl get -o json` or `-o yaml`. */
  readonly kubernetesFormat: 'json' | 'yaml';
}

const policyNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

function secretsPolicy(roleName: string, account: string, region: string): unknown {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: `arn:aws:secretsmanager:${region}:${account}:secret:${roleName}/*`,
      },
    ],
  };
}

function bucketPolicy(name: string): unknown {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::acme-${name}`, `arn:aws:s3:::acme-${name}/*`] }],
  };
}

export const SKELETON: Shape = {
  serviceAccount: (f) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: f.name, namespace: f.namespace, annotations: f.roleArn ? { 'eks.amazonaws.com/role-arn': f.roleArn } : {} },
  }),
  deployment: (f) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: f.deployment, namespace: f.namespace, uid: f.deploymentUid },
    spec: { template: { spec: { serviceAccountName: f.serviceAccount } } },
  }),
  replicaSet: (f) => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: f.replicaSet,
      namespace: f.namespace,
      uid: f.replicaSetUid,
      ownerReferences: [{ kind: 'Deployment', name: f.deployment, uid: f.deploymentUid, controller: true }],
    },
    spec: { template: { spec: { serviceAccountName: f.serviceAccount } } },
  }),
  pod: (f) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: f.name,
      namespace: f.namespace,
      uid: f.uid,
      ownerReferences: [{ kind: 'ReplicaSet', name: f.replicaSet, uid: f.replicaSetUid, controller: true }],
    },
    spec: { serviceAccountName: f.serviceAccount, nodeName: f.nodeName },
    status: { phase: 'Running' },
  }),
  node: (f) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: f.name, labels: { 'kubernetes.io/os': f.os, ...(f.fargate ? { 'eks.amazonaws.com/compute-type': 'fargate' } : {}) } },
  }),
  roleExtras: (roleName, account, policyArn, region) => ({
    RolePolicyList: [{ PolicyName: `${roleName}-secrets`, PolicyDocument: secretsPolicy(roleName, account, region) }],
    AttachedManagedPolicies: [{ PolicyName: policyNameOf(policyArn), PolicyArn: policyArn }],
  }),
  policies: (arns) =>
    arns.map((arn) => ({
      PolicyName: policyNameOf(arn),
      Arn: arn,
      PolicyVersionList: [{ Document: bucketPolicy(policyNameOf(arn)), IsDefaultVersion: true }],
    })),
  indent: 1,
  sortKubernetesKeys: false,
  kubernetesFormat: 'json',
};

const CREATED = '2025-03-14T09:26:53Z';
const STARTED = '2025-06-06T02:47:24Z';

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(width, '0').slice(-width);
}

/** A UUID-shaped identifier derived from a string, stable across runs. */
function uuidOf(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    a = Math.imul(a ^ s.charCodeAt(i), 0x01000193);
    b = Math.imul(b ^ s.charCodeAt(i), 0x85ebca6b);
  }
  return `${hex(a, 8)}-${hex(b, 4)}-4${hex(a >>> 4, 3)}-a${hex(b >>> 8, 3)}-${hex(a ^ b, 8)}${hex(b, 4)}`;
}

const uidOf = (id: string) => uuidOf(id);

function container(name: string, image: string): Record<string, unknown> {
  return {
    image,
    imagePullPolicy: 'IfNotPresent',
    name,
    resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

function podTemplate(app: string, namespace: string, serviceAccount: string, hash?: string): Record<string, unknown> {
  return {
    metadata: { creationTimestamp: null, labels: { app, ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: {
      containers: [container(app, `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${namespace}/${app}:1.4.2`)],
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: serviceAccount,
      serviceAccountName: serviceAccount,
      terminationGracePeriodSeconds: 30,
    },
  };
}

function condition(type: string, status = 'True'): Record<string, unknown> {
  return { lastProbeTime: null, lastTransitionTime: STARTED, status, type };
}

function ownerReference(kind: string, name: string, uid: string): Record<string, unknown> {
  return { apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind, name, uid: uidOf(uid) };
}

export const KUBECTL: Shape = {
  serviceAccount: (f) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      ...(f.roleArn ? { annotations: { 'eks.amazonaws.com/role-arn': f.roleArn } } : {}),
      creationTimestamp: CREATED,
      name: f.name,
      namespace: f.namespace,
      resourceVersion: '5023',
      uid: uidOf(`sa/${f.namespace}/${f.name}`),
    },
  }),
  deployment: (f) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      annotations: { 'deployment.kubernetes.io/revision': '3' },
      creationTimestamp: CREATED,
      generation: 3,
      labels: { app: f.deployment },
      name: f.deployment,
      namespace: f.namespace,
      resourceVersion: '5041',
      uid: uidOf(f.deploymentUid),
    },
    spec: {
      progressDeadlineSeconds: 600,
      replicas: 3,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: f.deployment } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: podTemplate(f.deployment, f.namespace, f.serviceAccount),
    },
    status: {
      availableReplicas: 3,
      conditions: [
        {
          lastTransitionTime: CREATED,
          lastUpdateTime: CREATED,
          message: 'Deployment has minimum availability.',
          reason: 'MinimumReplicasAvailable',
          status: 'True',
          type: 'Available',
        },
        {
          lastTransitionTime: CREATED,
          lastUpdateTime: STARTED,
          message: `ReplicaSet "${f.replicaSet}" has successfully progressed.`,
          reason: 'NewReplicaSetAvailable',
          status: 'True',
          type: 'Progressing',
        },
      ],
      observedGeneration: 3,
      readyReplicas: 3,
      replicas: 3,
      updatedReplicas: 3,
    },
  }),
  replicaSet: (f) => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      annotations: { 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4', 'deployment.kubernetes.io/revision': '3' },
      creationTimestamp: CREATED,
      generation: 1,
      labels: { app: f.deployment, 'pod-template-hash': '5d9f' },
      name: f.replicaSet,
      namespace: f.namespace,
      ownerReferences: [ownerReference('Deployment', f.deployment, f.deploymentUid)],
      resourceVersion: '5043',
      uid: uidOf(f.replicaSetUid),
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: f.deployment, 'pod-template-hash': '5d9f' } },
      template: podTemplate(f.deployment, f.namespace, f.serviceAccount, '5d9f'),
    },
    status: { availableReplicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1, readyReplicas: 3, replicas: 3 },
  }),
  pod: (f) => {
    const app = f.replicaSet.replace(/-5d9f$/, '');
    const irsa = f.roleArn !== undefined;
    const apiAccess = `kube-api-access-${hex(f.uid.length * 7919 + f.name.length, 5)}`;
    const mounts = [
      { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: apiAccess, readOnly: true },
      ...(irsa ? [{ mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', name: 'aws-iam-token', readOnly: true }] : []),
    ];
    const env = irsa
      ? [
          { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
          { name: 'AWS_DEFAULT_REGION', value: f.region },
          { name: 'AWS_REGION', value: f.region },
          { name: 'AWS_ROLE_ARN', value: f.roleArn },
          { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' },
        ]
      : [];
    const image = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${f.namespace}/${app}:1.4.2`;
    const uid = uidOf(f.uid);
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        creationTimestamp: STARTED,
        generateName: `${f.replicaSet}-`,
        labels: { app, 'pod-template-hash': '5d9f' },
        name: f.name,
        namespace: f.namespace,
        ownerReferences: [ownerReference('ReplicaSet', f.replicaSet, f.replicaSetUid)],
        resourceVersion: '5065',
        uid,
      },
      spec: {
        containers: [{ ...(env.length > 0 ? { env } : {}), ...container(app, image), volumeMounts: mounts }],
        dnsPolicy: 'ClusterFirst',
        enableServiceLinks: true,
        nodeName: f.nodeName,
        preemptionPolicy: 'PreemptLowerPriority',
        priority: 0,
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        serviceAccount: f.serviceAccount,
        serviceAccountName: f.serviceAccount,
        terminationGracePeriodSeconds: 30,
        tolerations: [
          { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
          { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
        ],
        volumes: [
          ...(irsa
            ? [
                {
                  name: 'aws-iam-token',
                  projected: {
                    defaultMode: 420,
                    sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' } }],
                  },
                },
              ]
            : []),
          {
            name: apiAccess,
            projected: {
              defaultMode: 420,
              sources: [
                { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
                { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
                { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
              ],
            },
          },
        ],
      },
      status: {
        conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => condition(type)),
        containerStatuses: [
          {
            containerID: `containerd://${uid.replace(/-/g, '')}${uid.replace(/-/g, '')}`,
            image,
            imageID: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${f.namespace}/${app}@sha256:${uid.replace(/-/g, '')}${uid.replace(/-/g, '')}`,
            lastState: {},
            name: app,
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: STARTED } },
            volumeMounts: mounts.map((m) => ({ ...m, recursiveReadOnly: 'Disabled' })),
          },
        ],
        hostIP: '10.0.1.10',
        hostIPs: [{ ip: '10.0.1.10' }],
        phase: 'Running',
        podIP: '10.0.1.140',
        podIPs: [{ ip: '10.0.1.140' }],
        qosClass: 'Burstable',
        startTime: STARTED,
      },
    };
  },
  node: (f) => {
    const zone = `${f.region}a`;
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': f.os,
      ...(f.fargate
        ? { 'eks.amazonaws.com/compute-type': 'fargate' }
        : { 'eks.amazonaws.com/nodegroup': 'general', 'node.kubernetes.io/instance-type': 'm6i.large' }),
      'failure-domain.beta.kubernetes.io/region': f.region,
      'failure-domain.beta.kubernetes.io/zone': zone,
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': f.name,
      'kubernetes.io/os': f.os,
      'topology.kubernetes.io/region': f.region,
      'topology.kubernetes.io/zone': zone,
    };
    const pressure = (type: string, reason: string, message: string) => ({
      lastHeartbeatTime: STARTED,
      lastTransitionTime: CREATED,
      message,
      reason,
      status: 'False',
      type,
    });
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
        creationTimestamp: CREATED,
        labels,
        name: f.name,
        resourceVersion: '3321',
        uid: uidOf(`node/${f.name}`),
      },
      spec: {
        providerID: `aws:///${zone}/i-0${hex(f.name.length * 2654435761, 16)}`,
        ...(f.fargate ? { taints: [{ effect: 'NoSchedule', key: 'eks.amazonaws.com/compute-type', value: 'fargate' }] } : {}),
      },
      status: {
        addresses: [
          { address: '10.0.1.23', type: 'InternalIP' },
          { address: `ip-10-0-1-23.${f.region}.compute.internal`, type: 'Hostname' },
        ],
        allocatable: { cpu: '2', 'ephemeral-storage': '76224326324', memory: '7410Mi', pods: '29' },
        capacity: { cpu: '2', 'ephemeral-storage': '83873772Ki', memory: '7910Mi', pods: '29' },
        conditions: [
          pressure('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          pressure('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          pressure('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          {
            lastHeartbeatTime: STARTED,
            lastTransitionTime: CREATED,
            message: 'kubelet is posting ready status',
            reason: 'KubeletReady',
            status: 'True',
            type: 'Ready',
          },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: 'amd64',
          bootID: uidOf(`boot/${f.name}`),
          containerRuntimeVersion: 'containerd://1.7.23',
          kernelVersion: '5.10.228-219.884.amzn2.x86_64',
          kubeProxyVersion: 'v1.31.2-eks-57b5e2e',
          kubeletVersion: 'v1.31.2-eks-57b5e2e',
          machineID: uidOf(`machine/${f.name}`).replace(/-/g, ''),
          operatingSystem: f.os,
          osImage: f.os === 'windows' ? 'Windows Server 2022 Datacenter' : 'Amazon Linux 2',
          systemUUID: uidOf(`system/${f.name}`),
        },
      },
    };
  },
  roleExtras: (roleName, account, policyArn, region) => ({
    InstanceProfileList: [],
    RolePolicyList: [{ PolicyName: `${roleName}-secrets`, PolicyDocument: secretsPolicy(roleName, account, region) }],
    AttachedManagedPolicies: [{ PolicyName: policyNameOf(policyArn), PolicyArn: policyArn }],
    Tags: [
      { Key: 'ManagedBy', Value: 'terraform' },
      { Key: 'Repository', Value: 'github.com/acme/infra' },
    ],
    RoleLastUsed: { LastUsedDate: '2025-05-24T03:20:53+00:00', Region: region },
  }),
  policies: (arns) =>
    arns.map((arn) => {
      const name = policyNameOf(arn);
      return {
        PolicyName: name,
        PolicyId: `ANPA${hex(name.length * 40503, 8).toUpperCase()}${name
          .toUpperCase()
          .replace(/[^A-Z0-9]/g, '')
          .slice(0, 9)}`,
        Arn: arn,
        Path: '/',
        DefaultVersionId: 'v1',
        AttachmentCount: 1,
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: true,
        CreateDate: '2024-01-08T08:48:12+00:00',
        UpdateDate: '2024-01-08T08:48:12+00:00',
        PolicyVersionList: [{ Document: bucketPolicy(name), VersionId: 'v1', IsDefaultVersion: true, CreateDate: '2024-01-08T08:48:12+00:00' }],
      };
    }),
  indent: 4,
  sortKubernetesKeys: true,
  kubernetesFormat: 'json',
};

/** The same objects with the Kubernetes Lists as `kubectl get -o yaml` prints them. */
export const KUBECTL_YAML: Shape = { ...KUBECTL, kubernetesFormat: 'yaml' };
