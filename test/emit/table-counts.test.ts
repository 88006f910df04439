/**
 * `plan` counts its planning findings; `report` counts the audit's and the plan's, each once. Both say
 * on screen which they count, and the numbers they print are those counts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitPlanMarkdown } from '../../src/emit/plan/markdown.js';
import { emitReportMarkdown } from '../../src/emit/report/markdown.js';
import { emitTable } from '../../src/emit/plan/table.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const AT = '2026-01-01T00:00:00.000Z';
const inventory = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
const demo = plan(inventory, { generatedAt: AT });
const report = buildReport(inventory, demo, { generatedAt: AT });
const text = (r: ReturnType<typeof emitTable>) => (r.kind === 'text' ? r.text : '');

/** The counts of the Markdown table headed `| label | Count |`, summed. */
function markdownCount(md: string, label: string): number {
  const lines = md.split('\n');
  const at = lines.indexOf(`| ${label} | Count |`);
  expect(at, label).toBeGreaterThanOrEqual(0);
  let sum = 0;
  for (let i = at + 2; lines[i]?.startsWith('|'); i++) sum += Number(lines[i]!.split('|')[2]);
  return sum;
}

describe('what the finding counts count', () => {
  it('the report counts more than the plan: the audit rules add findings the planner does not raise', () => {
    expect(report.findings.length).toBeGreaterThan(demo.findings.length);
  });

  it('the plan table says it counts planning findings, per rule, and what report adds', () => {
    const lines = text(emitTable(demo, { width: 120 })).split('\n');
    const at = lines.indexOf(`Planning findings: ${demo.findings.length}, counted per rule`);
    expect(at, lines.join('\n')).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('Each is about one identity, role or cluster the plan covers;');
    expect(lines[at + 2]).toBe("'irsa2pi report' also runs the audit rules over every role and cluster.");
    expect(lines[at + 3]).toMatch(/^SEVERITY {3}RULE +COUNT$/);
    let sum = 0;
    for (let i = at + 4; lines[i]; i++) sum += Number(lines[i]!.split(/ +/).at(-1));
    expect(sum).toBe(demo.findings.length);
  });

  it('the plan Markdown counts planning findings by severity and says so', () => {
    const md = text(emitPlanMarkdown(demo, {}));
    expect(markdownCount(md, 'Planning findings by severity')).toBe(demo.findings.length);
    expect(md).toContain(
      'Planning findings, each about one identity, role or cluster this plan covers; `irsa2pi report` also runs the audit rules over every role and cluster.',
    );
  });

  it('the report Markdown counts audit and planning findings, each once, and says so', () => {
    const md = emitReportMarkdown(report);
    expect(markdownCount(md, 'Findings by severity (audit and planning)')).toBe(report.findings.length);
    expect(md).toContain(
      "The audit rules' findings about every role and cluster of the evidence and the plan's findings about the identities it plans, each finding once, grouped by severity and rule.",
    );
  });
});
