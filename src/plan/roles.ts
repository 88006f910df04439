import type { Finding } from '../findings/model.js';
import { PLANNING_RULES as R } from '../findings/planning-rules.js';
import { accountOf } from '../iam/arn.js';
import { statementLabel, type PolicyDocument, type RawStatement } from '../iam/policy.js';
import type { Identity } from '../iam/requests.js';
import type { Role } from '../model/inventory.js';
import { clusterLabels } from '../model/cluster-labels.js';
import { adoptionProblem, chainPermissions, outsidersAdmitted } from './chain-adoption.js';
import type { InventoryIndexes } from '../analysis/indexes.js';
import { ClusterScope } from './cluster-scope.js';
import { checkRewrite, sameStatementsFor, UniverseCache, universeFor, type AdmissionProbe, type CheckResult } from './equivalence.js';
import { displayIdentity, isMigrating, stoppedBy, type Candidate } from './identities.js';
import type { PlannedRole, TrustPhases } from './model.js';
import { plannedRole, untouched, withRetained, type RoleOutcome } from './role-outcome.js';
import type { TrustOracle } from '../analysis/oracle.js';
import { and } from '../iam/evaluate.js';
import { chainStatement, minified, podIdentityStatements, sidsOf, withoutIrsaSubjects, withStatements } from './trust-rewrite.js';
import { group } from '../group.js';
import { compareText } from '../order.js';
import { present } from '../errors.js';

/** IAM's default limit on a role trust policy, in characters (whitespace not counted). */
export const TRUST_POLICY_LIMIT = 2048;
/** The most IAM allows a role trust policy with a raised quota. */
export const MAX_TRUST_POLICY_LIMIT = 4096;

/**
 * Per account, the size the plan keeps each trust under: the limit given, or more where a role's
 * current trust shows the account's quota raised; never above IAM's maximum. A current trust is
 * measured without any whitespace, the least IAM can have counted, and a planned one with the
 * whitespace inside its strings, the most: both err towards a smaller trust.
 */
class TrustLimits {
  private readonly largest = new Map<string, number>();

  constructor(
    ctx: InventoryIndexes,
    private readonly given: number,
  ) {
    for (const r of ctx.inventory.roles)
      this.largest.set(r.accountId, Math.max(this.largest.get(r.accountId) ?? 0, minified(r.trustPolicy).replace(/\s/g, '').length));
  }

  of(accountId: string): number {
    return Math.min(MAX_TRUST_POLICY_LIMIT, Math.max(this.given, this.largest.get(accountId) ?? 0));
  }
}

/** A role's rewrite for some of its identities, with the trust of the chaining roles into it. */
interface Rewrite {
  readonly phases: TrustPhases;
  readonly chains: readonly Omit<ChainRoleDraft, 'target'>[];
  readonly migrated: readonly Identity[];
}

const EMPTY_TRUST: PolicyDocument = { Version: '2012-10-17', Statement: [] };

interface ChainRoleDraft {
  readonly arn: string;
  readonly existing: Role | undefined;
  readonly target: Role;
  readonly identities: Identity[];
  readonly phases: TrustPhases;
}

/** The roles of a plan, the findings their rewrites raise, and every candidate with its final decision, in the order given. */
export interface RolePlanning {
  readonly roles: PlannedRole[];
  readonly findings: Finding[];
  readonly candidates: readonly Candidate[];
}

class RolePlanner {
  private readonly chainDrafts = new Map<string, ChainRoleDraft>();
  private readonly universes = new UniverseCache();
  readonly findings: Finding[] = [];

  private readonly limits: TrustLimits;
  private readonly scope: ClusterScope;

  constructor(
    private readonly ctx: InventoryIndexes,
    private readonly oracle: TrustOracle,
    limit: number,
  ) {
    this.limits = new TrustLimits(ctx, limit);
    this.scope = new ClusterScope(oracle);
  }

  /** Whether a trust needs a statement for the identity: it does not admit it, or only through statements admitting its pair in other clusters too. */
  private needsStatement(doc: PolicyDocument | null, id: Identity): boolean {
    return this.oracle.podIdentity(doc, id).decision !== 'yes' || this.scope.reliedOn(doc, id).statements.length > 0;
  }

