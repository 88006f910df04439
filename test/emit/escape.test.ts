import { describe, expect, it } from 'vitest';
import { progressTo } from '../../src/cli/progress.js';
import { visible } from '../../src/escape.js';
import { emitJson } from '../../src/emit/plan/json.js';
import { emitPlanMarkdown } from '../../src/emit/plan/markdown.js';
import { clusterDiagram, emitReportMarkdown } from '../../src/emit/report/markdown.js';
import { commentText, hclString } from '../../src/emit/names.js';
import { emitScript } from '../../src/emit/plan/script/index.js';
import { emitTable } from '../../src/emit/plan/table.js';
import { code, fenced, md, mermaidLabel } from '../../src/emit/templates.js';
import { emitTerraform } from '../../src/emit/plan/terraform/index.js';
import type { EmittedFile, Rendered } from '../../src/emit/types.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { rawControls } from '../hostile/raw-controls.js';
import { hostileInventory, TERMINAL } from '../report/hostile.js';

const AT = '2026-01-01T00:00:00.000Z';

/** One code point of each class a terminal acts on or a reader cannot see. */
const CLASSES: [string, string, string][] = [
  ['ESC', '\u001b', '\\x1b'],
  ['BEL', '\u0007', '\\x07'],
  ['NUL', '\u0000', '\\x00'],
  ['CR', '\r', '\\x0d'],
  ['TAB', '\t', '\\x09'],
  ['LF', '\n', '\\x0a'],
  ['DEL', '\u007f', '\\x7f'],
  ['C1 CSI', '\u009b', '\\x9b'],
  ['C1 NEL', '\u0085', '\\x85'],
  ['LRE', '\u202a', '\\u202a'],
  ['RLO', '\u202e', '\\u202e'],
  ['LRI', '\u2066', '\\u2066'],
  ['PDI', '\u2069', '\\u2069'],
  ['LRM', '\u200e', '\\u200e'],
  ['RLM', '\u200f', '\\u200f'],
  ['ALM', '\u061c', '\\u061c'],
  ['ZWSP', '\u200b', '\\u200b'],
  ['ZWJ', '\u200d', '\\u200d'],
  ['LS', '\u2028', '\\u2028'],
  ['PS', '\u2029', '\\u2029'],
  ['BOM', '\ufeff', '\\ufeff'],
  ['word joiner', '\u2060', '\\u2060'],
  ['tag A', '\u{e0041}', '\\u{e0041}'],
  ['lone surrogate', '\ud800', '\\ud800'],
];

describe('visible', () => {
  it.each(CLASSES)('writes %s as a visible escape', (_, ch, escaped) => {
    expect(visible(`a${ch}b`)).toBe(`a${escaped}b`);
  });

  it('leaves printable text, non-Latin letters and emoji alone', () => {
    for (const s of ['arn:aws:iam::111122223333:role/a-b_c+=,.@', 'név/名前/имя', 'ok 👍', '\\x1b as typed']) expect(visible(s)).toBe(s);
  });

  it('keeps what the format allows, and only that', () => {
    expect(visible('a\nb\tc\u001bd', { keep: '\n' })).toBe('a\nb\\x09c\\x1bd');
    expect(visible('a\nb\tc', { keep: '\n\t' })).toBe('a\nb\tc');
  });

  it('escapes the same code points whether or not it keeps line feeds, line feed aside', () => {
    const differ: string[] = [];
    for (let c = 0; c <= 0x10ffff; c++) {
      const ch = String.fromCodePoint(c);
      if (ch !== '\n' && visible(ch, { keep: '\n' }) !== visible(ch)) differ.push(c.toString(16));
    }
    expect(differ).toEqual([]);
  });

  it('in JSON mode writes escapes JSON reads back as the same value', () => {
    const all = CLASSES.filter(([name]) => name !== 'lone surrogate')
      .map(([, ch]) => ch)
      .join('x');
    const text = JSON.stringify({ v: all });
    const safe = visible(text, { json: true });
    expect(rawControls(safe, 'json')).toEqual([]);
    expect((JSON.parse(safe) as { v: string }).v).toBe(all);
  });
});

