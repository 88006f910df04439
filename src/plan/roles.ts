import type { Finding } from '../findings/model.js';
import { PLANNING_RULES as R } from '../findings/planning-rules.js';
import { roleNameAndPath, accountOf } from '../iam/arn.js';
import type { PolicyDocument, RawStatement } from '../iam/policy.js';
import { identityKey, type Identity } from '../iam/requests.js';
import type { Role } from '../model/inventory.js';
import { adoptionProblem, chainPermissions, outsidersAdmitted } from './chain-adoption.js';
import type { PlanContext } from './context.js';
import { checkRewrite, sameStatementsFor, UniverseCache, universeFor, type AdmissionProbe, type CheckResult } from './equivalence.js';
import { candidateFinding, displayIdentity, isMigrating, skipForRole, type Candidate } from './identities.js';
import type { PlannedRole, TrustPhases } from './model.js';
import { and, type TrustOracle } from './oracle.js';
import { chainStatement, minified, podIdentityStatements, sidsOf, withoutIrsaSubjects, withStatements } from './trust-rewrite.js';
import { group } from '../group.js';
import { compareText } from '../order.js';

/** IAM's default limit on a role trust policy, in characters. */
export const TRUST_POLICY_LIMIT = 2048;

const EMPTY_TRUST: PolicyDocument = { Version: '2012-10-17', Statement: [] };

interface ChainRoleDraft {
  readonly arn: string;
  readonly existing: Role | undefined;
  readonly target: Role;
  readonly identities: Identity[];
  phases: TrustPhases;
}

/** The roles of a plan and the findings their rewrites raise. */
export interface RolePlanning {
  readonly roles: PlannedRole[];
  readonly findings: Finding[];
}

/** Removes, in place, the items of `list` that `drop` picks. */
function removeWhere<T>(list: T[], drop: (item: T) => boolean): void {
  let kept = 0;
  for (const item of list) if (!drop(item)) list[kept++] = item;
  list.length = kept;
}

function unchanged(doc: PolicyDocument): TrustPhases {
  return { current: doc, transition: doc, final: doc };
}

class RolePlanner {
  private readonly chainDrafts = new Map<string, ChainRoleDraft>();
  private readonly universes = new UniverseCache();
  readonly findings: Finding[] = [];

  constructor(
    private readonly ctx: PlanContext,
    private readonly oracle: TrustOracle,
  ) {}

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

  /** Rewrites one role for its migrating candidates; on anything it cannot prove, leaves it untouched. */
  planRole(role: Role, candidates: Candidate[]): PlannedRole {
    const migrating = candidates.filter(isMigrating);
    const current = role.trustPolicy;
    const direct = migrating.filter((c) => !c.chainRoleArn).map((c) => c.identity);
    const chained = new Map([...group(migrating, (c) => c.chainRoleArn ?? undefined)].map(([arn, cs]) => [arn, cs.map((c) => c.identity)] as const));
    const pi = (doc: PolicyDocument | null, id: Identity) => this.oracle.podIdentity(doc, id).decision;
    const undecidable = direct.filter((id) => pi(current, id) === 'unknown');
    if (undecidable.length) return this.giveUp(role, candidates, this.oracle.podIdentity(current, undecidable[0]!).unknownBecause.join('; '));

    const sids = sidsOf(current);
    const added: RawStatement[] = podIdentityStatements(direct.filter((id) => pi(current, id) !== 'yes'), sids);
    for (const [chainArn, ids] of [...chained.entries()].sort(([a], [b]) => compareText(a, b))) {
      const existing = this.ctx.rolesByArn.get(chainArn);
      const chainCurrent = existing?.trustPolicy ?? null;
      const chainAdded = podIdentityStatements(ids.filter((id) => pi(chainCurrent, id) !== 'yes'), sidsOf(chainCurrent));
      const chainTransition = withStatements(chainCurrent ?? EMPTY_TRUST, chainAdded);
      this.chainDrafts.set(chainArn, { arn: chainArn, existing, target: role, identities: ids, phases: { current: chainCurrent, transition: chainTransition, final: chainTransition } });
      const needChain = ids.filter((id) => this.oracle.chain(current, chainArn, id).decision !== 'yes');
      if (needChain.length) added.push(chainStatement(chainArn, needChain, sids));
    }
    const transition = withStatements(current, added);
    const migratedIds = [...direct, ...[...chained.values()].flat()];
    const phases: TrustPhases = { current, transition, final: withoutIrsaSubjects(transition, migratedIds) };
    const result = checkRewrite(phases, migratedIds, universeFor(this.ctx, [current, transition], migratedIds, this.universes), this.probeFor(role, phases));
    for (const doc of [transition, phases.final]) if (doc !== current) this.oracle.forget(doc);
    if (result.unknown.length) return this.giveUp(role, candidates, `the check could not evaluate ${result.unknown.slice(0, 3).join(', ')}`);
    if (result.differences.length) return this.refuse(role, candidates, role.arn, result);

    for (const id of result.irsaRetained) {
      const c = migrating.find((m) => identityKey(m.identity) === identityKey(id));
      if (c) {
        c.reasons.push(R.finalKeepsIrsa.id);
        c.findings.push(candidateFinding(R.finalKeepsIrsa, `${displayIdentity(id)}: ${role.arn}'s final trust still admits it through IRSA (a wildcard or subject-less statement serving others)`, c));
      }
    }
    const planned = this.planned(role.arn, 'existing', null, null, phases, true, result.identitiesChecked, [], migratedIds);
    this.flagSize(planned, migrating);
    return planned;
  }

