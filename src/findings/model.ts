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
