import { PLANNING_RULES as R } from '../findings/planning-rules.js';
import { accountOf, roleNameAndPath } from '../iam/arn.js';
import type { PolicyDocument } from '../iam/policy.js';
import { identityKey, type Identity } from '../iam/requests.js';
import type { Role } from '../model/inventory.js';
import { displayIdentity, isMigrating, notedBy, type Candidate } from './identities.js';
import type { PlannedRole, TrustPhases } from './model.js';
import { minified } from './trust-rewrite.js';
import { present } from '../errors.js';

/**
 * What became of one role the plan was asked to rewrite: rewritten (its identities admitted, the
 * migrated ones the final trust still admits through IRSA named), refused (the check found the rewrite
 * not equivalent) or given up (its trust cannot be evaluated); with its candidates, in the order
 * given, as that leaves them.
 */
export type RoleOutcome =
  | { readonly kind: 'rewritten'; readonly role: PlannedRole; readonly candidates: readonly Candidate[]; readonly irsaRetained: readonly Identity[] }
  | { readonly kind: 'refused' | 'gave-up'; readonly role: PlannedRole; readonly candidates: readonly Candidate[] };

/** The fields that tell the kinds of planned role apart, each kind with its own. */
type RoleShape = PlannedRole extends infer R ? (R extends PlannedRole ? Pick<R, 'kind' | 'chainsTo' | 'permissionsPolicy'> : never) : never;

/** What {@link plannedRole} makes a planned role of. */
export type RoleDraft = RoleShape & {
  readonly arn: string;
  readonly phases: TrustPhases;
  readonly equivalent: boolean;
  readonly checked: number;
  readonly differences: PlannedRole['equivalence']['differences'];
  readonly migrated: readonly Identity[];
};

/** The role's own trust kept as it is, for a role not rewritten. */
export function untouched(role: Role, equivalent: boolean, checked: number, differences: PlannedRole['equivalence']['differences']): RoleDraft {
  return {
    arn: role.arn,
    kind: 'existing',
    chainsTo: null,
    permissionsPolicy: null,
    phases: unchanged(role.trustPolicy),
    equivalent,
    checked,
    differences,
    migrated: [],
  };
}

/** The candidates of a rewritten role with a reason (and finding) for each migrated identity its final trust still admits through IRSA. */
export function withRetained(outcome: Extract<RoleOutcome, { kind: 'rewritten' }>): readonly Candidate[] {
  let candidates = outcome.candidates;
  for (const id of outcome.irsaRetained) {
    const at = candidates.findIndex((m) => isMigrating(m) && identityKey(m.identity) === identityKey(id));
    if (at < 0) continue;
    const noted = notedBy(
      present(candidates[at], 'the migrating candidate'),
      R.finalKeepsIrsa,
      `${displayIdentity(id)}: ${outcome.role.arn}'s final trust still admits it through IRSA (a wildcard or subject-less statement serving others)`,
    );
    candidates = candidates.map((c, i) => (i === at ? noted : c));
  }
  return candidates;
}

function unchanged(doc: PolicyDocument): TrustPhases {
  return { current: doc, transition: doc, final: doc };
}

/** The kind of a draft and the fields that go with it, in the order the plan writes them. */
function shapeOf(draft: RoleDraft): RoleShape {
  if (draft.chainsTo === null) return { kind: draft.kind, chainsTo: null, permissionsPolicy: null };
  return { kind: draft.kind, chainsTo: draft.chainsTo, permissionsPolicy: draft.permissionsPolicy };
}

/** The planned role a draft describes, its trusts measured. */
export function plannedRole(draft: RoleDraft): PlannedRole {
  const { arn, phases, equivalent, checked, differences, migrated } = draft;
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
    ...shapeOf(draft),
    trustPolicy: phases,
    changed,
    equivalent,
    equivalence: { identitiesChecked: checked, differences },
    migrated: migrated.map(displayIdentity).sort(),
    trustSize: { current: current.length, transition: transition.length, final: final.length },
  };
}