describe('Markdown, Mermaid, comments and HCL', () => {
  const all = CLASSES.map(([, ch]) => ch).join('|');

  it('escape every class in table cells, code spans, labels, fenced blocks and comments', () => {
    for (const [name, out] of [
      ['md', md(all)],
      ['code', code(all)],
      ['mermaid label', mermaidLabel(all)],
      ['fenced', fenced('text', all)],
      ['comment', commentText(all)],
    ] as const) {
      expect(rawControls(out, name)).toEqual([]);
      expect(out.split('\n').length, name).toBe(name === 'fenced' ? 4 : 1);
    }
  });

  it('HCL strings keep the exact value as \\u escapes', () => {
    const value = 'a\u202eb\u009bc\u001bd\u{e0041}e\u200bf';
    const out = hclString(value);
    expect(rawControls(out, 'hcl')).toEqual([]);
    expect(out).toBe('"a\\u202eb\\u009bc\\u001bd\\U000e0041e\\u200bf"');
  });
});

function texts(r: Rendered): { name: string; text: string }[] {
  return r.kind === 'text' ? [{ name: 'stdout', text: r.text }] : r.files.map((f: EmittedFile) => ({ name: f.path, text: f.content }));
}

describe('every human-facing output of an inventory carrying terminal escapes and bidi characters in every field', () => {
  const inventory = hostileInventory(TERMINAL);
  const result = plan(inventory, { generatedAt: AT });
  const report = buildReport(inventory, result, { generatedAt: AT });

  it('carries the values into the plan exactly', () => {
    expect(result.associations.map((a) => a.serviceAccount)).toContain(TERMINAL.serviceAccount);
    expect(result.associations.map((a) => a.cluster)).toContain(TERMINAL.cluster);
  });

  it.each([
    ['table', () => texts(emitTable(result, { color: false }))],
    [
      'table in colour, its own SGR codes taken out',
      () => texts(emitTable(result, { color: true })).map((o) => ({ ...o, text: o.text.replace(/\u001b\[\d+(;\d+)*m/g, '') })),
    ],
    ['plan markdown', () => texts(emitPlanMarkdown(result, {}))],
    ['report markdown', () => [{ name: 'report', text: emitReportMarkdown(report) }]],
    ['mermaid', () => report.clusters.map((c) => ({ name: c.name, text: clusterDiagram(c) }))],
    ['terraform', () => texts(emitTerraform(result, {})).filter((f) => !f.name.endsWith('.json'))],
    ['script', () => texts(emitScript(result, {})).filter((f) => !f.name.endsWith('.json'))],
    ['json plan', () => texts(emitJson(result, {}))],
  ])('%s has no raw control, bidi or invisible character', (name, render) => {
    const outputs = render();
    expect(outputs.length).toBeGreaterThan(0);
    const found = outputs.flatMap((o) => rawControls(o.text, `${name} ${o.name}`));
    expect(found).toEqual([]);
  });

  it('the JSON plan keeps every value exact', () => {
    const r = emitJson(result, {});
    const parsed = JSON.parse(r.kind === 'text' ? r.text : '') as typeof result;
    expect(parsed.associations.map((a) => [a.cluster, a.namespace, a.serviceAccount])).toEqual(
      result.associations.map((a) => [a.cluster, a.namespace, a.serviceAccount]),
    );
  });

  it('progress lines stay one line each, escaped, on a terminal or not', () => {
    for (const isTTY of [false, true]) {
      const written: string[] = [];
      const progress = progressTo({ isTTY, write: (t) => written.push(t) });
      progress.line(`irsa2pi: eu-west-1/${TERMINAL.cluster}: scan gap: ${TERMINAL.serviceAccount}\n${TERMINAL.workload}`);
      progress.done();
      const text = written.join('').replace(/\r\u001b\[K/g, '');
      expect(rawControls(text, `progress tty=${isTTY}`)).toEqual([]);
      expect(text.split('\n').filter(Boolean)[0]).toContain('irsa2pi: eu-west-1/c\\x1b]0;t\\x07\\u202e1: scan gap');
    }
  });
});
