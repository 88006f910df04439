import type { Finding, RuleInfo } from '../findings/model.js';
import type { RuleContext } from './context.js';

/** An audit rule: its catalogue entry and a pure check over the inventory (and the plan, when given). */
export interface Rule extends RuleInfo {
  check(ctx: RuleContext): Finding[];
}

/** Builds a finding of `rule` about the given subjects. */
export function findingOf(rule: RuleInfo, message: string, subject: Omit<Finding, 'rule' | 'severity' | 'message'> = {}): Finding {
  const f: { -readonly [K in keyof Finding]: Finding[K] } = { rule: rule.id, severity: rule.severity, message };
  if (subject.roleArn !== undefined) f.roleArn = subject.roleArn;
  if (subject.cluster !== undefined) f.cluster = subject.cluster;
  if (subject.namespace !== undefined) f.namespace = subject.namespace;
  if (subject.serviceAccount !== undefined) f.serviceAccount = subject.serviceAccount;
  return f;
}
