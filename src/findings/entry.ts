import type { CatalogueEntry, RuleKind, Severity } from './model.js';

/** The rules reference, relative to the project root; each rule's section is anchored at its id. */
export const RULES_DOC = 'docs/rules.md';

/** The project's home page. */
export const PROJECT_URI = 'https://github.com/irsa2pi/irsa2pi';

/** Where the project's documents are published: `helpUri` of a rule is this, then its {@link CatalogueEntry.doc}. */
export const DOCS_BASE_URI = `${PROJECT_URI}/blob/main/`;

function entry(kind: RuleKind, id: string, severity: Severity, title: string, explanation: string, fix: string): CatalogueEntry {
  return { id, severity, title, explanation, fix, kind, doc: `${RULES_DOC}#${id}` };
}

/** A catalogue entry of a finding the planner raises. */
export const planningRule = (id: string, severity: Severity, title: string, explanation: string, fix: string): CatalogueEntry =>
  entry('planning', id, severity, title, explanation, fix);

/** A catalogue entry of a finding an audit rule raises. */
export const auditRule = (id: string, severity: Severity, title: string, explanation: string, fix: string): CatalogueEntry =>
  entry('audit', id, severity, title, explanation, fix);

/** The absolute address of a rule's section of the rules reference. */
export function helpUri(rule: Pick<CatalogueEntry, 'doc'>): string {
  return `${DOCS_BASE_URI}${rule.doc}`;
}