  /** A finding for each migrated identity that the current trust admits only through statements not scoped to its cluster. */
  private broadAdmissions(role: Role, migrated: readonly Identity[], transition: PolicyDocument): Finding[] {
    return migrated.flatMap((id) => {
      const { statements } = this.scope.reliedOn(role.trustPolicy, id);
      if (!statements.length) return [];
      const which = statements.map((st) => {
        const clusters = clusterLabels(this.scope.clustersAdmitted(st, id, this.ctx.clusters));
        const where = clusters.length ? `${clusters.join(', ')} and any other cluster` : 'any cluster';
        return `statement ${statementLabel(st)} (admits ${id.namespace}/${id.serviceAccount} in ${where} of account ${role.accountId})`;
      });
      const them = statements.length > 1 ? 'those statements' : 'that statement';
      const outcome = this.scope.reliedOn(transition, id).statements.length
        ? `its own statement scoped to cluster ${id.clusterArn} does not fit under the trust's limit of ${String(this.limits.of(role.accountId))} characters, so it goes on relying on ${them}: do not narrow or remove ${them} without giving it a role of its own`
        : `the plan adds a statement scoped to cluster ${id.clusterArn}, namespace and service account, so narrowing or removing ${them} later keeps it working`;
      return [
        {
          rule: R.reliesOnBroadTrust.id,
          severity: R.reliesOnBroadTrust.severity,
          roleArn: role.arn,
          cluster: id.clusterName,
          namespace: id.namespace,
          serviceAccount: id.serviceAccount,
          message: `${displayIdentity(id)}: ${role.arn}'s trust admits it through EKS Pod Identity only by ${which.join(' and ')}; ${outcome}`,
        },
      ];
    });
  }

  private chainTrust(arn: string, phase: keyof TrustPhases): PolicyDocument | null {
    const draft = this.chainDrafts.get(arn);
    if (draft) return draft.phases[phase];
    return this.ctx.rolesByArn.get(arn)?.trustPolicy ?? null;
  }

  private probeFor(role: Role, phases: TrustPhases): AdmissionProbe {
    const chains = [...this.chainDrafts.values()].filter((d) => d.target.arn === role.arn);
    return {
      samePhases: (mechanism, a, b) =>
        mechanism === 'irsa'
          ? sameStatementsFor(phases[a], phases[b], ['Federated'])
          : sameStatementsFor(phases[a], phases[b], ['Service', 'AWS']) && chains.every((d) => d.phases[a] === d.phases[b]),
      irsa: (doc, id) => this.oracle.irsa(doc, role.accountId, id).decision,
      podIdentity: (phase, doc, id) => {
        if (id.accountId === role.accountId) return this.oracle.podIdentity(doc, id).decision;
        const chainArn = chains.find((d) => accountOf(d.arn) === id.accountId)?.arn;
        if (!chainArn) return 'no';
        return and(this.oracle.podIdentity(this.chainTrust(chainArn, phase), id).decision, this.oracle.chain(doc, chainArn, id).decision);
      },
    };
  }

