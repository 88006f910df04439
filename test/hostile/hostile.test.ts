/**
 * Runs every bundle of test/fixtures/hostile/ (broken and hostile evidence; regenerate with
 * `node test/hostile/generate-cases.mjs`) through the built CLI and checks its expect.json:
 * an error is exit 2 with one `irsa2pi: error:` line naming the file, no stack trace, nothing written;
 * a plan is exit 0. Every case must finish in bounded time. Big and deep inputs are generated here.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rawControls } from './raw-controls.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'irsa2pi.js');
const CASES = join(import.meta.dirname, '..', 'fixtures', 'hostile');
/** Generous: the point is "bounded", not benchmarking. */
const BOUND_MS = 20_000;
/** Peak RSS a case may take, in KiB: each corpus case's files are small, so this is Node, the modules and room to spare. */
const BOUND_RSS_KB = 192 * 1024;
const PEAK_RSS = join(import.meta.dirname, 'peak-rss.mjs');

interface Expect {
  outcome: 'error' | 'plan';
  message?: string;
  location?: boolean;
  statuses?: Record<string, string>;
  emittersRefuse?: string[];
  emittersAccept?: string[];
  outputNeverContains?: string;
  /** A service account name that the script and Terraform outputs must carry outside comments (its identity is emitted). */
  emitted?: string;
  /** A hostile value that may appear in the code outputs only on `#` comment lines and in their READMEs. */
  onlyInComments?: string;
  /** The rule id every non-good identity of the case is blocked or skipped by. */
  reason?: string;
  /** No raw control, bidi or invisible character in any human-facing output nor on stderr. */
  noRawControls?: boolean;
  /** Trust subjects that every trust document the script and Terraform outputs write holds exactly. */
  exactInTrust?: string[];
  note?: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'irsa2pi-hostile-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function run(dir: string, format = 'json', timeout = 60_000, command = 'plan') {
  const out = join(mkdtempSync(join(scratch, 'out-')), format === 'terraform' || format === 'script' ? 'tf' : 'plan.out');
  const peakFile = join(out, '..', 'peak-rss');
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', PEAK_RSS, BIN, command, '--evidence', dir, '--format', format, '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600', IRSA2PI_PEAK_FILE: peakFile },
  });
  const ms = Date.now() - started;
  const peakKb = existsSync(peakFile) ? Number(readFileSync(peakFile, 'utf8')) : Number.NaN;
  return { code: r.status, signal: r.signal, stderr: r.stderr, out, ms, peakKb };
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('irsa2pi: error: '));

function expectCleanError(r: ReturnType<typeof run>, file: RegExp | string, message?: RegExp, location?: boolean) {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(2);
  const lines = errorLines(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(/\(node:\d+\) /);
  const line = lines[0]!;
  if (typeof file === 'string') expect(line).toContain(file);
  else expect(line).toMatch(file);
  if (message) expect(line).toMatch(message);
  if (location !== undefined) expect(/\.(json|ya?ml):\d+:\d+: /.test(line), line).toBe(location);
  expect(existsSync(r.out)).toBe(false);
}

/** Each file of an --out file or directory, with its path relative to the directory. */
function namedOutputs(path: string): { name: string; text: string }[] {
  if (!statSync(path).isDirectory()) return [{ name: '', text: readFileSync(path, 'utf8') }];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ name: relative(path, join(e.parentPath, e.name)), text: readFileSync(join(e.parentPath, e.name), 'utf8') }));
}

const isComment = (line: string) => /^\s*#/.test(line);

/** Every string inside a parsed JSON value. */
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(stringsOf) : [];

const cases = readdirSync(CASES)
  .filter((name) => existsSync(join(CASES, name, 'expect.json')))
  .sort();

