import { compareText } from '../order.js';

/** How much a finding matters, most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** True when `a` is at least as severe as `b`. */
export function atLeast(a: Severity, b: Severity): boolean {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b);
}

/** A rule's catalogue entry: what it checks, why it matters, how to fix it. */
export interface RuleInfo {
  /** Stable kebab-case id. */
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly explanation: string;
  readonly fix: string;
}

/** Who raises a rule's findings: the planner while it decides, or the audit over the inventory. */
export type RuleKind = 'planning' | 'audit';

/** A rule's entry in the findings catalogue: its {@link RuleInfo}, who raises it and where it is documented. */
export interface CatalogueEntry extends RuleInfo {
  readonly kind: RuleKind;
  /** Its section of the rules reference, relative to the project root: `docs/rules.md#<id>`. */
  readonly doc: string;
}

/** One thing the tool found, about the subjects it names. */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly roleArn?: string;
  readonly cluster?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
}

/** The findings of one severity, by rule (rules in code-unit order of their ids, findings in the order given). */
export interface FindingGroup {
  readonly severity: Severity;
  readonly rules: readonly { readonly rule: RuleInfo; readonly findings: readonly Finding[] }[];
}

/** Most severe first, then by rule, subjects (cluster, namespace, service account, role) and message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    compareText(a.rule, b.rule) ||
    compareText(a.cluster ?? '', b.cluster ?? '') ||
    compareText(a.namespace ?? '', b.namespace ?? '') ||
    compareText(a.serviceAccount ?? '', b.serviceAccount ?? '') ||
    compareText(a.roleArn ?? '', b.roleArn ?? '') ||
    compareText(a.message, b.message)
  );
}
