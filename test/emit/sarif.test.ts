import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { reportSarif, reportSarifChunks, FINGERPRINT_KEY } from '../../src/emit/report/sarif.js';
import { CATALOGUE } from '../../src/findings/catalogue.js';
import type { Finding } from '../../src/findings/model.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import type { Report, ReportEvidenceFile } from '../../src/report/model.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

// test/fixtures/schemas/sarif-schema-2.1.0.json: the SARIF 2.1.0 JSON Schema (draft-07) of github.com/oasis-tcs/sarif-spec,
// sarif-2.1/prose/sarif-schema-2.1.0.json at commit a560296ca8c921f3bdb8d4a8db57ab83dae968a7 (formerly
// Schemata/sarif-schema-2.1.0.json), unchanged.

const ROOT = join(import.meta.dirname, '..', '..');
const DEMO = join(ROOT, 'fixtures', 'demo');
const BIN = join(ROOT, 'bin', 'irsa2pi.js');

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;
// unicodeRegExp: false, as the schema's pattern for `language` (`…{2}]?$`) is not a valid regular expression with the u flag.
const ajv = addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }));
const validate = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'schemas', 'sarif-schema-2.1.0.json'), 'utf8')) as object);

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } };
    logicalLocations?: { name: string; fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: {
          id: string;
          name: string;
          helpUri: string;
          help: { text: string; markdown: string };
          defaultConfiguration: { level: string };
          properties: { 'security-severity': string; tags: string[] };
        }[];
      };
    };
    results: SarifResult[];
  }[];
}

function reportOf(dir: string, findings?: (found: readonly Finding[]) => Finding[]) {
  const inventory = readEvidenceBundle(dir);
  const p = plan(inventory, { generatedAt: '2026-01-01T00:00:00.000Z' });
  const report = buildReport(inventory, p);
  return findings ? buildReport(inventory, p, { findings: findings(report.findings) }) : report;
}

function sarifText(dir: string, findings?: (found: readonly Finding[]) => Finding[]): string {
  return [...reportSarifChunks(reportOf(dir, findings), { bundle: dir })].join('');
}

function valid(text: string): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
  return log;
}

const copyOfDemo = () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'irsa2pi-sarif-')), 'bundle');
  cpSync(DEMO, dir, { recursive: true });
  return dir;
};

