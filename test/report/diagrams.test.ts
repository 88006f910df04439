import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitReportMarkdown } from '../../src/emit/report/markdown.js';
import { clusterDiagrams, MERMAID_LIMITS } from '../../src/emit/report/diagrams.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import type { Report, ReportCluster, RoleMapping } from '../../src/report/model.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { codeBlocksOf } from './markdown-check.js';

const AT = '2026-01-01T00:00:00.000Z';
const demo = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
const demoReport = buildReport(demo, plan(demo, { generatedAt: AT }));

function mapping(namespace: string, serviceAccount: string, role: string, workloads: number, status: RoleMapping['status'] = 'active'): RoleMapping {
  return {
    namespace,
    serviceAccount,
    serviceAccountExists: true,
    roleArn: `arn:aws:iam::111122223333:role/${role}`,
    roleName: role,
    roleAccountId: '111122223333',
    roleFound: true,
    mechanism: 'IRSA',
    status,
    irsa: status === 'active' ? 'yes' : 'no',
    podIdentity: null,
    associationId: null,
    viaRoleArn: null,
    problems: [],
    workloads: Array.from({ length: workloads }, (_, i) => ({ kind: 'Deployment', namespace, name: `${serviceAccount}-app-${i}` })),
    podCount: workloads * 3,
    policies: [],
    admin: false,
    roleLastUsed: null,
  };
}

function cluster(name: string, mappings: RoleMapping[]): ReportCluster {
  return {
    name,
    arn: `arn:aws:eks:eu-west-1:111122223333:cluster/${name}`,
    accountId: '111122223333',
    region: 'eu-west-1',
    version: '1.31',
    platformVersion: 'eks.10',
    issuer: null,
    scanned: true,
    serviceAccounts: mappings.length,
    pods: mappings.reduce((n, m) => n + m.podCount, 0),
    mappings,
    openRoles: [],
  };
}

/**
 * A large estate: 40 namespaces of 60 service accounts (two workloads, six pods each) that fit one
 * diagram per namespace, one namespace of 1,500 service accounts over 700 roles that does not, and a
 * second cluster small enough for one diagram.
 */
function largeEstate(): Report {
  const mappings: RoleMapping[] = [];
  for (let n = 0; n < 40; n++) for (let s = 0; s < 60; s++) mappings.push(mapping(`team-${n}`, `sa-${s}`, `team-${n}-role-${s % 7}`, 2));
  for (let s = 0; s < 1500; s++) mappings.push(mapping('monolith', `worker-${s}`, `monolith-role-${s % 700}`, 2, s % 3 === 0 ? 'broken' : 'active'));
  return { ...demoReport, clusters: [cluster('big', mappings), cluster('small', [mapping('shop', 'cart', 'cart-role', 1)])] };
}

const edgesOf = (text: string) => text.split('\n').filter((l) => / -\.?->/.test(l));

describe('Mermaid diagrams of a large estate', () => {
  const report = largeEstate();
  const markdown = emitReportMarkdown(report);
  const blocks = codeBlocksOf(markdown).filter((b) => b.lang === 'mermaid');

  it('keeps every block within what Mermaid (and so GitHub) draws', () => {
    expect(clusterDiagrams(report.clusters[0]!).length).toBeGreaterThan(40);
    for (const b of blocks) {
      expect(b.text.length).toBeLessThanOrEqual(MERMAID_LIMITS.chars);
      expect(b.text.length).toBeLessThan(50_000);
      expect(edgesOf(b.text).length).toBeLessThanOrEqual(500);
    }
  });

  it('draws a cluster that fits as one diagram, uncollapsed', () => {
    const small = markdown.slice(markdown.indexOf('### Cluster `small`'));
    expect(codeBlocksOf(small.slice(0, small.indexOf('## ', 4))).filter((b) => b.lang === 'mermaid')).toHaveLength(1);
    expect(small.slice(0, small.indexOf('```mermaid'))).not.toContain('<details>');
  });

  it('splits a cluster over the limit per namespace, collapsed, with a blank line after the summary', () => {
    const big = markdown.slice(markdown.indexOf('### Cluster `big`'), markdown.indexOf('### Cluster `small`'));
    expect(big).toMatch(/<details><summary>4\d diagrams: one per namespace, 1 namespace as counts per role<\/summary>\n\n/);
    for (let n = 0; n < 40; n++) expect(big).toContain(`Namespace team-${n}:\n`);
    const team0 = codeBlocksOf(big.slice(big.indexOf('Namespace team-0:\n'))).find((b) => b.lang === 'mermaid')!;
    for (let s = 0; s < 60; s++) expect(team0.text).toContain(`"team-0/sa-${s}"`);
  });

  it('summarises a namespace still too large, says so, and loses no count', () => {
    const big = markdown.slice(markdown.indexOf('### Cluster `big`'), markdown.indexOf('### Cluster `small`'));
    const titles = [
      ...big.matchAll(/^Namespace monolith \(part (\d+) of (\d+)\): its 1,500 role mappings drawn as counts per role .*; the table lists each\.$/gm),
    ];
    expect(titles.length).toBeGreaterThan(1);
    expect(titles.map((t) => Number(t[1]))).toEqual(titles.map((_, i) => i + 1));
    const summaries = clusterDiagrams(report.clusters[0]!).filter((d) => d.namespace === 'monolith');
    expect(summaries.every((d) => d.summarised)).toBe(true);
    const edges = summaries.flatMap((d) => edgesOf(d.text));
    const sum = (re: RegExp) => edges.reduce((n, e) => n + Number(re.exec(e)?.[1] ?? NaN), 0);
    const groups = new Set(report.clusters[0]!.mappings.filter((m) => m.namespace === 'monolith').map((m) => `${m.roleArn} ${m.status}`));
    expect(groups.size).toBeGreaterThan(700);
    expect(edges.length).toBe(groups.size);
    expect(sum(/"(\d+) service accounts?,/)).toBe(1500);
    expect(sum(/, (\d+) workloads?,/)).toBe(3000);
    expect(sum(/, (\d+) pods?:/)).toBe(9000);
    expect(edges.filter((e) => e.includes(' -.->')).every((e) => e.includes('IRSA broken'))).toBe(true);
  });
});

describe('Mermaid diagrams of hostile values', () => {
  it('keeps a block within the limits whatever the length of a name', () => {
    const long = 'n'.repeat(100_000);
    const report = { ...demoReport, clusters: [cluster('c', [mapping(long, long, 'role', 1), mapping('x', 'y', 'r'.repeat(60_000), 1)])] };
    const blocks = codeBlocksOf(emitReportMarkdown(report)).filter((b) => b.lang === 'mermaid');
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(b.text.length).toBeLessThan(50_000);
  });

  it('draws one service account with more workloads than Mermaid draws as counts', () => {
    const report = { ...demoReport, clusters: [cluster('c', [mapping('shop', 'everything', 'role', 800)])] };
    const markdown = emitReportMarkdown(report);
    const blocks = codeBlocksOf(markdown).filter((b) => b.lang === 'mermaid');
    expect(blocks).toHaveLength(1);
    expect(edgesOf(blocks[0]!.text)).toHaveLength(1);
    expect(blocks[0]!.text).toContain('1 service account, 800 workloads, 2400 pods: IRSA');
    expect(markdown).toContain('Namespace shop: its 1 role mapping drawn as counts per role');
  });
});
