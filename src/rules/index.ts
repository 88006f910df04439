import { CATALOGUE, RULE_ERROR } from '../findings/catalogue.js';
import { mergeFindings } from '../findings/merge.js';
import type { CatalogueEntry, Finding } from '../findings/model.js';
import type { Analysis } from '../analysis/index.js';
import type { Inventory } from '../model/inventory.js';
import type { Plan } from '../plan/model.js';
import { RuleContext, type RuleSettings } from './context.js';
import { irsaRoleStale } from './irsa-role-stale.js';
import { irsaTrustIssuerMismatch } from './irsa-trust-issuer-mismatch.js';
import { irsaTrustNoAudience } from './irsa-trust-no-audience.js';
import { irsaTrustNoSubject } from './irsa-trust-no-subject.js';
import { irsaTrustOrphanSubject } from './irsa-trust-orphan-subject.js';
import { irsaTrustUnknownProvider } from './irsa-trust-unknown-provider.js';
import { irsaTrustWildcardSubject } from './irsa-trust-wildcard-subject.js';
import { oidcProviderUnused } from './oidc-provider-unused.js';
import { podIdentityPartialScope } from './pod-identity-partial-scope.js';
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
  podIdentityPartialScope,
  oidcProviderUnused,
  podIdentityTagsDisabled,
  irsaRoleStale,
  saRoleCrossAccount,
];

/** Every rule a finding can name (the findings catalogue), by id. */
export const RULE_CATALOGUE: ReadonlyMap<string, CatalogueEntry> = new Map(CATALOGUE.map((r) => [r.id, r] as const));

/** Options of {@link audit}. */
export interface AuditOptions extends RuleSettings {
  /** The rules to run; defaults to {@link RULES}. */
  readonly rules?: readonly Rule[];
}

/**
 * Runs the audit rules over an inventory, or over an analysis (reusing the look-up tables and trust
 * oracle of the plan made from it). With a plan, the plan's findings are merged in (the
 * planner raises `sa-role-not-trusted`, `sa-role-missing`, …). Returns the findings merged by
 * {@link mergeFindings}; a rule that throws becomes an `info` finding `rule-error`.
 */
export function audit(source: Inventory | Analysis, plan?: Plan, options: AuditOptions = {}): Finding[] {
  const ctx = new RuleContext(source, options);
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

export { mergeFindings, RULE_ERROR };
export { RuleContext, DEFAULT_STALE_DAYS, MAX_STALE_DAYS, type RuleSettings } from './context.js';
export { findingOf, type Rule } from './types.js';
export { rolePolicies, grantsEverything, type RolePolicy } from './admin.js';