describe('hostile evidence corpus', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it.each(cases)('%s', (name) => {
    const dir = join(CASES, name);
    const want = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as Expect;
    const r = run(dir);
    expect(r.ms, `${name} took ${r.ms} ms`).toBeLessThan(BOUND_MS);
    expect(r.peakKb, `${name} peaked at ${r.peakKb} KiB`).toBeLessThan(BOUND_RSS_KB);
    if (want.outcome === 'error') {
      expectCleanError(r, `test/fixtures/hostile/${name}`, new RegExp(want.message!), want.location);
      return;
    }
    expect(r.code, r.stderr).toBe(0);
    expect(errorLines(r.stderr)).toEqual([]);
    const plan = JSON.parse(readFileSync(r.out, 'utf8')) as {
      associations: { cluster: string; namespace: string; serviceAccount: string; status: string; reasons: string[] }[];
    };
    for (const [key, status] of Object.entries(want.statuses ?? {})) {
      const got = plan.associations.find((a) => `${a.cluster}/${a.namespace}/${a.serviceAccount}` === key);
      expect(got?.status, `${key} in ${JSON.stringify(plan.associations.map((a) => [a.namespace, a.serviceAccount, a.status]))}`).toBe(status);
    }
    for (const format of want.emittersRefuse ?? []) {
      const e = run(dir, format);
      expect(e.ms).toBeLessThan(BOUND_MS);
      expectCleanError(e, /^irsa2pi: error: refusing to emit: /);
    }
    if (want.reason) for (const a of plan.associations.filter((o) => o.status === 'blocked')) expect(a.reasons).toContain(want.reason);
    const controls: string[] = want.noRawControls ? rawControls(r.stderr, 'stderr of json') : [];
    for (const format of want.emittersAccept ?? []) {
      const e = run(dir, format);
      expect(e.code, e.stderr).toBe(0);
      expect(e.ms).toBeLessThan(BOUND_MS);
      const files = namedOutputs(e.out);
      if (want.outputNeverContains) for (const { text } of files) expect(text).not.toContain(want.outputNeverContains);
      if (want.emitted && (format === 'script' || format === 'terraform')) {
        const code = files.filter((f) => f.name.endsWith('.sh') || f.name.endsWith('.tf')).flatMap((f) => f.text.split('\n').filter((l) => !isComment(l)));
        expect(
          code.some((l) => l.includes(`'${want.emitted}'`) || l.includes(`"${want.emitted}"`)),
          `${format} emits ${want.emitted}`,
        ).toBe(true);
      }
      if (want.onlyInComments && (format === 'script' || format === 'terraform')) {
        for (const f of files.filter((f) => f.name.endsWith('.sh') || f.name.endsWith('.tf'))) {
          const lines = f.text.split('\n').filter((l) => l.includes(want.onlyInComments!) && !isComment(l));
          expect(lines, `${format} ${f.name}`).toEqual([]);
        }
      }
      if (want.exactInTrust && (format === 'script' || format === 'terraform')) {
        const docs = files.filter((f) => f.name.startsWith('trust') && f.name.endsWith('.json'));
        expect(docs.length, `${format} trust documents`).toBeGreaterThan(0);
        for (const doc of docs) expect(stringsOf(JSON.parse(doc.text)), `${format} ${doc.name}`).toEqual(expect.arrayContaining(want.exactInTrust));
      }
      if (want.noRawControls) {
        controls.push(...rawControls(e.stderr, `stderr of ${format}`));
        for (const f of files.filter((f) => !f.name.endsWith('.json'))) controls.push(...rawControls(f.text, `${format} ${f.name}`));
      }
    }
    if (want.noRawControls) {
      const report = run(dir, 'markdown', 60_000, 'report');
      expect(report.code, report.stderr).toBe(0);
      controls.push(...rawControls(report.stderr, 'stderr of report'), ...rawControls(readFileSync(report.out, 'utf8'), 'report markdown'));
      expect(controls).toEqual([]);
    }
    if (want.outputNeverContains) expect(readFileSync(r.out, 'utf8')).not.toContain(want.outputNeverContains);
  });
});

