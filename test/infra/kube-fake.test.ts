import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KubeConfig, CoreV1Api, AppsV1Api, BatchV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { startKubeFake, type KubeFake, type KubeObject } from '../helpers/kube-fake.js';
import { objectsFromFile, objectsFromText } from '../helpers/kube-objects.js';
import { runCommand } from '../helpers/exec.js';
import { stopAll } from '../helpers/stop.js';

const ROLE = 'arn:aws:iam::111122223333:role/app';

function seed(): KubeObject[] {
  const objs: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ip-10-0-0-1.ec2.internal', labels: { 'kubernetes.io/os': 'linux' } } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'app', namespace: 'team-a', annotations: { 'eks.amazonaws.com/role-arn': ROLE } },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team-a' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'team-a', generation: 1, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { serviceAccountName: 'app', containers: [{ name: 'web', image: 'nginx:1.27' }] },
        },
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'team-b' },
      spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'j', image: 'busybox' }] } } } } },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ignored', namespace: 'team-a' } },
  ];
  for (let i = 1; i <= 5; i++) {
    objs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}`, namespace: i <= 3 ? 'team-a' : 'team-b', labels: { app: i <= 3 ? 'web' : 'batch' } },
      spec: { serviceAccountName: i <= 3 ? 'app' : 'default', nodeName: 'ip-10-0-0-1.ec2.internal', containers: [{ name: 'c', image: 'x' }] },
      status: { phase: i === 5 ? 'Succeeded' : 'Running' },
    });
  }
  return objs;
}

describe('kube fake', () => {
  let kube: KubeFake;
  const kubectl = (...args: string[]) => runCommand('kubectl', args, { env: kube.kubectlEnv });

  beforeAll(async () => {
    kube = await startKubeFake(seed());
  });
  afterAll(async () => {
    await stopAll(kube);
  });

  it('serves kubectl get -A -o json with --chunk-size paging', async () => {
    kube.requests.length = 0;
    const r = await runCommand('kubectl', [
      '--kubeconfig',
      kube.kubeconfigPath,
      '--cache-dir',
      path.join(kube.dir, 'c2'),
      'get',
      'pods',
      '-A',
      '-o',
      'json',
      '--chunk-size',
      '2',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((p: V1Pod) => `${p.metadata!.namespace}/${p.metadata!.name}`)).toEqual([
      'team-a/web-1',
      'team-a/web-2',
      'team-a/web-3',
      'team-b/web-4',
      'team-b/web-5',
    ]);
    expect(list.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
    const pages = kube.requests.filter((q) => q.path === '/api/v1/pods');
    expect(pages.map((q) => q.query.limit)).toEqual(['2', '2', '2']);
    expect(pages.filter((q) => q.query.continue)).toHaveLength(2);
    expect(kube.ignored.map((o) => o.kind)).toEqual(['ConfigMap']);
  });

  it('annotates, removes annotations and restarts rollouts through kubectl', async () => {
    const before = kube.get('ServiceAccount', 'team-a', 'app')!;
    let r = await kubectl('annotate', 'sa', 'app', '-n', 'team-a', `eks.amazonaws.com/role-arn=${ROLE}2`, '--overwrite');
    expect(r.code, r.stderr).toBe(0);
    const mid = kube.get('ServiceAccount', 'team-a', 'app')!;
    expect(mid.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(`${ROLE}2`);
    expect(Number(mid.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));

    // Without --overwrite an existing annotation is refused by kubectl itself.
    r = await kubectl('annotate', 'sa', 'app', '-n', 'team-a', `eks.amazonaws.com/role-arn=${ROLE}3`);
    expect(r.code).not.toBe(0);

    r = await kubectl('annotate', 'sa', 'app', '-n', 'team-a', 'eks.amazonaws.com/role-arn-');
    expect(r.code, r.stderr).toBe(0);
    expect(kube.get('ServiceAccount', 'team-a', 'app')!.metadata.annotations ?? {}).not.toHaveProperty('eks.amazonaws.com/role-arn');

    r = await kubectl('rollout', 'restart', 'deployment/web', '-n', 'team-a');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('deployment.apps/web restarted');
    const dep = kube.get('Deployment', 'team-a', 'web') as KubeObject & { spec: any };
    expect(dep.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(dep.spec.template.metadata.labels).toEqual({ app: 'web' });
    expect(dep.metadata.generation).toBe(2);
    const patch = kube.requests.filter((q) => q.method === 'PATCH').map((q) => q.contentType);
    expect(patch).toContain('application/merge-patch+json');
    expect(patch).toContain('application/strategic-merge-patch+json');
  });

  it('returns real Status errors', async () => {
    const r = await kubectl('get', 'sa', 'ghost', '-n', 'team-a');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (NotFound): serviceaccounts "ghost" not found');
    const res = await fetch(`${kube.server}/apis/apps/v1/namespaces/team-a/deployments/ghost`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "ghost" not found',
      reason: 'NotFound',
      details: { name: 'ghost', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    const bad = await fetch(`${kube.server}/api/v1/pods?fieldSelector=spec.bogus%3Dx`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toBe('field label not supported: spec.bogus');
  });

  it('pages, filters and patches through @kubernetes/client-node', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const names: string[] = [];
    const remaining: (number | undefined)[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await core.listPodForAllNamespaces({ limit: 2, _continue: cont });
      pages++;
      names.push(...page.items.map((p) => p.metadata!.name!));
      remaining.push(page.metadata?.remainingItemCount);
      cont = page.metadata?._continue || undefined;
    } while (cont);
    expect(pages).toBe(3);
    expect(names).toEqual(['web-1', 'web-2', 'web-3', 'web-4', 'web-5']);
    expect(remaining).toEqual([3, 1, undefined]);

    const labelled = await core.listNamespacedPod({ namespace: 'team-a', labelSelector: 'app=web' });
    expect(labelled.items).toHaveLength(3);
    const setBased = await core.listPodForAllNamespaces({ labelSelector: 'app in (batch),app!=web' });
    expect(setBased.items.map((p) => p.metadata!.name)).toEqual(['web-4', 'web-5']);
    const running = await core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running,metadata.namespace=team-b' });
    expect(running.items.map((p) => p.metadata!.name)).toEqual(['web-4']);
    const byName = await core.listNamespacedServiceAccount({ namespace: 'team-a', fieldSelector: 'metadata.name=app' });
    expect(byName.items.map((s) => s.metadata!.name)).toEqual(['app']);
    expect((await core.listNode()).items).toHaveLength(1);
    expect((await core.listNamespace()).items.map((n) => n.metadata!.name)).toEqual(['team-a', 'team-b']);
    expect((await kc.makeApiClient(BatchV1Api).listCronJobForAllNamespaces()).items).toHaveLength(1);
    expect((await kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces()).items).toHaveLength(1);

    // JSON patch (client-node's default) with an escaped key, then a merge patch.
    const sa = await core.patchNamespacedServiceAccount({
      name: 'default',
      namespace: 'team-a',
      body: [{ op: 'add', path: '/metadata/annotations', value: { 'eks.amazonaws.com/role-arn': ROLE } }],
    });
    expect(sa.metadata?.annotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE });
    await core.patchNamespacedServiceAccount({
      name: 'default',
      namespace: 'team-a',
      body: [{ op: 'remove', path: '/metadata/annotations/eks.amazonaws.com~1role-arn' }],
    });
    const merged = await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'team-a', body: { metadata: { labels: { x: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ x: 'y' });
    expect(merged.metadata?.annotations).toEqual({});
    const rvBefore = merged.metadata!.resourceVersion;
    const noop = await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'team-a', body: { metadata: { labels: { x: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(noop.metadata!.resourceVersion).toBe(rvBefore);

    const err = await core.readNamespacedPod({ name: 'ghost', namespace: 'team-a' }).catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(404);
  });

  it('enforces a bearer token when asked', async () => {
    const secured = await startKubeFake(seed(), { token: 'sekret', requireToken: (t) => t === 'sekret' });
    const denied = await startKubeFake(seed(), { token: 'wrong', requireToken: (t) => t === 'sekret' });
    try {
      const ok = new KubeConfig();
      ok.loadFromFile(secured.kubeconfigPath);
      expect((await ok.makeApiClient(CoreV1Api).listNamespace()).items).toHaveLength(2);
      const no = new KubeConfig();
      no.loadFromFile(denied.kubeconfigPath);
      const err = await no
        .makeApiClient(CoreV1Api)
        .listNamespace()
        .catch((e: unknown) => e);
      expect((err as { code?: number }).code).toBe(401);
      const raw = await fetch(`${secured.server}/api/v1/namespaces`);
      expect(await raw.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    } finally {
      await secured.stop();
      await denied.stop();
    }
  });

  it('loads kubectl -o yaml output and multi-document YAML', async () => {
    const r = await kubectl('get', 'sa,deploy', '-A', '-o', 'yaml');
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(kube.dir, 'dump.yaml');
    await writeFile(file, r.stdout);
    const objs = await objectsFromFile(file);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ServiceAccount/app', 'ServiceAccount/default', 'Deployment/web']);
    const again = await startKubeFake(objs);
    try {
      expect(again.get('Deployment', 'team-a', 'web')).toEqual(kube.get('Deployment', 'team-a', 'web'));
    } finally {
      await again.stop();
    }
    const multi = objectsFromText(
      '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: x}\n---\n---\n' +
        'kind: PodList\napiVersion: v1\nitems:\n- metadata: {name: p, namespace: x}\n',
    );
    expect(multi.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`)).toEqual(['v1/ServiceAccount/a', 'v1/Pod/p']);
  });
});