describe('report --format sarif', () => {
  const demo = reportOf(DEMO);
  const log = valid(sarifText(DEMO));
  const run = log.runs[0]!;

  it('is a SARIF 2.1.0 log of one run that the official schema accepts', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe('irsa2pi');
    expect(run.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('describes every catalogue rule once, with its level, GitHub security severity, help and a link to its section of docs/rules.md', () => {
    const rules = run.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(CATALOGUE.map((r) => r.id));
    const level = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
    const score = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };
    for (const [i, r] of rules.entries()) {
      const entry = CATALOGUE[i]!;
      expect(r.defaultConfiguration.level).toBe(level[entry.severity]);
      expect(r.properties['security-severity']).toBe(score[entry.severity]);
      expect(r.properties.tags).toContain('security');
      expect(r.helpUri).toMatch(new RegExp(`/docs/rules\\.md#${entry.id}$`));
      expect(r.help.markdown).toContain(entry.fix);
      expect(r.help.text).toContain(entry.explanation);
    }
  });

  it('has one result per finding, pointing at its rule, in the order of the findings', () => {
    expect(demo.findings.length).toBeGreaterThan(5);
    expect(run.results.map((r) => [r.ruleId, r.message.text])).toEqual(demo.findings.map((f) => [f.rule, f.message.replace(/[[\]]/g, (b) => `\\${b}`)]));
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    expect(new Set(run.results.map((r) => r.level))).toEqual(new Set(['error', 'warning', 'note']));
  });

  it('locates each result in the evidence file it is about, relative to the bundle, and names its subjects', () => {
    for (const [i, r] of run.results.entries()) {
      const f = demo.findings[i]!;
      const [location] = r.locations;
      const uri = location!.physicalLocation.artifactLocation.uri;
      expect(uri).not.toMatch(/fixtures|^\//);
      if (uri !== '.') expect(existsSync(join(DEMO, ...uri.split('/').map(decodeURIComponent))), uri).toBe(true);
      if (f.serviceAccount) expect(uri, f.message).toBe(`kubernetes/${f.cluster}/resources.yaml`);
      else if (f.roleArn) expect(uri, f.message).toMatch(/^aws\/\d{12}\/iam-authorization-details\.json$/);
      const names = (location!.logicalLocations ?? []).map((l) => l.fullyQualifiedName);
      if (f.roleArn) expect(names).toContain(f.roleArn);
      if (f.serviceAccount) expect(names).toContain(`${f.cluster}/${f.namespace}/${f.serviceAccount}`);
    }
    const agent = run.results.find((r) => r.ruleId === 'agent-missing' || r.ruleId === 'cluster-not-scanned');
    if (agent) expect(agent.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^aws\/\d{12}\/[a-z0-9-]+\/cluster-[a-z0-9-]+\.json$/);
  });

  it('fingerprints each result by rule and subjects: the same in another run, another bundle directory and with other message text, and unique in a run', () => {
    const fingerprints = (l: SarifLog) => l.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    const first = fingerprints(log);
    expect(first.every((h) => /^[0-9a-f]{64}$/.test(h!))).toBe(true);
    expect(new Set(first).size).toBe(first.length);
    const moved = copyOfDemo();
    const again = valid(sarifText(moved));
    expect(fingerprints(again)).toEqual(first);
    expect(again.runs[0]!.results.map((r) => r.locations)).toEqual(run.results.map((r) => r.locations));
    const reworded = valid(sarifText(DEMO, (found) => found.map((f) => ({ ...f, message: `${f.message} (reworded in a later release)` }))));
    expect(fingerprints(reworded)).toEqual(first);
  });

  it('tells apart findings of one rule about the same subjects', () => {
    const twice = valid(
      sarifText(DEMO, () => [
        { rule: 'scan-gap', severity: 'medium', message: 'region eu-west-1 could not be read: denied' },
        { rule: 'scan-gap', severity: 'medium', message: 'region us-east-1 could not be read: denied' },
      ]),
    );
    const [a, b] = twice.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(a).not.toBe(b);
  });

  it('keeps a hostile value as data: plain message text with brackets escaped, controls and bidi escaped in the JSON', () => {
    const hostile = 'x\n\u202e[click](javascript:alert(1))\u202c';
    const text = sarifText(DEMO, (found) => [
      ...found,
      {
        rule: 'sa-role-missing',
        severity: 'high',
        message: `${hostile} is missing`,
        cluster: hostile,
        namespace: 'n',
        serviceAccount: hostile,
        roleArn: `arn:aws:iam::111122223333:role/${hostile}`,
      },
    ]);
    expect(text).not.toMatch(/[\u202e\u202c]/);
    expect(text).toContain('\\u202e');
    const parsed = valid(text);
    const result = parsed.runs[0]!.results.find((r) => r.message.text.includes('javascript'))!;
    expect(result.message.text).toBe('x\n\u202e\\[click\\](javascript:alert(1))\u202c is missing');
    expect(result.message.text).not.toMatch(/(?<!\\)[[\]]/);
    for (const rule of parsed.runs[0]!.tool.driver.rules) expect(rule.help.markdown).not.toContain('javascript');
    expect(result.locations[0]!.logicalLocations!.map((l) => l.fullyQualifiedName)).toContain(`${hostile}/n/${hostile}`);
  });

  it("keeps each subject-less finding's fingerprint when a sibling of the same rule goes away (what its message names tells them apart)", () => {
    const unused = (id: string): Finding => ({
      rule: 'oidc-provider-unused',
      severity: 'low',
      message: `arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/${id}: no cluster of the bundle has issuer oidc.eks.eu-west-1.amazonaws.com/id/${id}`,
    });
    const prints = (ids: string[]) => {
      const log = valid(sarifText(DEMO, (found) => [...found.filter((f) => f.rule !== 'oidc-provider-unused'), ...ids.map(unused)]));
      return new Map(
        log.runs[0]!.results.filter((r) => r.ruleId === 'oidc-provider-unused').map((r) => [r.message.text.slice(-4), r.partialFingerprints[FINGERPRINT_KEY]!]),
      );
    };
    const both = prints(['A5FF', 'FFFF']);
    expect(new Set(both.values()).size).toBe(2);
    expect(prints(['FFFF']).get('FFFF')).toBe(both.get('FFFF'));
    expect(prints(['A5FF']).get('A5FF')).toBe(both.get('A5FF'));
  });

  it('escapes a backslash too, so an escaped bracket in a name cannot turn back into a link', () => {
    const sneaky = 'x\\[y\\](https://evil.example)';
    const parsed = valid(
      sarifText(DEMO, (found) => [
        ...found,
        { rule: 'sa-role-missing', severity: 'high', message: `${sneaky} is missing`, cluster: 'c', namespace: 'n', serviceAccount: 's' },
      ]),
    );
    const text = parsed.runs[0]!.results.find((r) => r.message.text.includes('evil'))!.message.text;
    expect(text).toBe('x\\\\\\[y\\\\\\](https://evil.example) is missing');
    expect(text.replace(/\\./g, '')).not.toMatch(/[[\]]/);
  });

  it("describes a rule the catalogue does not have (a library caller's own) by its id alone, without a dead link", () => {
    const own = valid(sarifText(DEMO, (found) => [...found, { rule: 'my rule #1](x)', severity: 'low', message: 'mine' }]));
    const rules = own.runs[0]!.tool.driver.rules;
    expect(rules).toHaveLength(CATALOGUE.length + 1);
    expect(rules[CATALOGUE.length]).toEqual({
      id: 'my rule #1](x)',
      shortDescription: { text: 'my rule #1](x)' },
      defaultConfiguration: { level: 'note' },
      properties: { 'security-severity': '3.0', tags: ['security'] },
    });
    const result = own.runs[0]!.results.find((r) => r.ruleId === 'my rule #1](x)')!;
    expect(result.ruleIndex).toBe(CATALOGUE.length);
  });

  it('writes a file name that needs escaping as a valid URI reference', () => {
    const dir = copyOfDemo();
    renameSync(join(dir, 'aws', '111122223333', 'iam-authorization-details.json'), join(dir, 'aws', '111122223333', 'iam details #1 100%.json'));
    const parsed = valid(sarifText(dir));
    const uris = new Set(parsed.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri));
    expect(uris).toContain('aws/111122223333/iam%20details%20%231%20100%25.json');
  });
});

describe('SARIF of every fixture bundle', () => {
  const bundles = ['fixtures', 'fixtures/rules', 'test/fixtures/hostile'].flatMap((base) =>
    readdirSync(join(ROOT, base))
      .sort()
      .map((d) => join(ROOT, base, d))
      .filter((d) => statSync(d).isDirectory() && !['rules', 'invalid'].includes(d.slice(d.lastIndexOf('/') + 1))),
  );

  it('validates, has a result per finding with a fingerprint of its own, and writes no raw control or bidi character', () => {
    let read = 0;
    for (const dir of bundles) {
      let report: Report;
      try {
        report = reportOf(dir);
      } catch {
        continue;
      }
      read++;
      const text = [...reportSarifChunks(report, { bundle: dir })].join('');
      expect(text, dir).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      const results = valid(text).runs[0]!.results;
      expect(results.length, dir).toBe(report.findings.length);
      const fingerprints = results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
      expect(new Set(fingerprints).size, dir).toBe(fingerprints.length);
      for (const r of results) expect(r.locations[0]!.physicalLocation.artifactLocation.uri, dir).not.toContain(ROOT);
    }
    expect(read).toBeGreaterThan(60);
  });
});

describe('SARIF locations', () => {
  const file = (path: string, kind: string, more: Partial<ReportEvidenceFile> = {}): ReportEvidenceFile => ({
    path,
    kind,
    accountId: null,
    region: null,
    cluster: null,
    modifiedAt: null,
    collectedAt: null,
    ...more,
  });
  const uris = (files: ReportEvidenceFile[], findings: Finding[]) => {
    const report = { ...reportOf(DEMO), findings, evidence: { ...reportOf(DEMO).evidence, files } } as Report;
    const log = reportSarif(report, { bundle: 'b' }) as SarifLog;
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    return log.runs[0]!.results.map((r) => [r.message.text, r.locations[0]!.physicalLocation.artifactLocation.uri]);
  };
  const role = (name: string, account = '111122223333'): Finding => ({
    rule: 'sa-role-missing',
    severity: 'high',
    message: name,
    roleArn: `arn:aws:iam::${account}:role/${name}`,
  });

  it("takes a role to its own get-role file, else its account's authorization details, else the bundle root", () => {
    const files = [
      file('b/aws/get-role-app.json', 'iam-get-role', { accountId: '111122223333' }),
      file('b/..aws/a.json', 'iam-get-role', { accountId: '111122223333' }),
      file('b/aws/other/iam.json', 'iam-authorization-details', { accountId: '444455556666' }),
    ];
    expect(uris(files, [role('a'), role('app'), role('ap'), role('x', '444455556666'), role('y', '999999999999')])).toEqual([
      ['a', '..aws/a.json'],
      ['ap', '.'],
      ['app', 'aws/get-role-app.json'],
      ['x', 'aws/other/iam.json'],
      ['y', '.'],
    ]);
  });

  it('takes a cluster to its description, the same one whatever order the files come in when two clusters share the name', () => {
    const files = [
      file('b/aws/1/us-east-1/cluster-prod.json', 'eks-describe-cluster', { cluster: 'prod' }),
      file('b/aws/1/eu-west-1/cluster-prod.json', 'eks-describe-cluster', { cluster: 'prod' }),
    ];
    const finding: Finding = { rule: 'agent-missing', severity: 'medium', message: 'prod has no agent', cluster: 'prod' };
    expect(uris(files, [finding])).toEqual([['prod has no agent', 'aws/1/eu-west-1/cluster-prod.json']]);
    expect(uris([...files].reverse(), [finding])).toEqual([['prod has no agent', 'aws/1/eu-west-1/cluster-prod.json']]);
  });
});

describe('irsa2pi report --format sarif', () => {
  it('writes the SARIF log of the bundle, the same from two runs, and lists sarif among the formats', () => {
    const run = () => spawnSync(process.execPath, [BIN, 'report', '--evidence', 'fixtures/demo', '--format', 'sarif'], { cwd: ROOT, encoding: 'utf8' });
    const a = run();
    expect(a.status, a.stderr).toBe(0);
    const parsed = valid(a.stdout);
    expect(parsed.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).not.toContainEqual(expect.stringMatching(/fixtures/));
    expect(run().stdout).toBe(a.stdout);
    const bad = spawnSync(process.execPath, [BIN, 'report', '--evidence', 'fixtures/demo', '--format', 'sarif2'], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('markdown, csv, json, sarif');
  });
});
