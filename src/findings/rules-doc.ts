import { CATALOGUE } from './catalogue.js';
import { RULES_DOC } from './entry.js';
import { SEVERITIES, type CatalogueEntry, type RuleKind } from './model.js';
import { compareText } from '../order.js';

const KINDS: readonly { kind: RuleKind; heading: string; intro: string }[] = [
  {
    kind: 'planning',
    heading: 'Planning findings',
    intro: 'The planner raises these while it decides each identity and each trust rewrite; `plan` and `report` both list them.',
  },
  {
    kind: 'audit',
    heading: 'Audit findings',
    intro: 'The audit rules raise these over the whole inventory; `report` lists them beside the planning findings.',
  },
];

const cell = (text: string) => text.replace(/\|/g, '\\|');

function bySeverityThenId(a: CatalogueEntry, b: CatalogueEntry): number {
  return SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareText(a.id, b.id);
}

function section(rule: CatalogueEntry): string {
  return [
    `### ${rule.id}`,
    '',
    `**${rule.title}**`,
    '',
    `- Severity: ${rule.severity}`,
    `- Kind: ${rule.kind}`,
    '',
    rule.explanation,
    '',
    `**Fix:** ${rule.fix}`,
    '',
  ].join('\n');
}

/** The text of the rules reference (docs/rules.md): every catalogue entry, one section each, anchored at its id. */
export function rulesDoc(catalogue: readonly CatalogueEntry[] = CATALOGUE): string {
  const lines = [
    '# Rules reference',
    '',
    `<!-- Generated from the findings catalogue (src/findings/) by \`npm run docs:rules\`; edit the catalogue, not this file (${RULES_DOC}). -->`,
    '',
    'Every finding irsa2pi writes names one of these rules by its id. Each section is anchored at the id',
    '(`docs/rules.md#<id>`); SARIF output links each rule here.',
    '',
  ];
  for (const { kind, heading, intro } of KINDS) {
    const rules = catalogue.filter((r) => r.kind === kind).sort(bySeverityThenId);
    lines.push(`## ${heading}`, '', intro, '', '| id | severity | title |', '|---|---|---|');
    for (const r of rules) lines.push(`| [\`${r.id}\`](#${r.id}) | ${r.severity} | ${cell(r.title)} |`);
    lines.push('');
    for (const r of rules) lines.push(section(r));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
