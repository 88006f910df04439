import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitPlanMarkdown } from '../../src/emit/plan/markdown.js';
import { emitReportMarkdown, reportMarkdownChunks } from '../../src/emit/report/markdown.js';
import { code, fenced, md, mermaidId, mermaidLabel } from '../../src/emit/templates.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { REPORT_CHUNKS, REPORT_EMITTERS } from '../../src/emit/report/index.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { HOSTILE, hostileInventory } from './hostile.js';
import { codeBlocksOf, tableProblems, tablesOf } from './markdown-check.js';

const AT = '2026-01-01T00:00:00.000Z';
const demo = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
const demoPlan = plan(demo, { generatedAt: AT });
const demoReport = buildReport(demo, demoPlan);

function checkMermaid(markdown: string): number {
  const blocks = codeBlocksOf(markdown).filter((b) => b.lang === 'mermaid');
  for (const b of blocks) {
    const [first, ...lines] = b.text.split('\n');
    expect(first).toBe('flowchart LR');
    for (const line of lines) {
      expect(line, line).toMatch(/^ {2}[A-Za-z0-9_]+(\["[^"`<>\n]*"\]| -->(\|"[^"]*"\|)? [A-Za-z0-9_]+| -\.->\|"[^"]*"\| [A-Za-z0-9_]+)$/);
    }
  }
  return blocks.length;
}

describe('Markdown helpers', () => {
  it('escapes every character that could break a table cell or inject markup', () => {
    expect(md('a|b')).toBe('a\\|b');
    expect(md('a\\|b')).toBe('a\\\\\\|b');
    expect(md('`x`')).toBe('\\`x\\`');
    expect(md('<b>')).toBe('\\<b\\>');
    expect(md('one\ntwo\r\nthree\rfour')).toBe('one<br>two<br>three<br>four');
    expect(md(undefined)).toBe('');
    expect(code('arn:aws:iam::1:role/x')).toBe('`arn:aws:iam::1:role/x`');
    expect(code('a|b')).toBe('a\\|b');
  });

  it('sanitizes Mermaid ids and quotes labels', () => {
    const a = mermaidId('sa', 'team-a/x');
    const b = mermaidId('sa', 'team_a/x');
    expect(a).toMatch(/^[A-Za-z0-9_]+$/);
    expect(a).not.toBe(b);
    expect(mermaidLabel('a "b" <c> `d` #e\nf')).toBe('"a #quot;b#quot; #lt;c#gt; #96;d#96; #35;e f"');
  });

  it('fences code longer than any backtick run inside it', () => {
    expect(fenced('json', 'x ``` y')).toBe('````json\nx ``` y\n````');
  });
});

describe('the table check', () => {
  it('catches a value that breaks out of its cell or its row', () => {
    expect(tableProblems('| a | b |\n|---|---|\n| x | y |\n')).toEqual([]);
    expect(tableProblems('| a | b |\n|---|---|\n| x|y | z |\n')).toHaveLength(1);
    expect(tableProblems('| a | b |\n|---|---|\n| x\nnext | z |\n')).not.toEqual([]);
    expect(tableProblems('| a | b |\n|---|---|\n| x \\\\| y | z |\n')).toHaveLength(1);
  });
});

describe('the Markdown report', () => {
  const markdown = emitReportMarkdown(demoReport);

  it('has every section', () => {
    for (const heading of [
      '# IRSA and EKS Pod Identity audit',
      '## Summary',
      '## Who can act as which role',
      '## Findings',
      '## Migration plan',
      '## Evidence',
    ]) {
      expect(markdown).toContain(`\n${heading}\n`.slice(heading.startsWith('# ') ? 1 : 0));
    }
    for (const c of demoReport.clusters) expect(markdown).toContain(`### Cluster \`${c.name}\``);
  });

  it('has only tables with a consistent column count', () => {
    expect(tablesOf(markdown).length).toBeGreaterThan(10);
    expect(tableProblems(markdown)).toEqual([]);
  });

  it('has one role-to-pod row per mapping, and collapses long tables', () => {
    const maps = tablesOf(markdown).filter((t) => t.header[0]?.text === 'Namespace');
    expect(maps.map((t) => t.rows.length)).toEqual(demoReport.clusters.filter((c) => c.mappings.length).map((c) => c.mappings.length));
    expect(markdown).toMatch(/<details><summary>\d+ role mappings<\/summary>/);
  });

  it('draws one Mermaid flowchart per cluster with mappings', () => {
    expect(checkMermaid(markdown)).toBe(demoReport.clusters.filter((c) => c.mappings.length).length);
  });

  it('keeps hostile values inside their cells, diagrams and lists', () => {
    const inventory = hostileInventory();
    const report = buildReport(inventory, plan(inventory, { generatedAt: AT }), { generatedAt: AT });
    const cluster = report.clusters[0]!;
    expect(cluster.mappings.map((m) => [m.serviceAccount, m.status, m.admin])).toEqual([
      ['broken|sa', 'broken', true],
      [HOSTILE.serviceAccount, 'active', true],
    ]);
    const out = emitReportMarkdown(report);
    expect(tableProblems(out)).toEqual([]);
    const mapTable = tablesOf(out).find((t) => t.header[0]?.text === 'Namespace')!;
    expect(mapTable.rows.length).toBe(2);
    expect(mapTable.rows[1]![1]!.text).toContain('evil');
    expect(mapTable.rows[1]![1]!.text).toContain('end');
    expect(checkMermaid(out)).toBe(1);
    const planOut = emitPlanMarkdown(plan(inventory, { generatedAt: AT }), {});
    expect(planOut.kind).toBe('text');
    if (planOut.kind === 'text') expect(tableProblems(planOut.text)).toEqual([]);
  });

  it('is deterministic', () => {
    expect(emitReportMarkdown(buildReport(demo, demoPlan))).toBe(markdown);
  });
});

describe('plan --format markdown', () => {
  const rendered = emitPlanMarkdown(demoPlan, {});
  const markdown = rendered.kind === 'text' ? rendered.text : '';

  it('has consistent tables and every association', () => {
    expect(tableProblems(markdown)).toEqual([]);
    const rows = tablesOf(markdown)
      .filter((t) => t.header[0]?.text === 'Namespace')
      .flatMap((t) => t.rows);
    expect(rows.length).toBe(demoPlan.associations.length);
  });

  it("shows each rewritten role's trust diff as valid JSON statements", () => {
    const blocks = codeBlocksOf(markdown).filter((b) => b.lang === 'json');
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(() => JSON.parse(b.text)).not.toThrow();
    for (const r of demoPlan.roles.filter((r) => r.changed)) expect(markdown).toContain(`\`${r.arn}\``);
  });

  it('lists the steps in order', () => {
    const steps = tablesOf(markdown).find((t) => t.header[0]?.text === '#')!;
    expect(steps.rows.map((r) => r[2]!.text)).toEqual(demoPlan.steps.map((s) => s.action));
  });
});

describe('report output in pieces', () => {
  it('joins to what the emitter of each format returns, the Markdown in one piece or more per cluster', () => {
    for (const format of Object.keys(REPORT_EMITTERS) as (keyof typeof REPORT_EMITTERS)[]) {
      const pieces = [...REPORT_CHUNKS[format](demoReport)];
      expect(pieces.join(''), format).toBe(REPORT_EMITTERS[format](demoReport));
    }
    expect(demoReport.clusters.length).toBeGreaterThan(1);
    expect([...REPORT_CHUNKS.markdown(demoReport)].length).toBeGreaterThan(demoReport.clusters.length);
  });

  it('renders a steps table of any length in pieces of any size exactly as in one', () => {
    const all = Array.from({ length: 25 }, () => demoReport.plan.steps).flat();
    for (const count of [0, 1, 2, 9, 10, 11, 12, 999, 1000, 1001, all.length]) {
      const report = { ...demoReport, plan: { ...demoReport.plan, steps: all.slice(0, count) } };
      const whole = [...reportMarkdownChunks(report, Infinity)].join('');
      for (const perPiece of [1, 7, 1000]) expect([...reportMarkdownChunks(report, perPiece)].join(''), `${count} steps, ${perPiece} per piece`).toBe(whole);
    }
    for (const bad of [0, -1, 2.5, Number.NaN]) expect(() => [...reportMarkdownChunks(demoReport, bad)]).toThrow(RangeError);
    expect([...REPORT_CHUNKS.markdown(demoReport)].join('')).toBe(emitReportMarkdown(demoReport));
  });

  it('renders a long steps table in pieces, every step once and in order', () => {
    const steps = Array.from({ length: 25 }, () => demoReport.plan.steps).flat();
    const long = { ...demoReport, plan: { ...demoReport.plan, steps } };
    const whole = [...reportMarkdownChunks(long, Infinity)].join('');
    for (const perPiece of [1, 7, 1000]) expect([...reportMarkdownChunks(long, perPiece)].length).toBeGreaterThan(Math.ceil(steps.length / perPiece));
    expect(tableProblems(whole)).toEqual([]);
    const table = tablesOf(whole).find((t) => t.header[0]?.text === '#')!;
    expect(table.rows.map((r) => r[0]!.text)).toEqual(steps.map((_, i) => String(i + 1)));
    expect(table.rows.map((r) => r[2]!.text)).toEqual(steps.map((s) => s.action));
    expect(whole).toContain(`<details><summary>${steps.length} steps</summary>`);
  });
});
