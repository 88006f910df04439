import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { jsonChunks } from '../../src/emit/json-chunks.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { REPORT_CHUNKS } from '../../src/emit/report/index.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { generateSchemas } from '../../tools/gen-schemas.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const AT = '2026-01-01T00:00:00.000Z';
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

function schema(name: string): object {
  return JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.schema.json`), 'utf8')) as object;
}

function validator(name: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(schema(name));
}

const validatePlan = validator('plan');
const validateReport = validator('report');

function errors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

/** Every evidence bundle in the repository: a directory holding an `aws/` or `kubernetes/` folder. */
function bundles(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.isSymbolicLink());
  if (entries.some((e) => e.name === 'aws' || e.name === 'kubernetes')) return [dir];
  return entries.filter((e) => e.name !== 'node_modules').flatMap((e) => bundles(join(dir, e.name)));
}

/** Whether the bundle is meant to be refused: fixtures/invalid, or a hostile case whose expect.json says `error`. */
function meantToFail(dir: string): boolean {
  const rel = relative(ROOT, dir).split('\\').join('/');
  if (rel.startsWith('fixtures/invalid/')) return true;
  const expectFile = join(dir, 'expect.json');
  if (!rel.startsWith('test/fixtures/hostile/') || !existsSync(expectFile)) return false;
  return (JSON.parse(readFileSync(expectFile, 'utf8')) as { outcome?: string }).outcome === 'error';
}

const ALL = [...bundles(join(ROOT, 'fixtures')), ...bundles(join(ROOT, 'test'))].map((dir) => relative(ROOT, dir).split('\\').join('/')).sort();

describe('the committed schemas are what the generator makes from the types', () => {
  it.each(generateSchemas())('$file', ({ file, text }) => {
    const path = join(ROOT, file);
    expect(existsSync(path), `${file} is missing; run \`npm run schemas\` and commit it`).toBe(true);
    expect(readFileSync(path, 'utf8') === text, `${file} differs from the TypeScript types; run \`npm run schemas\` and commit it`).toBe(true);
  });
});

describe('the package ships the schemas', () => {
  const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; files: string[] };
  const require = createRequire(join(ROOT, 'package.json'));

  it.each(['plan', 'report'])('%s.schema.json is exported and packed', (name) => {
    expect(require.resolve(`${packageJson.name}/schemas/${name}.schema.json`)).toBe(join(ROOT, 'schemas', `${name}.schema.json`));
    expect(packageJson.files).toContain('schemas');
  });
});

describe('every bundle of the repository plans and reports to JSON its schema accepts', () => {
  it('finds the bundles', () => {
    expect(ALL).toContain('fixtures/demo');
    expect(ALL.filter((b) => b.startsWith('test/fixtures/hostile/')).length).toBeGreaterThan(50);
    expect(ALL.filter((b) => b.startsWith('fixtures/rules/')).length).toBeGreaterThan(20);
    expect(ALL).toContain('test/fixtures/bundles/collected');
  });

  it.each(ALL)('%s', (bundle) => {
    let inventory;
    try {
      inventory = readEvidenceBundle(join(ROOT, bundle));
    } catch (error) {
      expect(error, `${bundle} was refused`).toBeInstanceOf(InputError);
      expect(meantToFail(join(ROOT, bundle)), `${bundle} was refused but is not meant to be: ${(error as Error).message}`).toBe(true);
      return;
    }
    expect(meantToFail(join(ROOT, bundle)), `${bundle} is meant to be refused`).toBe(false);
    const planned = plan(inventory, { generatedAt: AT });
    const planJson: unknown = JSON.parse([...jsonChunks(planned)].join(''));
    expect(validatePlan(planJson), `plan of ${bundle}:\n${errors(validatePlan)}`).toBe(true);
    const reportJson: unknown = JSON.parse([...REPORT_CHUNKS.json(buildReport(inventory, planned))].join(''));
    expect(validateReport(reportJson), `report of ${bundle}:\n${errors(validateReport)}`).toBe(true);
    if (bundle === 'test/fixtures/bundles/collected') expect((reportJson as { evidence: { collectedTimes: string } }).evidence.collectedTimes).toBe('mixed');
  });
});

