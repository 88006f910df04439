import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emitReportMarkdown } from '../../src/emit/report/markdown.js';
import { InputError } from '../../src/errors.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const BASIC = join(import.meta.dirname, '..', '..', 'fixtures', 'basic');
const AT = '2026-01-01T00:00:00.000Z';
const scratch = mkdtempSync(join(tmpdir(), 'irsa2pi-collected-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

let made = 0;
/** fixtures/basic copied to `<scratch>/<n>/<under>`, with a `collection.json` at `manifestAt` (below the bundle). */
function bundle(files: Record<string, unknown> | undefined, options: { under?: string; manifestAt?: string; manifest?: unknown } = {}): string {
  const root = join(scratch, String(made++));
  const dir = join(root, options.under ?? '');
  cpSync(BASIC, dir, { recursive: true });
  rmSync(join(dir, 'expect.json'));
  const manifest = options.manifest ?? {
    irsa2piCollection: { collector: 'scripts/collect-evidence.sh', startedAt: '2026-03-01T10:00:00Z', finishedAt: '2026-03-01T10:05:00Z', files },
  };
  if (files !== undefined || options.manifest !== undefined) {
    const at = join(dir, options.manifestAt ?? '');
    mkdirSync(at, { recursive: true });
    writeFileSync(join(at, 'collection.json'), JSON.stringify(manifest));
  }
  return dir;
}

const report = (dir: string) => {
  const inventory = readEvidenceBundle(dir);
  return buildReport(inventory, plan(inventory, { generatedAt: AT }));
};

const IAM = 'aws/111122223333/iam-authorization-details.json';
const everyFile = (dir: string) =>
  readEvidenceBundle(dir).evidence.map((e) =>
    e.path
      .slice(dir.length + 1)
      .split('\\')
      .join('/'),
  );

describe("the report's collection times", () => {
  it('without a collection.json: file times, said to be file times', () => {
    const r = report(bundle(undefined));
    expect(r.evidence.collectedTimes).toBe('file');
    expect(r.evidence.files.every((f) => f.collectedAt === null && f.modifiedAt !== null)).toBe(true);
    const md = emitReportMarkdown(r);
    expect(md).toMatch(
      /collected \S+ to \S+ \(file times: when each file was last modified, its collection time only if nothing changed it since; the collector recorded none\)\./,
    );
    expect(md).toContain('| Collected |');
    for (const f of r.evidence.files) expect(md).toContain(`| ${f.modifiedAt} (file time) |`);
  });

  it("with a collection.json naming every file: the collector's times, whatever the file times", () => {
    const plain = bundle(undefined);
    const paths = everyFile(plain);
    expect(paths).toContain(IAM);
    const times = Object.fromEntries(paths.map((p, i) => [p, `2026-03-01T10:0${i}:00Z`]));
    const r = report(bundle(times));
    expect(r.evidence.collectedTimes).toBe('collector');
    expect(r.evidence.collectedFrom).toBe('2026-03-01T10:00:00Z');
    expect(r.evidence.collectedTo).toBe(`2026-03-01T10:0${paths.length - 1}:00Z`);
    const md = emitReportMarkdown(r);
    expect(md).toContain(`collected 2026-03-01T10:00:00Z to 2026-03-01T10:0${paths.length - 1}:00Z (recorded by the collector).`);
    expect(md.split('\n').filter((l) => l.includes('(file time)'))).toEqual([expect.stringMatching(/collection\.json \| collection \|/)]);
    const rows = md.split('\n').filter((l) => /\.(json|yaml) \|/.test(l) && !l.includes('collection.json'));
    expect(rows).toHaveLength(paths.length);
    for (const row of rows) expect(row).toMatch(/\| 2026-03-01T10:0\d:00Z \|$/);
  });

  it('with a collection.json naming some files: those times, file times for the rest, and says which', () => {
    const r = report(bundle({ [IAM]: '2026-03-01T10:00:00.123Z' }));
    expect(r.evidence.collectedTimes).toBe('mixed');
    expect(r.evidence.files.find((f) => f.path.endsWith('iam-authorization-details.json'))!.collectedAt).toBe('2026-03-01T10:00:00.123Z');
    const md = emitReportMarkdown(r);
    expect(md).toContain('(recorded by the collector; file times for the files it did not record).');
    expect(md).toMatch(/iam-authorization-details\.json \| .* \| 2026-03-01T10:00:00\.123Z \|\n/);
    expect(md).toMatch(/resources\.yaml \| .* \(file time\) \|\n/);
  });

  it('reads paths relative to the folder of the collection.json, so a bundle copied into a larger one keeps its times', () => {
    const dir = bundle({ [IAM]: '2026-03-01T10:00:00Z' }, { under: 'team-a' });
    const r = report(join(dir, '..'));
    expect(r.evidence.files.find((f) => f.path.endsWith(IAM))!.collectedAt).toBe('2026-03-01T10:00:00Z');
    const nested = report(bundle({ 'iam-authorization-details.json': '2026-03-02T00:00:00Z' }, { manifestAt: 'aws/111122223333' }));
    expect(nested.evidence.files.find((f) => f.path.endsWith(IAM))!.collectedAt).toBe('2026-03-02T00:00:00Z');
  });

  it.each([
    [
      'a time that is not UTC',
      { [IAM]: '2026-03-01 10:00' },
      /collection\.json: \$\.irsa2piCollection\.files\["aws\/111122223333\/iam-authorization-details\.json"\] must be a UTC time/,
    ],
    ['a time that is not a date', { [IAM]: '2026-13-45T99:99:99Z' }, /must be a UTC time/],
    ['a day that does not exist', { [IAM]: '2026-02-30T10:00:00Z' }, /must be a UTC time/],
    ['an hour that does not exist', { [IAM]: '2026-03-01T24:00:00Z' }, /must be a UTC time/],
    ['a time that is a number', { [IAM]: 1767225600 }, /must be a UTC time/],
    ['a path above its folder', { '../outside.json': '2026-03-01T10:00:00Z' }, /\["\.\.\/outside\.json"\] must be a path below the folder of this file/],
    ['an absolute path', { '/etc/passwd': '2026-03-01T10:00:00Z' }, /must be a path below the folder of this file/],
  ])('refuses %s, naming the file and the field', (_, files, message) => {
    const dir = bundle(files);
    const error = (() => {
      try {
        readEvidenceBundle(dir);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).line).toMatch(message);
  });

  it('refuses a files record that is not an object, and a startedAt that is not a time', () => {
    expect(() => readEvidenceBundle(bundle(undefined, { manifest: { irsa2piCollection: { files: [] } } }))).toThrow(
      /\$\.irsa2piCollection\.files must be an object/,
    );
    expect(() => readEvidenceBundle(bundle(undefined, { manifest: { irsa2piCollection: { startedAt: 'now', files: {} } } }))).toThrow(
      /\$\.irsa2piCollection\.startedAt must be a UTC time/,
    );
  });
});
