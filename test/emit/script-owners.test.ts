import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDirectoryAtomic } from '../../src/cli/write-atomic.js';
import { InputError } from '../../src/errors.js';
import { cliJson, emitScript } from '../../src/emit/plan/script/index.js';
import { sortedKeys, withTrust } from '../../src/emit/plan/script/stack-template.js';
import type { EmittedFile } from '../../src/emit/types.js';
import type { PolicyDocument } from '../../src/iam/policy.js';
import type { Plan, PlannedRole } from '../../src/plan/model.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { runCommand } from '../helpers/exec.js';

const ESTATE = path.join(import.meta.dirname, '..', '..', 'fixtures', 'owners', 'estate');
const ROLE = 'arn:aws:iam::111122223333:role/eksctl-c1-addon-iamserviceaccount-shop-cart-Role1-Q2T7XW9KJ0ZP';
const TRUST: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

function files(p: Plan): EmittedFile[] {
  const r = emitScript(p, {});
  if (r.kind !== 'files') throw new Error('expected files');
  return [...r.files];
}

describe('withTrust: a stack template with one role trust replaced', () => {
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'two roles',
    Parameters: { Env: { Type: 'String' } },
    Resources: {
      Zeta: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] }, Path: '/z/' } },
      Role1: {
        Type: 'AWS::IAM::Role',
        DependsOn: 'Zeta',
        Properties: {
          RoleName: 'r',
          AssumeRolePolicyDocument: { Statement: [], Version: '2012-10-17' },
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        },
      },
      Alpha: { Type: 'AWS::SNS::Topic' },
    },
    Outputs: { Role1: { Value: { 'Fn::GetAtt': 'Role1.Arn' } } },
  };

  it('changes only Resources.<logicalId>.Properties.AssumeRolePolicyDocument; every other key keeps its value and place', () => {
    const before = JSON.stringify(template);
    const out = withTrust(template, 'Role1', TRUST, 'test');
    expect(JSON.stringify(template)).toBe(before);
    const role1 = (out.Resources as Record<string, { Properties: Record<string, unknown> }>).Role1!;
    expect(role1.Properties.AssumeRolePolicyDocument).toEqual(TRUST);
    const masked = (t: unknown) =>
      JSON.stringify(t).replace(JSON.stringify(TRUST), JSON.stringify(template.Resources.Role1.Properties.AssumeRolePolicyDocument));
    expect(masked(out)).toBe(before);
    expect(Object.keys(out)).toEqual(Object.keys(template));
    expect(Object.keys(out.Resources as object)).toEqual(['Zeta', 'Role1', 'Alpha']);
    expect(Object.keys(role1.Properties)).toEqual(['RoleName', 'AssumeRolePolicyDocument', 'ManagedPolicyArns']);
    expect(JSON.stringify((out.Resources as Record<string, unknown>).Zeta)).toBe(JSON.stringify(template.Resources.Zeta));
  });

  it('refuses a logical ID without a trust document to replace', () => {
    expect(() => withTrust(template, 'Alpha', TRUST, 'role x')).toThrow(InputError);
    expect(() => withTrust(template, 'Nope', TRUST, 'role x')).toThrow(/role x: the stack's template has no AssumeRolePolicyDocument of Nope/);
  });

  it('sortedKeys sorts the keys of every object, lists kept in order', () => {
    expect(JSON.stringify(sortedKeys({ b: 1, a: [{ d: 1, c: 2 }, 3], C: null }))).toBe('{"C":null,"a":[{"c":2,"d":1},3],"b":1}');
  });
});

describe('scripts for fixtures/owners/estate', () => {
  const p = plan(readEvidenceBundle(ESTATE), { generatedAt: '2026-01-01T00:00:00.000Z' });
  const fs = files(p);
  const role = p.roles.find((r) => r.arn === ROLE)!;
  const base = `stack/111122223333-${role.name}`;
  const evidence = role.stack!.template!;

  it('are shellcheck-clean at severity warning and parse with bash -n', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'irsa2pi-script-')), 'out');
    writeDirectoryAtomic(dir, fs);
    const sc = await runCommand('shellcheck', ['-S', 'warning', 'migrate.sh', 'finalize.sh', 'rollback.sh'], { cwd: dir });
    expect(sc.code, sc.stdout + sc.stderr).toBe(0);
    for (const s of ['migrate.sh', 'finalize.sh', 'rollback.sh']) expect((await runCommand('bash', ['-n', s], { cwd: dir })).code).toBe(0);
  });

  it("ship the stack's template per phase: the evidence's at current, the phase's trust in Role1 otherwise, as the CLI prints it and compact", () => {
    const content = (f: string) => fs.find((x) => x.path === f)?.content;
    expect(content(`${base}.current.json`)).toBe(cliJson(evidence as unknown as PolicyDocument));
    expect(content(`${base}.current.body.json`)).toBe(`${JSON.stringify(evidence)}\n`);
    for (const phase of ['transition', 'final'] as const) {
      const t = JSON.parse(content(`${base}.${phase}.json`)!) as { Resources: { Role1: { Properties: Record<string, unknown> } } };
      expect(t.Resources.Role1.Properties.AssumeRolePolicyDocument).toEqual(role.trustPolicy[phase]);
      expect(content(`${base}.${phase}.json`)).toBe(`${JSON.stringify(t, null, 4)}\n`);
      expect(content(`${base}.${phase}.body.json`)).toBe(`${JSON.stringify(t)}\n`);
      expect(JSON.stringify(t).replace(JSON.stringify(role.trustPolicy[phase]), JSON.stringify(role.trustPolicy.current))).toBe(JSON.stringify(evidence));
    }
  });

  it("name each owned role's owner in owner_of; Terraform's trusts also with sorted keys; no stack files for other roles", () => {
    const migrate = fs.find((f) => f.path === 'migrate.sh')!.content;
    expect(migrate).toContain(
      `'111122223333|${role.name}') OWNER='stack' OWNER_STACK='eksctl-c1-addon-iamserviceaccount-shop-cart' OWNER_REGION='eu-west-1' OWNER_LOGICAL_ID='Role1'`,
    );
    expect(migrate).toContain(`'111122223333|reports-reader') OWNER='terraform'`);
    expect(migrate).not.toContain(`'111122223333|hand-made') OWNER=`);
    const reports = p.roles.find((r) => r.name === 'reports-reader')!;
    expect(fs.find((f) => f.path === 'trust/111122223333-reports-reader.transition.terraform.json')?.content).toBe(
      `${JSON.stringify(sortedKeys(reports.trustPolicy.transition), null, 4)}\n`,
    );
    expect(fs.filter((f) => f.path.startsWith('stack/')).map((f) => f.path.split('.')[0])).toEqual(Array(6).fill(base));
  });

  it('a stack-owned role whose template the plan does not hold is refused, not changed with update-assume-role-policy', () => {
    const strip = (r: PlannedRole): PlannedRole => (r.arn === ROLE ? { ...r, stack: { name: r.stack!.name, region: r.stack!.region, logicalId: 'Role1' } } : r);
    expect(() => files({ ...p, roles: p.roles.map(strip) })).toThrow(
      /refusing to emit: role .*Role1-Q2T7XW9KJ0ZP belongs to a stack whose template the plan does not hold/,
    );
    const bad = (r: PlannedRole): PlannedRole => (r.arn === ROLE ? { ...r, stack: { ...r.stack!, name: "x'; rm -rf /" } } : r);
    expect(() => files({ ...p, roles: p.roles.map(bad) })).toThrow(/is not a CloudFormation stack name/);
  });
});
