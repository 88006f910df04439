import { SEVERITIES, type Finding } from '../findings/model.js';
import type { Step } from '../plan/model.js';
import type { ReportFindingGroup, RoleMapping } from '../report/model.js';

const TITLES = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' } as const;

/** Findings grouped by severity and rule, as the `findings` partial reads them. */
export function findingGroupsView(groups: readonly ReportFindingGroup[]) {
  return groups.map((g) => ({
    title: TITLES[g.severity],
    count: g.rules.reduce((n, r) => n + r.findings.length, 0),
    rules: g.rules.map(({ rule, findings }) => ({
      id: rule.id,
      title: rule.title,
      explanation: rule.explanation,
      fix: rule.fix,
      findings: findings.map((f: Finding) => ({ ...f, role: f.roleArn })),
    })),
  }));
}

function serviceAccountOf(s: { readonly namespace: string; readonly serviceAccount: string }): string {
  return s.namespace && s.serviceAccount ? `${s.namespace}/${s.serviceAccount}` : s.namespace;
}

/** What a step acts on, in the order they are listed: service account, add-on, role, associations an add-on is to own. */
function subjectParts(s: Step): readonly string[] {
  switch (s.action) {
    case 'install-agent':
      return [`add-on ${s.addon}`];
    case 'update-addon':
      return [`add-on ${s.addon}`, ...s.podIdentityAssociations.map((p) => `${p.namespace}/${p.serviceAccount} → ${p.roleArn}`)];
    case 'create-association':
    case 'remove-annotation':
      return [serviceAccountOf(s), s.roleArn];
    case 'restart-workloads':
      return [serviceAccountOf(s)];
    case 'create-role':
    case 'update-trust':
    case 'finalize-trust':
      return [s.roleArn];
    case 'verify':
      return [];
  }
}

/** What a step acts on, one line each: service account, add-on, role, associations an add-on is to own. */
export function stepSubject(s: Step): string {
  return subjectParts(s)
    .filter((part) => part !== '')
    .join('\n');
}

export function severityCounts(counts: Readonly<Record<string, number>>) {
  return SEVERITIES.map((s) => ({ name: s, count: counts[s] ?? 0 }));
}

/** A role mapping's workloads for its table cell, one per line. */
export function mappingWorkloads(m: RoleMapping): string {
  return m.workloads.map((w) => `${w.kind}/${w.name}`).join('\n') || '-';
}

/** A role mapping's policies for its table cell, one per line, administrator ones marked. */
export function mappingPolicies(m: RoleMapping): string {
  return m.policies.map((p) => `${p.name}${p.admin ? ' (admin)' : ''}`).join('\n') || (m.roleFound ? '-' : 'role not in bundle');
}

/** A role mapping's notes for its table cell: the role it chains through, then its problems. */
export function mappingNotes(m: RoleMapping): string {
  const used = m.roleLastUsed;
  const lastUse = !m.roleFound
    ? ''
    : !used
      ? 'last use unknown'
      : used.date
        ? `last used ${used.date.slice(0, 10)}${used.region ? ` in ${used.region}` : ''}`
        : 'no use in 400 days';
  return [m.viaRoleArn ? `via ${m.viaRoleArn}` : '', ...m.problems, lastUse].filter(Boolean).join('\n');
}