  /** The statements added to `current` for the identities given, and the chaining roles' trust, in one style. */
  private rewrite(current: PolicyDocument, kept: readonly Candidate[], compact: boolean, reliant: ReadonlySet<Identity> = new Set()): Rewrite {
    const sids = sidsOf(current);
    const direct = kept.filter((c) => !c.chainRoleArn).map((c) => c.identity);
    const added: RawStatement[] = podIdentityStatements(
      direct.filter((id) => (reliant.has(id) ? this.oracle.podIdentity(current, id).decision !== 'yes' : this.needsStatement(current, id))),
      sids,
      { compact },
    );
    const chains: Omit<ChainRoleDraft, 'target'>[] = [];
    for (const [chainArn, cs] of [...group(kept, (c) => c.chainRoleArn ?? undefined)].sort(([a], [b]) => compareText(a, b))) {
      const ids = cs.map((c) => c.identity);
      const existing = this.ctx.rolesByArn.get(chainArn);
      const chainCurrent = existing?.trustPolicy ?? null;
      const chainAdded = podIdentityStatements(
        ids.filter((id) => this.needsStatement(chainCurrent, id)),
        sidsOf(chainCurrent),
        { compact },
      );
      const chainTransition = withStatements(chainCurrent ?? EMPTY_TRUST, chainAdded);
      chains.push({ arn: chainArn, existing, identities: ids, phases: { current: chainCurrent, transition: chainTransition, final: chainTransition } });
      const needChain = ids.filter((id) => this.oracle.chain(current, chainArn, id).decision !== 'yes');
      if (needChain.length) added.push(chainStatement(chainArn, needChain, sids, { compact }));
    }
    const transition = withStatements(current, added);
    const migrated = kept.map((c) => c.identity);
    return { phases: { current, transition, final: withoutIrsaSubjects(transition, migrated) }, chains, migrated };
  }

  /**
   * How far the largest of a rewrite's trusts (the role's and its chaining roles') is over its
   * account's limit, or 0 when all fit. A trust no longer than the current one always fits: IAM holds it.
   */
  private excess(role: Role, r: Rewrite): number {
    const over = (doc: PolicyDocument, current: PolicyDocument | null, limit: number) => {
      const size = minified(doc).length;
      return size <= minified(current).length ? 0 : Math.max(0, size - limit);
    };
    const limit = this.limits.of(role.accountId);
    const own = Math.max(over(r.phases.transition, r.phases.current, limit), over(r.phases.final, r.phases.current, limit));
    return Math.max(own, ...r.chains.map((ch) => over(ch.phases.transition, ch.phases.current, this.limits.of(accountOf(ch.arn) ?? ''))));
  }

  /**
   * The rewrite to plan: as always when it fits under the limit; else compacted; else compacted for the
   * identities the trust does not admit yet, taken one by one by namespace, service account and cluster (so
   * that one service account's identities in several clusters share a statement), each kept when the rewrite
   * with it still fits and blocked otherwise. Identities the trust already admits are never blocked: they get
   * their cluster-scoped statements all together when those fit, else none, and go on relying on the trust
   * they have (a bounded number of rewrites, not one per identity, and never at the cost of an identity
   * with no admission).
   */
  private fitted(role: Role, candidates: readonly Candidate[]): { rewrite: Rewrite; candidates: readonly Candidate[] } {
    const plain = this.rewrite(role.trustPolicy, candidates.filter(isMigrating), false);
    if (!this.excess(role, plain)) return { rewrite: plain, candidates };
    const free = (c: Candidate) =>
      Number(
        !this.needsStatement(c.chainRoleArn ? this.chainTrust(c.chainRoleArn, 'current') : role.trustPolicy, c.identity) &&
          (!c.chainRoleArn || this.oracle.chain(role.trustPolicy, c.chainRoleArn, c.identity).decision === 'yes'),
      );
    const migrating = candidates
      .filter(isMigrating)
      .sort(
        (a, b) =>
          free(b) - free(a) ||
          compareText(a.identity.namespace, b.identity.namespace) ||
          compareText(a.identity.serviceAccount, b.identity.serviceAccount) ||
          compareText(a.cluster.arn, b.cluster.arn),
      );
    const compact = this.rewrite(role.trustPolicy, migrating, true);
    if (!this.excess(role, compact)) return { rewrite: compact, candidates };
    const admittedNow = (c: Candidate) => !c.chainRoleArn && this.oracle.podIdentity(role.trustPolicy, c.identity).decision === 'yes';
    const admitted = migrating.filter(admittedNow);
    const kept: Candidate[] = [];
    const blocked: Candidate[] = [];
    let fits = this.rewrite(role.trustPolicy, [], true);
    for (const c of migrating.filter((m) => !admittedNow(m))) {
      const attempt = this.rewrite(role.trustPolicy, [...kept, c], true);
      if (this.excess(role, attempt)) blocked.push(c);
      else {
        kept.push(c);
        fits = attempt;
      }
    }
    const withOwn = this.rewrite(role.trustPolicy, [...kept, ...admitted], true);
    fits = this.excess(role, withOwn) ? this.rewrite(role.trustPolicy, [...kept, ...admitted], true, new Set(admitted.map((c) => c.identity))) : withOwn;
    if (!blocked.length) return { rewrite: fits, candidates };
    const size = Math.max(minified(compact.phases.transition).length, minified(compact.phases.final).length);
    const chainSize = Math.max(0, ...compact.chains.map((ch) => minified(ch.phases.transition).length));
    const limit = this.limits.of(role.accountId);
    const largest = Math.max(size, chainSize);
    const where =
      chainSize > size
        ? `the trust of a chaining role into ${role.arn} would have ${chainSize} characters even compacted`
        : `${role.arn}'s rewritten trust would have ${size} characters even compacted`;
    const raise = largest <= MAX_TRUST_POLICY_LIMIT ? `, or raise the account's quota to ${largest} or more and plan with --trust-policy-limit` : '';
    this.findings.push({
      rule: R.trustPolicyTooLarge.id,
      severity: R.trustPolicyTooLarge.severity,
      roleArn: role.arn,
      message: `${where}, over the limit of ${limit} (IAM allows at most ${MAX_TRUST_POLICY_LIMIT}); ${blocked.length} of ${migrating.length} identities are not migrated (${blocked
        .slice(0, 5)
        .map((c) => displayIdentity(c.identity))
        .join(
          ', ',
        )}${blocked.length > 5 ? ` and ${blocked.length - 5} more` : ''}): give them roles of their own (one per service account), or move identities off this shared role${raise}`,
    });
    const refused = new Set(blocked);
    const why = (c: Candidate) =>
      `${displayIdentity(c.identity)}: ${role.arn}'s trust cannot also admit it under the limit of ${limit} characters; give it a role of its own, or move identities off this shared role${raise}`;
    return { rewrite: fits, candidates: candidates.map((c) => (refused.has(c) ? stoppedBy(c, R.trustPolicyTooLarge, why(c), 'blocked') : c)) };
  }

