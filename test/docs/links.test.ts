import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubSlug, readMarkdown, type MarkdownFile } from './markdown.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCS = join(ROOT, 'docs');
const FILES = [join(ROOT, 'README.md'), ...readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort().map((f) => join(DOCS, f))];

/**
 * Pages written on other branches of the same change; a link to one is accepted while it is missing.
 * Once a page exists this list must lose it, so that its links are checked like every other.
 */
const PENDING: string[] = [];

const parsed = new Map<string, MarkdownFile>();
function markdown(file: string): MarkdownFile {
  let md = parsed.get(file);
  if (!md) {
    md = readMarkdown(file);
    parsed.set(file, md);
  }
  return md;
}

/** `text` with its URL escapes decoded; null when an escape is broken (undefined stays undefined). */
function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The dead links of `file`: a relative target that does not exist, or an `#anchor` no heading of the target makes. */
function deadLinks(file: string): string[] {
  const dead: string[] = [];
  for (const { href } of markdown(file).links) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
    const hash = href.indexOf('#');
    const path = decoded(hash === -1 ? href : href.slice(0, hash));
    const anchor = hash === -1 ? undefined : decoded(href.slice(hash + 1));
    if (path === null || anchor === null) {
      dead.push(`${href}: not a valid URL escape`);
      continue;
    }
    const target = path === '' ? file : resolve(dirname(file), path);
    const name = relative(ROOT, target);
    if (!existsSync(target)) {
      if (!PENDING.includes(name) || anchor !== undefined) dead.push(`${href}: ${name} does not exist`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!statSync(target).isFile() || !target.endsWith('.md')) {
      dead.push(`${href}: an anchor into ${name}, which is not a Markdown file`);
    } else if (!markdown(target).anchors.has(anchor)) {
      dead.push(`${href}: no heading of ${name} has the anchor #${anchor}`);
    }
  }
  return dead;
}

describe('documentation links', () => {
  it.each(FILES.map((f) => [relative(ROOT, f), f]))('every relative link and anchor of %s resolves', (_, file) => {
    expect(deadLinks(file)).toEqual([]);
  });

  it('finds a dead file, a dead anchor and an anchor GitHub would not make', () => {
    const probe = join(ROOT, 'test', 'fixtures', 'docs', 'dead-links.md');
    expect(deadLinks(probe)).toEqual([
      '../../../docs/no-such-page.md: docs/no-such-page.md does not exist',
      '#no-such-heading: no heading of test/fixtures/docs/dead-links.md has the anchor #no-such-heading',
      '../../../README.md#Commands: no heading of README.md has the anchor #Commands',
      '../../../docs/rules.md#some-rule: no heading of docs/rules.md has the anchor #some-rule',
      '../../../docs/%E0%A4%A.md: not a valid URL escape',
    ]);
  });

  it('makes anchors as GitHub does', () => {
    expect(githubSlug('`irsa2pi plan`')).toBe('irsa2pi-plan');
    expect(githubSlug('--format terraform --out <dir>')).toBe('--format-terraform---out-dir');
    expect(githubSlug('Trust rewrite, per role, in two phases')).toBe('trust-rewrite-per-role-in-two-phases');
    expect(githubSlug('Which cluster: KUBE_CONTEXTS')).toBe('which-cluster-kube_contexts');
    const probe = markdown(join(ROOT, 'test', 'fixtures', 'docs', 'dead-links.md'));
    expect([...probe.anchors]).toEqual(['probe', '--format-terraform---out-dir', 'twice', 'twice-1']);
  });

  it('lists pages written elsewhere only while they are missing', () => {
    expect(PENDING.filter((page) => existsSync(join(ROOT, page)))).toEqual([]);
  });

  it('links every page of docs/ from the README', () => {
    const linked = new Set(markdown(join(ROOT, 'README.md')).links.map((l) => l.href.split('#')[0]));
    const pages = readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe('the README', () => {
  it('starts with the two commands that work on a fresh machine', () => {
    const { tokens } = markdown(join(ROOT, 'README.md'));
    const blocks = tokens.filter((t) => t.type !== 'space');
    expect(blocks[0]).toMatchObject({ type: 'heading', depth: 1, text: 'irsa2pi' });
    expect(blocks[1]?.type).toBe('code');
    const lines = (blocks[1] as { text: string }).text.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(lines).toEqual(['npm install && npm start', 'npm test']);
  });

  it('names scripts that exist: start plans the bundled demo, test builds and runs the suite', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toContain('plan --evidence fixtures/demo');
    expect(existsSync(join(ROOT, 'fixtures', 'demo'))).toBe(true);
    expect(scripts.test).toMatch(/npm run build && vitest run/);
    expect(scripts.prepare).toBe('npm run build');
  });
});
