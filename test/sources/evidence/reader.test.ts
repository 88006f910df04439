import { constants } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MAX_FILE_BYTES } from '../../../src/sources/evidence/parse.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { bundleError as errorOf } from '../../helpers/bundle-error.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures');

describe('evidence bundle reader', () => {
  it.each([
    ['empty', /no AWS CLI or kubectl output/],
    ['malformed-json', /malformed JSON/],
    ['malformed-yaml', /malformed YAML/],
    ['unknown-shape', /not recognised as AWS CLI or kubectl output/],
    ['unknown-cluster-folder', /names no cluster of the bundle/],
  ])('rejects %s with one line naming the file', (name, pattern) => {
    const error = errorOf(join(FIXTURES, 'invalid', name));
    expect(error.line).toMatch(pattern);
    expect(error.line).not.toContain('\n');
    expect(error.line).toContain(join('fixtures', 'invalid', name));
  });

  it('gives line and column for malformed JSON', () => {
    const error = errorOf(join(FIXTURES, 'invalid', 'malformed-json'));
    expect(error.line).toMatch(/\.json:\d+:\d+: /);
  });

  it('lists unrelated files as ignored', () => {
    const inventory = readEvidenceBundle(join(FIXTURES, 'with-unrelated-files'));
    expect(inventory.ignored.some((f) => f.endsWith('README.txt'))).toBe(true);
    expect(inventory.ignored.some((f) => f.endsWith('notes.md'))).toBe(true);
    expect(inventory.roles.length).toBeGreaterThan(0);
  });

  it.each(['url-encoded-policy', 'json-string-policy', 'basic'])('decodes trust policies in %s', (name) => {
    const inventory = readEvidenceBundle(join(FIXTURES, name));
    for (const role of inventory.roles) expect(Array.isArray(role.trustPolicy.Statement) || typeof role.trustPolicy.Statement === 'object').toBe(true);
  });

  it('reads multi-document YAML and JSON kubectl output alike', () => {
    const multi = readEvidenceBundle(join(FIXTURES, 'multi-doc-yaml'));
    const kube = multi.clusters[0]!.kubernetes!;
    expect(kube.serviceAccounts.length).toBeGreaterThan(0);
    expect(kube.pods.length).toBeGreaterThan(0);
  });

  it('reads several accounts and regions from one bundle', () => {
    const demo = readEvidenceBundle(join(FIXTURES, 'demo'));
    expect(new Set(demo.roles.map((r) => r.accountId)).size).toBe(2);
    expect(new Set(demo.clusters.map((c) => c.region)).size).toBe(2);
    expect(demo.associations.length).toBeGreaterThan(0);
    expect(demo.addons.some((a) => a.name === 'vpc-cni' && a.serviceAccountRoleArn)).toBe(true);
  });

  it("reads the collector's scan gaps and the plan reports each as a finding", async () => {
    const { cpSync } = await import('node:fs');
    const { plan } = await import('../../../src/plan/plan.js');
    const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-gaps-'));
    cpSync(join(FIXTURES, 'basic'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'scan-gaps.json'),
      JSON.stringify({ irsa2piScanGaps: [{ scope: 'cluster', name: 'c9', region: 'eu-west-1', error: 'connect ECONNREFUSED' }] }),
    );
    const inventory = readEvidenceBundle(dir);
    expect(inventory.scanGaps).toMatchObject([{ scope: 'cluster', name: 'c9', error: 'connect ECONNREFUSED' }]);
    const gap = plan(inventory).findings.find((f) => f.rule === 'scan-gap');
    expect(gap).toMatchObject({ severity: 'medium', cluster: 'c9' });
    expect(gap!.message).toContain('ECONNREFUSED');
  });

  describe('hand-made broken bundles', () => {
    function bundle(files: Record<string, string>): string {
      const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-evidence-'));
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      return dir;
    }

    it("reads an add-on's custom namespace from describe-addon's namespaceConfig", () => {
      const addon = (name: string, extra: object) =>
        JSON.stringify({ addon: { addonName: name, clusterName: 'c1', addonArn: `arn:aws:eks:eu-west-1:111122223333:addon/c1/${name}/x`, ...extra } });
      const dir = bundle({ 'aws/a.json': addon('vpc-cni', { namespaceConfig: { namespace: 'net' } }), 'aws/b.json': addon('coredns', {}) });
      expect(readEvidenceBundle(dir).addons.map((a) => [a.name, a.namespace])).toEqual([
        ['coredns', undefined],
        ['vpc-cni', 'net'],
      ]);
    });

    it('rejects a wrong type at a field it reads, naming the field', () => {
      const dir = bundle({ 'aws/roles.json': JSON.stringify({ Roles: [{ Arn: 42, AssumeRolePolicyDocument: {} }] }) });
      expect(errorOf(dir).line).toMatch(/roles\.json: \$\.Roles\[0\]\.Arn must be a non-empty string/);
    });

    it('rejects invalid URL-encoding in a policy document', () => {
      const dir = bundle({ 'aws/roles.json': JSON.stringify({ Roles: [{ Arn: 'arn:aws:iam::111122223333:role/x', AssumeRolePolicyDocument: '%7B%ZZ' }] }) });
      expect(errorOf(dir).line).toMatch(/not valid URL-encoding/);
    });

    it('rejects a policy whose Effect is neither Allow nor Deny', () => {
      const dir = bundle({
        'aws/roles.json': JSON.stringify({
          Roles: [{ Arn: 'arn:aws:iam::111122223333:role/x', AssumeRolePolicyDocument: { Statement: [{ Effect: 'Maybe' }] } }],
        }),
      });
      expect(errorOf(dir).line).toMatch(/Effect must be "Allow" or "Deny"/);
    });

    it('rejects non-UTF-8 bytes', () => {
      const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-evidence-'));
      mkdirSync(join(dir, 'aws'));
      writeFileSync(join(dir, 'aws', 'x.json'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
      expect(errorOf(dir).line).toMatch(/not valid UTF-8/);
    });

    it.each(['kubernetes/c1/resources.json', 'aws/roles.json'])('rejects %s larger than the limit, one string can hold, without reading it', (path) => {
      const dir = bundle({ 'aws/eu.json': describeCluster('eu-west-1'), [path]: '' });
      truncateSync(join(dir, path), MAX_FILE_BYTES + 1);
      expect(MAX_FILE_BYTES).toBeLessThanOrEqual(constants.MAX_STRING_LENGTH);
      expect(errorOf(dir).line).toBe(`${join(dir, path)}: file is larger than ${MAX_FILE_BYTES} bytes`);
    });

    it('rejects Kubernetes objects outside kubernetes/<cluster>/', () => {
      const dir = bundle({ 'pods.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }) });
      expect(errorOf(dir).line).toMatch(/must be under kubernetes\/<cluster-name>\//);
    });

    const describeCluster = (region: string) =>
      JSON.stringify({ cluster: { name: 'c1', arn: `arn:aws:eks:${region}:111122223333:cluster/c1`, version: '1.31', platformVersion: 'eks.20' } });
    const serviceAccounts = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: 'shop' } }],
    });

    it('reads a Kubernetes folder whose cluster is described in a file read after it', () => {
      const dir = bundle({ 'kubernetes/c1/sa.json': serviceAccounts, 'zz-later/cluster.json': describeCluster('eu-west-1') });
      expect(readEvidenceBundle(dir).clusters[0]!.kubernetes!.serviceAccounts.map((sa) => sa.name)).toEqual(['app']);
    });

    it('keeps the first copy of an object in file order when the cluster is described between two copies', () => {
      const annotated = (role: string) =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'app', namespace: 'shop', annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::111122223333:role/${role}` } },
        });
      const dir = bundle({
        'kubernetes/c1/a-old.json': annotated('first'),
        'kubernetes/c1/m-cluster.json': describeCluster('eu-west-1'),
        'kubernetes/c1/z-new.json': annotated('second'),
      });
      expect(readEvidenceBundle(dir).clusters[0]!.kubernetes!.serviceAccounts.map((sa) => sa.roleArn)).toEqual(['arn:aws:iam::111122223333:role/first']);
    });

    it('rejects a Kubernetes folder made ambiguous by a same-named cluster described after it', () => {
      const dir = bundle({
        'aws/cluster.json': describeCluster('eu-west-1'),
        'kubernetes/c1/sa.json': serviceAccounts,
        'zz-later/cluster.json': describeCluster('us-east-1'),
      });
      const error = errorOf(dir);
      expect(error.line).toMatch(
        /folder kubernetes\/c1\/ is ambiguous: 2 clusters are named "c1"; name each folder <region>\.c1 or <account>\.<region>\.c1 \(111122223333\.eu-west-1\.c1, 111122223333\.us-east-1\.c1\)/,
      );
      expect(error.line).toContain(join('kubernetes', 'c1', 'sa.json'));
    });

    it('same-named clusters in two regions read their Kubernetes objects from kubernetes/<region>.<name>/ (or <account>.<region>.<name>/)', () => {
      const named = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'shop' } });
      const dir = bundle({
        'aws/eu.json': describeCluster('eu-west-1'),
        'aws/us.json': describeCluster('us-east-1'),
        'kubernetes/eu-west-1.c1/sa.json': named('in-eu'),
        'kubernetes/111122223333.us-east-1.c1/sa.json': named('in-us'),
      });
      const byRegion = Object.fromEntries(readEvidenceBundle(dir).clusters.map((c) => [c.region, c.kubernetes?.serviceAccounts.map((sa) => sa.name)]));
      expect(byRegion).toEqual({ 'eu-west-1': ['in-eu'], 'us-east-1': ['in-us'] });
    });

    it('a folder named by region and name that matches no described cluster is an error naming it', () => {
      const dir = bundle({ 'aws/eu.json': describeCluster('eu-west-1'), 'kubernetes/us-east-1.c1/sa.json': serviceAccounts });
      expect(errorOf(dir).line).toMatch(/folder kubernetes\/us-east-1\.c1\/ names no cluster of the bundle/);
    });

    it('keeps every annotation as written, a "__proto__" key included', () => {
      const sa = '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"app","namespace":"shop","annotations":{"__proto__":"x","team":"a"}}}';
      const dir = bundle({ 'aws/eu.json': describeCluster('eu-west-1'), 'kubernetes/c1/sa.json': sa });
      const annotations = readEvidenceBundle(dir).clusters[0]!.kubernetes!.serviceAccounts[0]!.annotations;
      expect(Object.entries(annotations)).toEqual([
        ['__proto__', 'x'],
        ['team', 'a'],
      ]);
    });

    describe('kubectl JSON Lists, read one item at a time', () => {
      const items = [
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'app', namespace: 'shop', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/r' } },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'app-1', namespace: 'shop', labels: { app: 'x' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'app-7d', controller: true }] },
          spec: { serviceAccountName: 'app', nodeName: 'n1' },
          status: { phase: 'Running' },
        },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'windows' } } },
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'nightly', namespace: 'shop' },
          spec: { jobTemplate: { spec: { template: { spec: { serviceAccountName: 'app' } } } } },
        },
        { apiVersion: 'v1', metadata: { name: 'kindless', namespace: 'shop' } },
      ];
      const pods = [
        { metadata: { name: 'p1', namespace: 'shop' }, spec: { serviceAccountName: 'app' } },
        { kind: 'Pod', metadata: { name: 'p2', namespace: 'shop' } },
      ];
      /** The cluster's objects as read from `text` saved as `name` beside a describe-cluster, sources emptied (their names differ). */
      const objectsOf = (name: string, text: string) => ({
        ...readEvidenceBundle(bundle({ 'aws/eu.json': describeCluster('eu-west-1'), [`kubernetes/c1/${name}`]: text })).clusters[0]!.kubernetes!,
        sources: [],
      });

      it.each([
        [
          'a List, kind after items, as kubectl prints it',
          JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4),
        ],
        ['a PodList whose kind comes first, items without kind', JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: pods })],
        ['a PodList whose kind comes last, items without kind', JSON.stringify({ apiVersion: 'v1', items: pods, kind: 'PodList' })],
        [
          'a single object that has an items field',
          JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'solo', namespace: 'shop' }, items: [items[1]] }),
        ],
        [
          'a List with a repeated kind (the last counts)',
          JSON.stringify({ apiVersion: 'v1', kind: 'Pod', items: pods }).replace('"kind":"Pod"', '"kind":"Pod","kind":"List"'),
        ],
      ])('%s reads as the same text read whole (as YAML) does', (_name, text) => {
        const streamed = objectsOf('resources.json', text);
        expect(streamed).toEqual(objectsOf('resources.yaml', text.includes('"kind":"Pod","kind"') ? text.replace('"kind":"Pod",', '') : text));
        expect(streamed.serviceAccounts.length + streamed.pods.length).toBeGreaterThan(0);
      });

      it('a field error before a syntax error is reported as reading the whole file reports it: the syntax error first', () => {
        const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'ServiceAccount', metadata: { name: 7 } }, ...items] }, null, 2);
        const error = errorOf(bundle({ 'aws/eu.json': describeCluster('eu-west-1'), 'kubernetes/c1/resources.json': text.slice(0, -10) }));
        expect(error.line).toMatch(/resources\.json:\d+:\d+: malformed JSON/);
        const whole = errorOf(bundle({ 'aws/eu.json': describeCluster('eu-west-1'), 'kubernetes/c1/resources.json': text }));
        expect(whole.line).toMatch(/resources\.json: \$\.items\[0\]\.metadata\.name must be a non-empty string$/);
      });

      it('a List read once its cluster is described still waits behind a file of its folder that waited for that', () => {
        const annotated = (role: string) =>
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'List',
            items: [
              { ...items[0]!, metadata: { ...items[0]!.metadata, annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::111122223333:role/${role}` } } },
            ],
          });
        const dir = bundle({
          'kubernetes/c1/a-old.json': annotated('first'),
          'kubernetes/c1/m-cluster.json': describeCluster('eu-west-1'),
          'kubernetes/c1/z-new.json': annotated('second'),
        });
        expect(readEvidenceBundle(dir).clusters[0]!.kubernetes!.serviceAccounts.map((sa) => sa.roleArn)).toEqual(['arn:aws:iam::111122223333:role/first']);
      });

      it('a later file of the folder still loses to the first copy of an object', () => {
        const annotated = (role: string) =>
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'List',
            items: [
              { ...items[0]!, metadata: { ...items[0]!.metadata, annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::111122223333:role/${role}` } } },
            ],
          });
        const dir = bundle({
          'aws/eu.json': describeCluster('eu-west-1'),
          'kubernetes/c1/a.json': annotated('first'),
          'kubernetes/c1/b.yaml': annotated('second'),
          'kubernetes/c1/c.json': annotated('third'),
        });
        const kube = readEvidenceBundle(dir).clusters[0]!.kubernetes!;
        expect(kube.serviceAccounts.map((sa) => sa.roleArn)).toEqual(['arn:aws:iam::111122223333:role/first']);
        expect(kube.sources.map((f) => f.slice(-6))).toEqual(['a.json', 'b.yaml', 'c.json']);
      });
    });

    it("keeps none of a YAML file's text once read, streamed or whole: the inventory holds copies of its strings", () => {
      const accounts = Array.from({ length: 2500 }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: `service-account-${i}`,
          namespace: `namespace-of-${i % 7}`,
          annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::111122223333:role/role-${i}` },
        },
      }));
      const list = stringify({ apiVersion: 'v1', items: accounts, kind: 'List' });
      const dir = bundle({
        'aws/eu.json': describeCluster('eu-west-1'),
        'kubernetes/c1/streamed.yaml': list,
        'kubernetes/c1/whole.yaml': `---\n${list.replaceAll('service-account-', 'other-account-')}`,
      });
      const script = `
        const { readEvidenceBundle } = await import(${JSON.stringify(join(import.meta.dirname, '..', '..', '..', 'dist', 'sources', 'evidence', 'read-bundle.js'))});
        const v8 = await import('node:v8');
        const inventory = readEvidenceBundle(${JSON.stringify(dir)});
        globalThis.gc();
        const large = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'large_object_space').space_used_size;
        console.log(JSON.stringify({ accounts: inventory.clusters[0].kubernetes.serviceAccounts.length, large }));`;
      const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const { accounts: read, large } = JSON.parse(r.stdout) as { accounts: number; large: number };
      expect(read).toBe(5000);
      expect(list.length).toBeGreaterThan(500_000);
      expect(large).toBeLessThan(list.length / 2);
    });

    it('rejects a YAML alias bomb without exhausting memory', () => {
      const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 0; i < 12; i++)
        lines.push(
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
        );
      const dir = bundle({ 'kubernetes/c1/bomb.yaml': lines.join('\n') });
      expect(errorOf(dir).line).toMatch(/malformed YAML/);
    });
  });
});
