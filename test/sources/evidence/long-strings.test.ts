/**
 * Strings longer than Kubernetes or AWS ever hold are forged: the readers refuse each one they take,
 * with the file and the path, before copies of it outgrow what Node can hold.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, MAX_MESSAGE_CHARS } from '../../../src/errors.js';
import { MAX_STRING_CHARS } from '../../../src/sources/evidence/limits.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { MAX_TOKEN_CHARS } from '../../../src/sources/evidence/yaml-documents.js';

const CONTROL = join(import.meta.dirname, '..', '..', 'fixtures', 'hostile', 'control-base');
const IAM = 'aws/111122223333/iam-authorization-details.json';
const scratch = mkdtempSync(join(tmpdir(), 'irsa2pi-long-strings-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

let bundles = 0;
function bundleWith(files: Record<string, string>): string {
  const dir = join(scratch, `b${bundles++}`);
  cpSync(CONTROL, dir, { recursive: true });
  rmSync(join(dir, 'expect.json'));
  for (const [rel, content] of Object.entries(files)) writeFileSync(join(dir, rel), content);
  return dir;
}

function readError(dir: string): InputError {
  try {
    readEvidenceBundle(dir);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('the bundle was read');
}

const serviceAccount = (name: string, namespace: string, annotations: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, annotations } });
const roleArn = (length: number) => `arn:aws:iam::111122223333:role/${'r'.repeat(length - 'arn:aws:iam::111122223333:role/'.length)}`;
const iamWith = (edit: (role: Record<string, unknown>) => void) => {
  const iam = JSON.parse(readFileSync(join(CONTROL, IAM), 'utf8')) as { RoleDetailList: Record<string, unknown>[] };
  edit(iam.RoleDetailList[0]!);
  return JSON.stringify(iam);
};

describe('strings longer than Kubernetes or AWS hold', () => {
  it('a Kubernetes string the reader takes is refused one character past the limit, naming the file and path, and read at it', () => {
    const cases: [string, (n: number) => string, RegExp][] = [
      [
        'role-arn annotation',
        (n) => serviceAccount('big', 'shop', { 'eks.amazonaws.com/role-arn': roleArn(n) }),
        /\$\.metadata\.annotations\.eks\.amazonaws\.com\/role-arn is \d+ characters long/,
      ],
      ['other annotation', (n) => serviceAccount('big', 'shop', { note: 'x'.repeat(n) }), /\$\.metadata\.annotations\.note is \d+ characters long/],
      ['annotation key', (n) => serviceAccount('big', 'shop', { ['k'.repeat(n)]: 'v' }), /\$\.metadata\.annotations\.k+\.\.\. is \d+ characters long/],
      ['namespace', (n) => serviceAccount('big', 'n'.repeat(n), {}), /\$\.metadata\.namespace is \d+ characters long/],
      [
        'list item name',
        (n) =>
          JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p'.repeat(n), namespace: 'shop' } }] }),
        /\$\.items\[0\]\.metadata\.name is \d+ characters long/,
      ],
    ];
    for (const [what, json, message] of cases) {
      const file = join(bundleWith({ 'kubernetes/c1/big.json': json(MAX_STRING_CHARS + 1) }), 'kubernetes/c1/big.json');
      const e = readError(join(file, '..', '..', '..'));
      expect(e.file, what).toBe(file);
      expect(e.message, what).toMatch(message);
      expect(e.message, what).toContain(`${MAX_STRING_CHARS + 1} characters long, more than the ${MAX_STRING_CHARS}`);
      expect(() => readEvidenceBundle(bundleWith({ 'kubernetes/c1/big.json': json(MAX_STRING_CHARS) })), what).not.toThrow();
    }
  });

  it('a string of AWS evidence is refused past the limit: a field, and a value inside a trust policy as an object or URL-encoded', () => {
    const trustWith = (value: string) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/x' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'x:sub': value } },
        },
      ],
    });
    const cases: [string, (n: number) => string, RegExp][] = [
      ['RoleName', (n) => iamWith((r) => (r.RoleName = 'r'.repeat(n))), /^\$\.RoleDetailList\[0\]\.RoleName is \d+ characters long/],
      [
        'trust value',
        (n) => iamWith((r) => (r.AssumeRolePolicyDocument = trustWith('s'.repeat(n)))),
        /^\$\.RoleDetailList\[0\]\.AssumeRolePolicyDocument holds a string \d+ characters long/,
      ],
      [
        'URL-encoded trust',
        (n) => iamWith((r) => (r.AssumeRolePolicyDocument = encodeURIComponent(JSON.stringify(trustWith('s'.repeat(n)))))),
        /^\$\.RoleDetailList\[0\]\.AssumeRolePolicyDocument holds a string \d+ characters long/,
      ],
    ];
    for (const [what, json, message] of cases) {
      const dir = bundleWith({ [IAM]: json(MAX_STRING_CHARS + 1) });
      const e = readError(dir);
      expect(e.file, what).toBe(join(dir, IAM));
      expect(e.message, what).toMatch(message);
      expect(() => readEvidenceBundle(bundleWith({ [IAM]: json(MAX_STRING_CHARS) })), what).not.toThrow();
    }
  });

  it('YAML: a token longer than any string written with every character escaped is refused at its line and column, before it is built', () => {
    const yaml = (scalar: string) => `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: big\n  namespace: shop\n  annotations:\n    note: ${scalar}\n`;
    const dir = bundleWith({ 'kubernetes/c1/big.yaml': yaml(`"${'x'.repeat(MAX_TOKEN_CHARS)}"`) });
    const e = readError(dir);
    expect(e.file).toBe(join(dir, 'kubernetes/c1/big.yaml'));
    expect(e.location).toEqual({ line: 7, column: 11 });
    expect(e.message).toBe(`malformed YAML: a scalar or other token longer than ${MAX_TOKEN_CHARS} characters`);
    const escaped = `"${'\\u00e9'.repeat(MAX_STRING_CHARS)}"`;
    const sa = readEvidenceBundle(bundleWith({ 'kubernetes/c1/big.yaml': yaml(escaped) })).clusters[0]!.kubernetes!.serviceAccounts.find(
      (s) => s.name === 'big',
    );
    expect(sa?.annotations.note).toBe('é'.repeat(MAX_STRING_CHARS));
  });
});

describe("an input error's one line", () => {
  it('escapes control characters of the file and the message, and cuts a message quoting a forged value', () => {
    const e = new InputError('key "a\nirsa2pi: error: forged\u001b[2J" must be a string', 'kubernetes/c1/x\r.json', { line: 1, column: 2 });
    expect(e.line).toBe('kubernetes/c1/x\\x0d.json:1:2: key "a\\x0airsa2pi: error: forged\\x1b[2J" must be a string');
    const long = new InputError(`not an ARN: "${'a'.repeat(5000)}"`, 'f.json').line;
    expect(long).toBe(`f.json: not an ARN: "${'a'.repeat(MAX_MESSAGE_CHARS - 13)}... (${5000 + 14} characters in all)`);
  });
});