  /**
   * The same-account roles created for chaining, checked once every target role is planned. A chaining
   * role whose check fails takes its target role down with it (`refused`): the target's rewrite is
   * replaced by {@link refuse}, and no chaining role of that target is planned.
   */
  chainRoles(candidatesByRole: ReadonlyMap<string, Candidate[]>): { planned: PlannedRole[]; refused: PlannedRole[] } {
    const checked = [...this.chainDrafts.values()]
      .sort((a, b) => compareText(a.arn, b.arn))
      .map((d) => {
        const probe: AdmissionProbe = {
          irsa: () => 'no',
          podIdentity: (_phase, doc, id) => this.oracle.podIdentity(doc, id).decision,
        };
        const result = checkRewrite(d.phases, d.identities, universeFor(this.ctx, [d.phases.transition], d.identities, this.universes), probe, false);
        const outsiders = outsidersAdmitted(this.oracle, d.phases.transition, d.arn).map((who) => ({ phase: 'transition' as const, mechanism: 'statements' as const, identity: who, expected: `no principal but EKS Pod Identity reaches ${d.target.arn} through ${d.arn}`, actual: 'admitted' }));
        return { d, result: outsiders.length ? { ...result, differences: [...result.differences, ...outsiders] } : result };
      });
    const failed = new Map<string, { arn: string; result: CheckResult }>();
    for (const { d, result } of checked) if ((result.differences.length || result.unknown.length) && !failed.has(d.target.arn)) failed.set(d.target.arn, { arn: d.arn, result });
    const refused = [...failed].map(([target, { arn, result }]) => {
      const differences: CheckResult['differences'] = result.differences.length ? result.differences : result.unknown.map((identity) => ({ phase: 'transition', mechanism: 'pod-identity', identity, expected: 'yes', actual: 'unknown' }));
      return this.refuse(this.ctx.rolesByArn.get(target)!, candidatesByRole.get(target) ?? [], arn, { ...result, differences });
    });
    const planned = checked
      .filter(({ d }) => !failed.has(d.target.arn))
      .map(({ d, result }) => {
        const planned = this.planned(d.arn, d.existing ? 'existing' : 'new', d.target.arn, chainPermissions(d.target), d.phases, true, result.identitiesChecked, [], d.identities);
        this.flagSize(planned, []);
        return planned;
      });
    return { planned, refused };
  }

  /**
   * Before any trust is planned: the identities that would chain through a role the plan cannot create
   * (its name is taken) or adopt (it is not exactly what the plan would create) are set to `conflict`,
   * so no trust admits them and no step serves them.
   */
  refuseUnadoptableChains(candidates: readonly Candidate[]): void {
    const chained = group(candidates.filter((c) => isMigrating(c) && c.chainRoleArn && c.role), (c) => c.chainRoleArn);
    for (const [chainArn, cs] of [...chained].sort(([a], [b]) => compareText(a, b))) {
      const problem = adoptionProblem(this.ctx, this.oracle, chainArn, cs[0]!.role!, cs.map((c) => c.identity), this.universes);
      if (!problem) continue;
      if (problem.notScanned) {
        for (const c of cs) skipForRole(c, R.roleNotScanned, `${displayIdentity(c.identity)} would chain through ${chainArn}, but ${problem.message}`);
        continue;
      }
      this.findings.push({ rule: R.chainRoleConflict.id, severity: R.chainRoleConflict.severity, roleArn: chainArn, message: `${chainArn} is not adopted: ${problem.message}` });
      for (const c of cs) skipForRole(c, R.chainRoleConflict, `${displayIdentity(c.identity)}: would chain through ${chainArn}, which is not adopted: ${problem.message}`, 'conflict');
    }
  }