  /** Rewrites one role for its migrating candidates; on anything it cannot prove, leaves it untouched. */
  planRole(role: Role, given: readonly Candidate[]): RoleOutcome {
    const current = role.trustPolicy;
    const undecidable = given.filter((c) => isMigrating(c) && !c.chainRoleArn && this.oracle.podIdentity(current, c.identity).decision === 'unknown');
    const [firstUndecidable] = undecidable;
    if (firstUndecidable) return this.giveUp(role, given, this.oracle.podIdentity(current, firstUndecidable.identity).unknownBecause.join('; '));
    const {
      rewrite: { phases, chains, migrated: migratedIds },
      candidates,
    } = this.fitted(role, given);
    for (const ch of chains) this.chainDrafts.set(ch.arn, { ...ch, target: role });
    const transition = phases.transition;
    const result = checkRewrite(phases, migratedIds, universeFor(this.ctx, [current, transition], migratedIds, this.universes), this.probeFor(role, phases));
    for (const doc of [transition, phases.final]) if (doc !== current) this.oracle.forget(doc);
    if (result.unknown.length) return this.giveUp(role, candidates, `the check could not evaluate ${result.unknown.slice(0, 3).join(', ')}`);
    if (result.differences.length) return this.refuse(role, candidates, role.arn, result);
    const planned = plannedRole({
      arn: role.arn,
      kind: 'existing',
      chainsTo: null,
      permissionsPolicy: null,
      phases,
      equivalent: true,
      checked: result.identitiesChecked,
      differences: [],
      migrated: migratedIds,
    });
    const direct = new Set(candidates.filter((c) => isMigrating(c) && !c.chainRoleArn).map((c) => c.identity));
    this.findings.push(
      ...this.broadAdmissions(
        role,
        migratedIds.filter((id) => direct.has(id)),
        phases.transition,
      ),
    );
    return { kind: 'rewritten', role: planned, candidates, irsaRetained: result.irsaRetained };
  }

