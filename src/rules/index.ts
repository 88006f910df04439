import { compareFindings, type Finding, type RuleInfo } from '../findings/model.js';
import { PLANNING_RULES } from '../findings/planning-rules.js';
import type { Inventory } from '../model/inventory.js';
import type { Plan } from '../plan/model.js';
import { RuleContext } from './context.js';
import { irsaTrustIssuerMismatch } from './irsa-trust-issuer-mismatch.js';
import { irsaTrustNoAudience } from './irsa-trust-no-audience.js';
import { irsaTrustNoSubject } from './irsa-trust-no-subject.js';
import { irsaTrustOrphanSubject } from './irsa-trust-orphan-subject.js';
import { irsaTrustUnknownProvider } from './irsa-trust-unknown-provider.js';
import { irsaTrustWildcardSubject } from './irsa-trust-wildcard-subject.js';
import { oidcProviderUnused } from './oidc-provider-unused.js';
import { podIdentityTagsDisabled } from './pod-identity-tags-disabled.js';
import { podIdentityUnscopedTrust } from './pod-identity-unscoped-trust.js';
import { roleAdminPermissions } from './role-admin-permissions.js';
import { saRoleCrossAccount } from './sa-role-cross-account.js';
import { trustWildcardPrincipal } from './trust-wildcard-principal.js';
import { findingOf, type Rule } from './types.js';

/** The audit rules, in catalogue order. */
export const RULES: readonly Rule[] = [
  irsaTrustNoSubject,
  trustWildcardPrincipal,
  irsaTrustWildcardSubject,
  irsaTrustIssuerMismatch,
  irsaTrustOrphanSubject,
  roleAdminPermissions,
  irsaTrustNoAudience,
  irsaTrustUnknownProvider,
  podIdentityUnscopedTrust,
  oidcProviderUnused,
  podIdentityTagsDisabled,
  saRoleCrossAccount,
];

/** What a rule that throws becomes. */
export const RULE_ERROR: RuleInfo = {
  id: 'rule-error',
  severity: 'info',
  title: 'A rule could not be evaluated',
  explanation: 'A rule failed on this inventory; its findings are missing from the report. This is a bug in irsa2pi or an evidence shape it does not expect.',
  fix: 'Report the message with the evidence shape that caused it.',
};

const info = ({ id, severity, title, explanation, fix }: RuleInfo): RuleInfo => ({ id, severity, title, explanation, fix });

/** Every rule a finding can name: the audit rules, the planner's rules and `rule-error`, by id. */
export const RULE_CATALOGUE: ReadonlyMap<string, RuleInfo> = new Map(
  [...RULES.map(info), ...Object.values(PLANNING_RULES), RULE_ERROR].map((r) => [r.id, r] as const),
);

/** Options of {@link audit}. */
export interface AuditOptions {
  /** The rules to run; defaults to {@link RULES}. */
  readonly rules?: readonly Rule[];
}

function findingKey(f: Finding): string {
  return JSON.stringify([f.rule, f.severity, f.roleArn, f.cluster, f.namespace, f.serviceAccount, f.message]);
}

/** Sorts findings and drops exact duplicates. */
export function mergeFindings(...lists: readonly (readonly Finding[])[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const list of lists) for (const f of list) if (!seen.has(findingKey(f))) seen.set(findingKey(f), f);
  return [...seen.values()].sort(compareFindings);
}

/**
 * Runs the audit rules over an inventory. With a plan, the plan's findings are merged in (the
 * planner raises `sa-role-not-trusted`, `sa-role-missing`, …). Returns the findings sorted and
 * de-duplicated; a rule that throws becomes an `info` finding `rule-error`.
 */
export function audit(inventory: Inventory, plan?: Plan, options: AuditOptions = {}): Finding[] {
  const ctx = new RuleContext(inventory, plan);
  const found: Finding[] = [];
  for (const rule of options.rules ?? RULES) {
    try {
      found.push(...rule.check(ctx));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      found.push(findingOf(RULE_ERROR, `could not evaluate ${rule.id}: ${message}`));
    }
  }
  return mergeFindings(found, plan?.findings ?? []);
}

export { RuleContext } from './context.js';
export { findingOf, type Rule } from './types.js';
export { rolePolicies, grantsEverything, type RolePolicy } from './admin.js';
