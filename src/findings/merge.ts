import { ruleInfo } from './catalogue.js';
import { compareFindings, SEVERITIES, type Finding, type FindingGroup } from './model.js';

/** What makes two findings one: the rule, the subjects (role, cluster, namespace, service account) and the message. */
function identityOf(f: Finding): string {
  return JSON.stringify([f.rule, f.roleArn ?? null, f.cluster ?? null, f.namespace ?? null, f.serviceAccount ?? null, f.message]);
}

/**
 * The one way findings are merged, by the planner and by the audit. Findings of the same rule, about the
 * same subjects, with the same message are one finding: the most severe of them is kept (of equally
 * severe ones, the first given). The message is part of what a finding is, because one rule can find
 * several things about the same subjects (two trust statements of one role, two unreadable regions).
 * The result is sorted by {@link compareFindings}, so it does not depend on the order of the lists.
 */
export function mergeFindings(...lists: readonly (readonly Finding[])[]): Finding[] {
  const kept = new Map<string, Finding>();
  for (const list of lists) {
    for (const f of list) {
      const key = identityOf(f);
      const earlier = kept.get(key);
      if (!earlier || SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(earlier.severity)) kept.set(key, f);
    }
  }
  return [...kept.values()].sort(compareFindings);
}

/**
 * Findings grouped for reading: one group per severity present, most severe first; in each, one entry per
 * rule (ids in code-unit order) with its catalogue text and its findings in the order given.
 */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  return SEVERITIES.flatMap((severity) => {
    const ofSeverity = findings.filter((f) => f.severity === severity);
    if (!ofSeverity.length) return [];
    const ids = [...new Set(ofSeverity.map((f) => f.rule))].sort();
    return [{ severity, rules: ids.map((id) => ({ rule: ruleInfo(id, severity), findings: ofSeverity.filter((f) => f.rule === id) })) }];
  });
}