  /**
   * The same-account roles created for chaining, checked once every target role is planned. A chaining
   * role whose check fails takes its target role down with it (`refused`): the target's rewrite is
   * replaced by {@link refuse}, and no chaining role of that target is planned.
   */
  chainRoles(outcomes: ReadonlyMap<string, RoleOutcome>): { planned: PlannedRole[]; refused: RoleOutcome[] } {
    const checked = [...this.chainDrafts.values()]
      .sort((a, b) => compareText(a.arn, b.arn))
      .map((d) => {
        const probe: AdmissionProbe = {
          irsa: () => 'no',
          podIdentity: (_phase, doc, id) => this.oracle.podIdentity(doc, id).decision,
        };
        const result = checkRewrite(d.phases, d.identities, universeFor(this.ctx, [d.phases.transition], d.identities, this.universes), probe, false);
        const outsiders = outsidersAdmitted(this.oracle, d.phases.transition, d.arn).map((who) => ({
          phase: 'transition' as const,
          mechanism: 'statements' as const,
          identity: who,
          expected: `no principal but EKS Pod Identity reaches ${d.target.arn} through ${d.arn}`,
          actual: 'admitted',
        }));
        return { d, result: outsiders.length ? { ...result, differences: [...result.differences, ...outsiders] } : result };
      });
    const failed = new Map<string, { arn: string; result: CheckResult }>();
    for (const { d, result } of checked)
      if ((result.differences.length || result.unknown.length) && !failed.has(d.target.arn)) failed.set(d.target.arn, { arn: d.arn, result });
    const refused = [...failed].flatMap(([target, { arn, result }]) => {
      const targetRole = present(this.ctx.rolesByArn.get(target), `role ${target}`);
      const differences: CheckResult['differences'] = result.differences.length
        ? result.differences
        : result.unknown.map((identity) => ({ phase: 'transition', mechanism: 'pod-identity', identity, expected: 'yes', actual: 'unknown' }));
      return [this.refuse(targetRole, outcomes.get(target)?.candidates ?? [], arn, { ...result, differences })];
    });
    const planned = checked
      .filter(({ d }) => !failed.has(d.target.arn))
      .map(({ d, result }) => {
        return plannedRole({
          arn: d.arn,
          kind: d.existing ? 'existing' : 'new',
          chainsTo: d.target.arn,
          permissionsPolicy: chainPermissions(d.target),
          phases: d.phases,
          equivalent: true,
          checked: result.identitiesChecked,
          differences: [],
          migrated: d.identities,
        });
      });
    return { planned, refused };
  }

  /**
   * Before any trust is planned: the identities that would chain through a role the plan cannot create
   * (its name is taken) or adopt (it is not exactly what the plan would create) are stopped at `conflict`
   * (or `skipped`, when the role's account was not scanned), so no trust admits them and no step serves them.
   */
  refuseUnadoptableChains(candidates: readonly Candidate[]): readonly Candidate[] {
    const chained = group(
      candidates.filter((c) => isMigrating(c) && c.chainRoleArn && c.role),
      (c) => c.chainRoleArn,
    );
    const stopped = new Map<Candidate, Candidate>();
    for (const [chainArn, cs] of [...chained].sort(([a], [b]) => compareText(a, b))) {
      const target = present(cs[0]?.role, `the role chained through ${chainArn}`);
      const problem = adoptionProblem(
        this.ctx,
        this.oracle,
        chainArn,
        target,
        cs.map((c) => c.identity),
        this.universes,
      );
      if (!problem) continue;
      if (problem.notScanned) {
        for (const c of cs)
          stopped.set(c, stoppedBy(c, R.roleNotScanned, `${displayIdentity(c.identity)} would chain through ${chainArn}, but ${problem.message}`));
        continue;
      }
      this.findings.push({
        rule: R.chainRoleConflict.id,
        severity: R.chainRoleConflict.severity,
        roleArn: chainArn,
        message: `${chainArn} is not adopted: ${problem.message}`,
      });
      for (const c of cs)
        stopped.set(
          c,
          stoppedBy(
            c,
            R.chainRoleConflict,
            `${displayIdentity(c.identity)}: would chain through ${chainArn}, which is not adopted: ${problem.message}`,
            'conflict',
          ),
        );
    }
    return candidates.map((c) => stopped.get(c) ?? c);
  }