describe('a trust policy the reader takes as found stays within the plan schema', () => {
  it('other elements, odd Version, Id and Sid, a null condition value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-contract-'));
    try {
      cpSync(join(ROOT, 'fixtures', 'basic'), dir, { recursive: true });
      const file = join(dir, 'aws', '111122223333', 'iam-authorization-details.json');
      const details = JSON.parse(readFileSync(file, 'utf8')) as { RoleDetailList: { AssumeRolePolicyDocument: Record<string, any> }[] };
      const trust = details.RoleDetailList[0]!.AssumeRolePolicyDocument;
      Object.assign(trust, { Version: 2012, Id: { forged: true }, Extra: ['x'] });
      const statement = Array.isArray(trust.Statement) ? trust.Statement[0] : trust.Statement;
      Object.assign(statement, { Sid: 7, Weird: { a: 1 } });
      statement.Condition = { ...statement.Condition, Null: { 'aws:TokenIssueTime': null } };
      writeFileSync(file, JSON.stringify(details));
      const planned = plan(readEvidenceBundle(dir), { generatedAt: AT });
      const planJson = JSON.parse([...jsonChunks(planned)].join('')) as { roles: { trustPolicy: { current: Record<string, unknown> } }[] };
      expect(planJson.roles.some((r) => r.trustPolicy.current.Extra !== undefined)).toBe(true);
      expect(validatePlan(planJson), errors(validatePlan)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the schemas refuse what the contract does not allow', () => {
  const inventory = readEvidenceBundle(join(ROOT, 'fixtures', 'demo'));
  const planned = plan(inventory, { generatedAt: AT });
  const planJson = (): Record<string, any> => JSON.parse([...jsonChunks(planned)].join('')) as Record<string, any>;
  const reportJson = (): Record<string, any> => JSON.parse([...REPORT_CHUNKS.json(buildReport(inventory, planned))].join('')) as Record<string, any>;

  const stepOf = (p: Record<string, any>, action: string): Record<string, unknown> => {
    const step = (p.steps as Record<string, unknown>[]).find((s) => s.action === action);
    if (!step) throw new Error(`the demo plans no ${action} step`);
    return step;
  };
  const roleOf = (p: Record<string, any>, kind: string): Record<string, unknown> => {
    const role = (p.roles as Record<string, unknown>[]).find((r) => r.kind === kind && (kind === 'new' || r.chainsTo === null));
    if (!role) throw new Error(`the demo plans no ${kind} role`);
    return role;
  };

  it('accepts the demo as it is', () => {
    expect(validatePlan(planJson()), errors(validatePlan)).toBe(true);
    expect(validateReport(reportJson()), errors(validateReport)).toBe(true);
  });

  const planMutations: [string, (p: Record<string, any>) => void][] = [
    ['an extra top-level field', (p) => (p.extra = true)],
    ['an extra field in an association', (p) => (p.associations[0].extra = 1)],
    ['an extra field in a step', (p) => (p.steps[0].note = 'x')],
    ['an unknown association status', (p) => (p.associations[0].status = 'maybe')],
    ['an unknown step action', (p) => (p.steps[0].action = 'delete-role')],
    ['an unknown step phase', (p) => (p.steps[0].phase = 'later')],
    ['an unknown finding severity', (p) => (p.findings[0].severity = 'urgent')],
    ['another schemaVersion', (p) => (p.schemaVersion = 2)],
    ['a missing summary', (p) => delete p.summary],
    ['a missing association roleArn', (p) => delete p.associations[0].roleArn],
    ['a missing identities count', (p) => delete p.summary.identities.create],
    ['a role whose trust has no final phase', (p) => delete p.roles[0].trustPolicy.final],
    ['a count that is a string', (p) => (p.summary.roles = '3')],
    ['a generatedAt that is not a date-time', (p) => (p.generatedAt = 'yesterday')],
    ['a targetRoleArn that is a number', (p) => (p.associations[0].targetRoleArn = 7)],
    ['a step with a field only another action has', (p) => (stepOf(p, 'install-agent').roleArn = 'arn:aws:iam::111122223333:role/x')],
    ['a remove-annotation step with workloads', (p) => (stepOf(p, 'remove-annotation').workloads = [])],
    ['a verify step without its cluster', (p) => delete stepOf(p, 'verify').cluster],
    ['a create-role step without the role it chains into', (p) => delete stepOf(p, 'create-role').targetRoleArn],
    ['an update-addon step without its associations', (p) => delete stepOf(p, 'update-addon').podIdentityAssociations],
    ["a step in another action's phase", (p) => (stepOf(p, 'install-agent').phase = 'finalize')],
    ['a new role that chains into nothing', (p) => (roleOf(p, 'new').chainsTo = null)],
    ['a new role without its permissions policy', (p) => (roleOf(p, 'new').permissionsPolicy = null)],
    ['a role with a permissions policy but no role to chain into', (p) => (roleOf(p, 'existing').permissionsPolicy = { Version: '2012-10-17', Statement: [] })],
  ];
  it.each(planMutations)('plan: %s', (_, mutate) => {
    const p = planJson();
    mutate(p);
    expect(validatePlan(p)).toBe(false);
  });

  const reportMutations: [string, (r: Record<string, any>) => void][] = [
    ['an extra top-level field', (r) => (r.extra = true)],
    ['an unknown mapping status', (r) => (r.clusters[0].mappings[0].status = 'fine')],
    ['an unknown mechanism', (r) => (r.clusters[0].mappings[0].mechanism = 'IMDS')],
    ['an IRSA admission outside yes/no/unknown', (r) => (r.clusters[0].mappings[0].irsa = 'maybe')],
    ['a missing evidence block', (r) => delete r.evidence],
    ['an extra field in an evidence file', (r) => (r.evidence.files[0].owner = 'x')],
    ['another schemaVersion', (r) => (r.schemaVersion = 2)],
    ['a step with a field only another action has', (r) => (stepOf(r.plan, 'verify').roleArn = 'arn:aws:iam::111122223333:role/x')],
  ];
  it.each(reportMutations)('report: %s', (_, mutate) => {
    const r = reportJson();
    mutate(r);
    expect(validateReport(r)).toBe(false);
  });
});