/** A copy of the control bundle plus extra files, in the scratch dir. */
function bundleWith(name: string, extra: Record<string, string | Buffer>, drop: string[] = []): string {
  const dir = join(scratch, name);
  cpSync(join(CASES, 'control-base'), dir, { recursive: true });
  rmSync(join(dir, 'expect.json'));
  for (const rel of drop) rmSync(join(dir, rel));
  for (const [rel, content] of Object.entries(extra)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

describe('hostile file names, generated at test time', () => {
  it('ignored files and symbolic links are listed on stderr with their names escaped, and links are not followed', () => {
    const evil = 'notes\u001b]0;pwned\u0007\u009b2J\u202etxt.exe';
    const dir = bundleWith('evil-names', { [`${evil}.txt`]: 'x\n', [`aws/111122223333/${evil}.txt`]: '{"Tags": []}\n' });
    symlinkSync('/etc/passwd', join(dir, `kubernetes/c1/link\u001b[2J\u202e.yaml`));
    symlinkSync(join(dir, 'kubernetes/c1/resources.yaml'), join(dir, 'kubernetes/c1/copy.yaml'));
    for (const [command, format] of [
      ['plan', 'table'],
      ['plan', 'markdown'],
      ['report', 'markdown'],
    ] as const) {
      const r = run(dir, format, 60_000, command);
      expect(r.code, r.stderr).toBe(0);
      expect(rawControls(r.stderr, 'stderr')).toEqual([]);
      expect(rawControls(readFileSync(r.out, 'utf8'), format)).toEqual([]);
      const ignored = r.stderr.split('\n').filter((l) => l.startsWith('irsa2pi: ignored '));
      expect(ignored.map((l) => l.slice(l.lastIndexOf('/') + 1))).toEqual([
        'notes\\x1b]0;pwned\\x07\\x9b2J\\u202etxt.exe.txt (not a regular file of AWS CLI or kubectl output)',
        'copy.yaml (not a regular file of AWS CLI or kubectl output)',
        'link\\x1b[2J\\u202e.yaml (not a regular file of AWS CLI or kubectl output)',
        'notes\\x1b]0;pwned\\x07\\x9b2J\\u202etxt.exe.txt (not a regular file of AWS CLI or kubectl output)',
      ]);
    }
    const plan = run(dir);
    expect((JSON.parse(readFileSync(plan.out, 'utf8')) as { associations: unknown[] }).associations).toHaveLength(1);
  });

  it('an error naming a file with escapes in its name is one escaped line', () => {
    const evil = 'bad\u001b]52;c;cm0gLXJmIH4=\u0007\u009b2J\u202e';
    const dir = bundleWith('evil-error', { [`aws/111122223333/${evil}.json`]: '{"Tags": []}\n' });
    const r = run(dir);
    expect(r.code).toBe(2);
    expect(rawControls(r.stderr, 'stderr')).toEqual([]);
    expect(errorLines(r.stderr)).toEqual([
      expect.stringContaining('bad\\x1b]52;c;cm0gLXJmIH4=\\x07\\x9b2J\\u202e.json: not recognised as AWS CLI or kubectl output'),
    ]);
  });
});

describe('deep and big evidence, generated at test time', () => {
  it('100,000 nested JSON arrays under aws/ are a clean error', () => {
    const dir = bundleWith('deep-json', { 'aws/111122223333/deep.json': `${'['.repeat(100_000)}${']'.repeat(100_000)}` });
    const r = run(dir);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(r.peakKb).toBeLessThan(BOUND_RSS_KB);
    expectCleanError(r, 'deep.json', /nested more than 256 levels deep/, false);
  });

  it('100,000 nested JSON objects inside a policy document are a clean error', () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const iam = readFileSync(join(CASES, 'control-base', 'aws/111122223333/iam-authorization-details.json'), 'utf8').replace(
      '"RoleId"',
      `"Tags": ${deep}, "RoleId"`,
    );
    const dir = bundleWith('deep-json-objects', { 'aws/111122223333/iam-authorization-details.json': iam });
    const r = run(dir);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(r.peakKb).toBeLessThan(BOUND_RSS_KB);
    expectCleanError(r, 'iam-authorization-details.json', /nested more than 256 levels deep \(at \$\.RoleDetailList\[0\]\.Tags\.a\.a/, false);
  });

  it('100,000 nested JSON objects in a field of a Kubernetes object the tool never reads are planned past', () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const pod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop"},"spec":{"serviceAccountName":"cart-reader","containers":[{"name":"c","env":${deep}}]}}`;
    const control = run(bundleWith('deep-pod-control', {}));
    const r = run(bundleWith('deep-pod', { 'kubernetes/c1/pod.json': pod }));
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(r.peakKb).toBeLessThan(BOUND_RSS_KB);
    expect(r.code, r.stderr).toBe(0);
    const statuses = (out: string) => (JSON.parse(readFileSync(out, 'utf8')) as { associations: { status: string }[] }).associations.map((a) => a.status);
    expect(statuses(r.out)).toEqual(statuses(control.out));
    expect(readFileSync(r.out, 'utf8')).not.toContain('"a": {');
  });

  it('100,000 nested YAML flow sequences and 20,000 nested block maps are clean errors', () => {
    for (const [name, text] of [
      ['flow', `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`],
      ['block', Array.from({ length: 20_000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' x\n'],
    ] as const) {
      const dir = bundleWith(`deep-yaml-${name}`, { 'kubernetes/c1/deep.yaml': text });
      const r = run(dir);
      expect(r.ms).toBeLessThan(BOUND_MS);
      expect(r.peakKb, `${text.length} bytes`).toBeLessThan(BOUND_RSS_KB + (3 * text.length) / 1024);
      expectCleanError(r, 'deep.yaml', /nested more than 256 levels deep/);
    }
  });

  it('a MB of nesting in YAML, block or flow, is a clean error in bounded memory: the parser stops once its stack outgrows the limit', () => {
    for (const [name, text] of [
      ['flow', `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}\n`],
      ['compact', `${'- '.repeat(1_000_000)}x\n`],
      ['flow-maps', `${'{a: '.repeat(500_000)}x\n`],
      ['in-a-list', `apiVersion: v1\nitems:\n- a: ${'['.repeat(1_000_000)}\nkind: List\n`],
      ['two-documents-900-deep', `---\n${'['.repeat(900)}${']'.repeat(900)}\n`.repeat(2)],
    ] as const) {
      const r = run(bundleWith(`nested-yaml-${name}`, { 'kubernetes/c1/deep.yaml': text }));
      expect(r.ms).toBeLessThan(BOUND_MS);
      expect(r.peakKb, name).toBeLessThan(BOUND_RSS_KB);
      expectCleanError(r, 'deep.yaml', /:\d+:\d+: malformed YAML: nested more than 256 levels deep/);
    }
  });

  it('a YAML mapping of 200,000 keys, one of 200,000 aliases as keys and one of 40,000 anchors and aliases are read in bounded time', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `  k${i}: ${i}`);
    const sa = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: extra\n  namespace: shop\n';
    const repeated = run(bundleWith('wide-yaml-map', { 'kubernetes/c1/wide.yaml': `${sa}labels:\n${keys.join('\n')}\n  k7: again\n` }));
    expect(repeated.ms).toBeLessThan(BOUND_MS);
    expectCleanError(repeated, 'wide.yaml', /:\d+:3: malformed YAML: Map keys must be unique/);
    const aliases = run(
      bundleWith('alias-keys-yaml', { 'kubernetes/c1/wide.yaml': `${sa}  labels: &k x\n  annotations:\n${'    ? *k\n    : v\n'.repeat(200_000)}` }),
    );
    expect(aliases.ms).toBeLessThan(BOUND_MS);
    expectCleanError(aliases, 'wide.yaml', /malformed YAML: .*alias/i);
    const anchored = run(
      bundleWith('anchored-yaml', {
        'kubernetes/c1/wide.yaml': `${sa}  labels:\n${Array.from({ length: 40_000 }, (_, i) => `    a${i}: &a${i} v\n    b${i}: *a${i}\n`).join('')}`,
      }),
    );
    expect(anchored.ms).toBeLessThan(BOUND_MS);
    expectCleanError(anchored, 'wide.yaml', /:\d+:\d+: malformed YAML: more than 5000 aliases$/);
  });

  it('100,000 YAML documents in one file are read one at a time', () => {
    const sa = (i: number) => `---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-${i}\n  namespace: shop\n`;
    const text = Array.from({ length: 100_000 }, (_, i) => sa(i)).join('');
    const r = run(bundleWith('many-yaml-documents', { 'kubernetes/c1/many.yaml': text }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(r.peakKb, `${text.length} bytes`).toBeLessThan(BOUND_RSS_KB);
  });

  it('a 10 MB line of JSON string is read (long values are not a problem)', () => {
    const oidc = JSON.stringify({
      OpenIDConnectProviderList: [{ Arn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/7948EE6781F420439410EF2FE581C082' }],
      Padding: 'x'.repeat(10_000_000),
    });
    const r = run(bundleWith('long-string', { 'aws/111122223333/oidc-providers.json': oidc }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(r.peakKb).toBeLessThan(BOUND_RSS_KB);
  });
});

/**
 * A ~200 MB kubectl List (pods of one Deployment-less service account) streamed to disk here.
 * Generous timeout: reading, parsing and planning 200 MB takes a while on a 2-core CI runner.
 */
describe('a 200 MB kubectl List', () => {
  it('plans, or fails cleanly, in bounded time', { timeout: 240_000 }, () => {
    const dir = bundleWith('big', {}, ['kubernetes/c1/resources.yaml']);
    const file = join(dir, 'kubernetes/c1/resources.json');
    const fd = openSync(file, 'w');
    const padding = 'x'.repeat(1500);
    let bytes = 0;
    const write = (s: string) => {
      writeSync(fd, s);
      bytes += Buffer.byteLength(s);
    };
    write('{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[');
    write(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'cart-reader', namespace: 'shop', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/s3-readers' } },
      }),
    );
    write(`,${JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/os': 'linux' } } })}`);
    let chunk = '';
    for (let i = 0; bytes < 200 * 1024 * 1024; i++) {
      chunk += `,${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `cart-${i}`, namespace: 'shop', uid: `uid-${i}`, labels: { app: 'cart' }, annotations: { note: padding } }, spec: { serviceAccountName: 'cart-reader', nodeName: 'node-1' }, status: { phase: 'Running' } })}`;
      if (chunk.length > 1 << 20) {
        write(chunk);
        chunk = '';
      }
    }
    write(`${chunk}]}`);
    closeSync(fd);
    const r = run(dir, 'json', 220_000);
    expect(r.signal, `killed after ${r.ms} ms: ${r.stderr}`).toBeNull();
    console.log(`200 MB kubectl List: exit ${r.code} in ${r.ms} ms, peak ${r.peakKb} KiB`);
    expect(r.peakKb, 'peak RSS in KiB').toBeLessThan((2 * bytes) / 1024);
    if (r.code === 0) {
      const plan = JSON.parse(readFileSync(r.out, 'utf8')) as { associations: { serviceAccount: string; status: string; podCount: number }[] };
      const cart = plan.associations.find((a) => a.serviceAccount === 'cart-reader');
      expect(cart?.status).toBe('create');
      expect(cart!.podCount).toBeGreaterThan(100_000);
    } else {
      expectCleanError(r, 'resources.json');
    }
    expect(r.ms).toBeLessThan(220_000);
  });
});
