import { AUDIT_RULES } from '../findings/audit-rules.js';
import type { Role } from '../model/inventory.js';
import { MAX_STALE_DAYS, type RuleContext } from './context.js';
import { findingOf, type Rule } from './types.js';

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to`, both UTC times. */
function daysBetween(from: string, to: string): number {
  return Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

const day = (time: string) => time.slice(0, 10);

/**
 * The time a role's last use is measured to, and how to say which: when its file was collected, else
 * the start of the audit's day (a report of an unrecorded bundle stays the same all day).
 */
function measuredTo(role: Role, collected: ReadonlyMap<string, string>, ctx: RuleContext): { at: string; basis: string } | undefined {
  const at = collected.get(role.lastUsed?.source ?? role.source);
  if (at !== undefined) return { at, basis: `its collection (${at})` };
  if (ctx.now === undefined) return undefined;
  const today = day(ctx.now);
  return { at: `${today}T00:00:00.000Z`, basis: `the audit's date (${today}; the bundle records no collection time for the role's file)` };
}

function staleness(role: Role, to: { at: string; basis: string }, days: number): string | undefined {
  const used = role.lastUsed;
  if (used === undefined) return undefined;
  if (used.date !== undefined) {
    const idle = daysBetween(used.date, to.at);
    if (idle <= days) return undefined;
    return `last used ${day(used.date)}${used.region === undefined ? '' : ` in ${used.region}`}, ${idle} days before ${to.basis}`;
  }
  if (role.createDate === undefined) return undefined;
  const age = daysBetween(role.createDate, to.at);
  if (age <= days) return undefined;
  return `no use in IAM's tracking period (the trailing ${MAX_STALE_DAYS} days), created ${day(role.createDate)}, ${age} days before ${to.basis}`;
}

export const irsaRoleStale: Rule = {
  ...AUDIT_RULES.irsaRoleStale,
  check(ctx) {
    const collected = new Map<string, string>();
    for (const e of ctx.inventory.evidence) if (e.collectedAt !== undefined) collected.set(e.path, e.collectedAt);
    const roles = new Set(ctx.eksTrustStatements().map((s) => s.role));
    const out = [];
    for (const role of roles) {
      const to = measuredTo(role, collected, ctx);
      const why = to && staleness(role, to, ctx.staleDays);
      if (why !== undefined) out.push(findingOf(this, `${role.arn}: IRSA role ${why}; stale after ${ctx.staleDays} days`, { roleArn: role.arn }));
    }
    return out;
  },
};