  private dropChains(targetArn: string): void {
    for (const [arn, draft] of this.chainDrafts) if (draft.target.arn === targetArn) this.chainDrafts.delete(arn);
  }

  private giveUp(role: Role, candidates: readonly Candidate[], why: string): RoleOutcome {
    this.dropChains(role.arn);
    this.findings.push({
      rule: R.unsupportedCondition.id,
      severity: R.unsupportedCondition.severity,
      roleArn: role.arn,
      message: `${role.arn} is not rewritten: ${why}`,
    });
    const stopped = candidates.map((c) =>
      isMigrating(c) ? stoppedBy(c, R.unsupportedCondition, `${displayIdentity(c.identity)}: ${role.arn} is not rewritten automatically`) : c,
    );
    return { kind: 'gave-up', role: plannedRole(untouched(role, true, 0, [])), candidates: stopped };
  }

  /**
   * A rewrite the check found not equivalent (of `role` itself, or of `checkedArn`, a chaining role
   * into it) is never planned for applying: the role keeps its trust, its identities are skipped, the
   * differences stay on the role for the report (the rewrite's own notes, such as what its final trust
   * still admits through IRSA, are only added to a role that stays rewritten).
   */
  private refuse(role: Role, candidates: readonly Candidate[], checkedArn: string, result: CheckResult): RoleOutcome {
    this.dropChains(role.arn);
    const sample = result.differences.slice(0, 3).map((d) => `${d.phase} ${d.mechanism} ${d.identity}: expected ${d.expected}, got ${d.actual}`);
    const which = checkedArn === role.arn ? '' : ` (the check of chaining role ${checkedArn} failed)`;
    this.findings.push({
      rule: R.rewriteNotEquivalent.id,
      severity: R.rewriteNotEquivalent.severity,
      roleArn: role.arn,
      message: `${role.arn} is not rewritten${which}: ${sample.join('; ')}`,
    });
    const stopped = candidates.map((c) =>
      isMigrating(c)
        ? stoppedBy(c, R.rewriteNotEquivalent, `${displayIdentity(c.identity)}: ${role.arn}'s rewrite failed the equivalence check, so it is not rewritten`)
        : c,
    );
    return { kind: 'refused', role: plannedRole(untouched(role, false, result.identitiesChecked, result.differences)), candidates: stopped };
  }
}

/** Plans the trust of every role an annotated service account names, plus the chaining roles. */
export function planRoles(ctx: InventoryIndexes, oracle: TrustOracle, candidates: readonly Candidate[], trustPolicyLimit = TRUST_POLICY_LIMIT): RolePlanning {
  const planner = new RolePlanner(ctx, oracle, trustPolicyLimit);
  const adoptable = planner.refuseUnadoptableChains(candidates);
  const byRole = group(adoptable, (c) => c.role?.arn);
  const outcomes = new Map(
    [...byRole.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([arn, cs]) => [arn, planner.planRole(present(ctx.rolesByArn.get(arn), `role ${arn}`), cs)] as const),
  );
  const chains = planner.chainRoles(outcomes);
  for (const refused of chains.refused) outcomes.set(refused.role.arn, refused);
  const decided = new Map<Candidate, Candidate>();
  for (const [arn, outcome] of outcomes) {
    const final = outcome.kind === 'rewritten' ? withRetained(outcome) : outcome.candidates;
    present(byRole.get(arn), `the candidates of ${arn}`).forEach((c, i) => decided.set(c, present(final[i], 'a decided candidate')));
  }
  const roles = new Map([...outcomes].map(([arn, o]) => [arn, o.role] as const));
  const chainRoles = chains.planned.filter((r) => !roles.has(r.arn));
  return {
    roles: [...roles.values(), ...chainRoles].sort((a, b) => compareText(a.arn, b.arn)),
    findings: planner.findings,
    candidates: adoptable.map((c) => decided.get(c) ?? c),
  };
}