  private flagSize({ arn, trustSize: sizes }: PlannedRole, migrating: Candidate[]): void {
    const size = Math.max(sizes.transition, sizes.final);
    if (size <= TRUST_POLICY_LIMIT || sizes.current >= size) return;
    this.findings.push({ rule: R.trustPolicyTooLarge.id, severity: R.trustPolicyTooLarge.severity, roleArn: arn, message: `${arn}: the rewritten trust has ${size} characters, over IAM's default limit of ${TRUST_POLICY_LIMIT}` });
    for (const c of migrating) if (!c.reasons.includes(R.trustPolicyTooLarge.id)) c.reasons.push(R.trustPolicyTooLarge.id);
  }

  private dropChains(targetArn: string): void {
    for (const [arn, draft] of this.chainDrafts) if (draft.target.arn === targetArn) this.chainDrafts.delete(arn);
  }

  private giveUp(role: Role, candidates: Candidate[], why: string): PlannedRole {
    this.dropChains(role.arn);
    this.findings.push({ rule: R.unsupportedCondition.id, severity: R.unsupportedCondition.severity, roleArn: role.arn, message: `${role.arn} is not rewritten: ${why}` });
    for (const c of candidates.filter(isMigrating)) skipForRole(c, R.unsupportedCondition, `${displayIdentity(c.identity)}: ${role.arn} is not rewritten automatically`);
    return this.planned(role.arn, 'existing', null, null, unchanged(role.trustPolicy), true, 0, [], []);
  }

  /**
   * A rewrite the check found not equivalent (of `role` itself, or of `checkedArn`, a chaining role
   * into it) is never planned for applying: the role keeps its trust, its identities are skipped, the
   * differences stay on the role for the report, and findings about the dropped rewrite are withdrawn.
   */
  private refuse(role: Role, candidates: Candidate[], checkedArn: string, result: CheckResult): PlannedRole {
    this.dropChains(role.arn);
    const ofRewrite = new Set([R.trustPolicyTooLarge.id, R.finalKeepsIrsa.id]);
    removeWhere(this.findings, (f) => f.roleArn === role.arn && ofRewrite.has(f.rule));
    for (const c of candidates) {
      removeWhere(c.reasons, (r) => ofRewrite.has(r));
      removeWhere(c.findings, (f) => ofRewrite.has(f.rule));
    }
    const sample = result.differences.slice(0, 3).map((d) => `${d.phase} ${d.mechanism} ${d.identity}: expected ${d.expected}, got ${d.actual}`);
    const which = checkedArn === role.arn ? '' : ` (the check of chaining role ${checkedArn} failed)`;
    this.findings.push({ rule: R.rewriteNotEquivalent.id, severity: R.rewriteNotEquivalent.severity, roleArn: role.arn, message: `${role.arn} is not rewritten${which}: ${sample.join('; ')}` });
    for (const c of candidates.filter(isMigrating)) skipForRole(c, R.rewriteNotEquivalent, `${displayIdentity(c.identity)}: ${role.arn}'s rewrite failed the equivalence check, so it is not rewritten`);
    return this.planned(role.arn, 'existing', null, null, unchanged(role.trustPolicy), false, result.identitiesChecked, result.differences, []);
  }

  private planned(arn: string, kind: PlannedRole['kind'], chainsTo: string | null, permissionsPolicy: PolicyDocument | null, phases: TrustPhases, equivalent: boolean, checked: number, differences: PlannedRole['equivalence']['differences'], migrated: readonly Identity[]): PlannedRole {
    const np = roleNameAndPath(arn) ?? { name: arn, path: '/' };
    const current = minified(phases.current);
    const transition = phases.transition === phases.current ? current : minified(phases.transition);
    const final = phases.final === phases.transition ? transition : minified(phases.final);
    const changed = !phases.current || current !== transition || transition !== final;
    return {
      arn,
      accountId: accountOf(arn) ?? '',
      name: np.name,
      path: np.path,
      kind,
      chainsTo,
      permissionsPolicy,
      trustPolicy: phases,
      changed,
      equivalent,
      equivalence: { identitiesChecked: checked, differences },
      migrated: migrated.map(displayIdentity).sort(),
      trustSize: { current: current.length, transition: transition.length, final: final.length },
    };
  }
}

/** Plans the trust of every role an annotated service account names, plus the chaining roles. */
export function planRoles(ctx: PlanContext, oracle: TrustOracle, candidates: Candidate[]): RolePlanning {
  const planner = new RolePlanner(ctx, oracle);
  planner.refuseUnadoptableChains(candidates);
  const byRole = group(candidates, (c) => c.role?.arn);
  const roles = new Map(
    [...byRole.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([arn, cs]) => [arn, planner.planRole(ctx.rolesByArn.get(arn)!, cs)] as const),
  );
  const chains = planner.chainRoles(byRole);
  for (const refused of chains.refused) roles.set(refused.arn, refused);
  const chainRoles = chains.planned.filter((r) => !roles.has(r.arn));
  return { roles: [...roles.values(), ...chainRoles].sort((a, b) => compareText(a.arn, b.arn)), findings: planner.findings };
}
