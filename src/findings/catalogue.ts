import { AUDIT_RULES } from './audit-rules.js';
import { auditRule } from './entry.js';
import type { CatalogueEntry, RuleInfo, Severity } from './model.js';
import { PLANNING_RULES } from './planning-rules.js';

/** What an audit rule that throws becomes. */
export const RULE_ERROR: CatalogueEntry = auditRule(
  'rule-error',
  'info',
  'A rule could not be evaluated',
  'A rule failed on this inventory; its findings are missing from the report. This is a bug in irsa2pi or an evidence shape it does not expect.',
  'Report the message with the evidence shape that caused it.',
);

/** Every rule a finding can name: the audit rules in the order the audit runs them, the planner's rules, then `rule-error`. */
export const CATALOGUE: readonly CatalogueEntry[] = [...Object.values(AUDIT_RULES), ...Object.values(PLANNING_RULES), RULE_ERROR];

const BY_ID: ReadonlyMap<string, CatalogueEntry> = new Map(CATALOGUE.map((r) => [r.id, r]));

/** The catalogue entry of a rule id, if there is one. */
export function catalogueEntry(id: string): CatalogueEntry | undefined {
  return BY_ID.get(id);
}

/** The title, explanation and fix of a rule id; an id not in the catalogue gets a stub so a report never fails on it. */
export function ruleInfo(id: string, severity: Severity): RuleInfo {
  const known = BY_ID.get(id);
  if (!known) return { id, severity, title: id, explanation: '', fix: '' };
  return { id: known.id, severity: known.severity, title: known.title, explanation: known.explanation, fix: known.fix };
}

export { AUDIT_RULES, PLANNING_RULES };
