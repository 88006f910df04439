/**
 * The changes of the plan that belong to another Terraform configuration: roles, add-ons and
 * associations whose state was given (owner `terraform`). They go to `owners/<workspace>.tf`, a file
 * for the owner's configuration, outside the generated root module, which neither declares nor
 * imports them.
 * @module
 */
import type { Plan, PlannedAssociation, PlannedRole } from '../../../plan/model.js';
import { replaceableModuleCall } from '../../../plan/owners.js';
import { compareText } from '../../../order.js';
import { commentText, fileComponent, shortHash, uniqueIdentifiers } from '../../names.js';
import { got } from '../../lookup.js';

type Owner = NonNullable<PlannedRole['owner']>;
type TerraformOwner = Extract<Owner, { kind: 'terraform' }>;

/** The owner when it is Terraform. */
export function terraformOwner(x: { readonly owner?: Owner }): TerraformOwner | undefined {
  return x.owner?.kind === 'terraform' ? x.owner : undefined;
}

/** A role whose trust the owner's `aws_iam_role` takes as a whole document per phase. */
interface OwnedRole {
  readonly address: string;
  readonly arn: string;
  readonly migrated: string;
  /** The module whose source holds the resource; null at the root module. */
  readonly module: string | null;
  readonly transition: string;
  readonly final: string;
  readonly transitionJson: string;
  readonly finalJson: string;
}

/** A terraform-aws-modules IRSA module call replaced by a plain role that keeps the module's role. */
interface Replacement extends OwnedRole {
  readonly irsaModule: string;
  readonly name: string;
  readonly roleName: string;
  readonly path: string;
  /** Where the module call is: null for the root module. */
  readonly parent: string | null;
  /** The module call's name, relative to `parent`. */
  readonly call: string;
  /** The alias of the provider configuration of the module's role; null for the default one. */
  readonly providerAlias: string | null;
  /** Whether the state does not say which provider configuration the module call used. */
  readonly providerUnknown: boolean;
}

/** A role of an IRSA module whose call has count or for_each: no generated replacement. */
interface NotReplaced {
  readonly address: string;
  readonly arn: string;
  readonly irsaModule: string;
  readonly transitionFile: string;
  readonly finalFile: string;
}

interface OwnedAddon {
  readonly address: string;
  readonly cluster: string;
  readonly addon: string;
  readonly name: string;
  readonly associations: readonly { readonly identity: string; readonly status: string; readonly roleArn: string; readonly serviceAccount: string }[];
}

interface OwnedAssociation {
  readonly address: string;
  readonly identity: string;
  readonly roleArn: string;
}

/** One `owners/<workspace>.tf`. */
export interface OwnerFile {
  readonly path: string;
  readonly workspace: string;
  readonly roles: readonly OwnedRole[];
  readonly replacements: readonly Replacement[];
  readonly notReplaced: readonly NotReplaced[];
  readonly addons: readonly OwnedAddon[];
  readonly associations: readonly OwnedAssociation[];
  /** Addresses in the owner's configuration this file changes, for the README. */
  readonly addresses: readonly string[];
}

/** Whether an add-on association goes to its owner's Terraform rather than addons.tf. */
export function ownedByTerraform(a: PlannedAssociation): boolean {
  return terraformOwner(a) !== undefined;
}

interface Inputs {
  readonly plan: Plan;
  /** Existing roles whose trust changes. */
  readonly trustRoles: readonly PlannedRole[];
  readonly trustFileBase: (r: PlannedRole) => string;
  /** Whether the generated root module declares the association (its own state holds it). */
  readonly inRoot: (a: PlannedAssociation) => boolean;
}

const identity = (a: PlannedAssociation) => `${a.cluster}/${a.namespace}/${a.serviceAccount}`;

/**
 * The provider configuration of an IRSA module's replacement role: the root module's, as the raw
 * state records it, for a call in the root module; unknown from `terraform show -json` (no alias
 * recorded) or for a call inside another module, whose provider names are that module's.
 */
function replacementProvider(owner: TerraformOwner, parent: string | null): Pick<Replacement, 'providerAlias' | 'providerUnknown'> {
  if (owner.provider === undefined || parent !== null) return { providerAlias: null, providerUnknown: true };
  return { providerAlias: owner.provider.startsWith('aws.') ? owner.provider.slice('aws.'.length) : null, providerUnknown: false };
}

const MAX_FILE_STEM = 100;

/**
 * A file name stem per workspace: its file-name form, cut to at most 100 bytes (a prefix and a hash
 * of the workspace), with a hash of the workspace added where two stems differ only in case (one
 * file on a case-insensitive file system).
 */
export function workspaceFileStems(workspaces: readonly string[]): Map<string, string> {
  const hashed = (w: string, stem: string) => `${stem.slice(0, MAX_FILE_STEM - 9)}-${shortHash(w)}`;
  const stems = new Map(
    workspaces.map((w) => {
      const stem = fileComponent(w);
      return [w, stem.length > MAX_FILE_STEM ? hashed(w, stem) : stem];
    }),
  );
  const byFolded = new Map<string, string[]>();
  for (const [w, stem] of stems) byFolded.set(stem.toLowerCase(), [...(byFolded.get(stem.toLowerCase()) ?? []), w]);
  for (const group of byFolded.values()) if (group.length > 1) for (const w of group) stems.set(w, hashed(w, got(stems, w)));
  return stems;
}

/** The owner files of the plan, one per Terraform workspace that owns something the plan changes. */
export function ownerFiles({ plan, trustRoles, trustFileBase, inRoot }: Inputs): OwnerFile[] {
  const workspaces = new Set<string>();
  const roles = trustRoles.flatMap((r) => {
    const owner = terraformOwner(r);
    if (owner) workspaces.add(owner.workspace);
    return owner ? [{ role: r, owner }] : [];
  });
  const addonGroups = new Map<string, { owner: TerraformOwner; group: PlannedAssociation[] }>();
  for (const a of plan.associations) {
    const owner = terraformOwner(a);
    if (!owner || inRoot(a) || a.via !== 'addon' || !a.addon || (a.status !== 'create' && a.status !== 'exists')) continue;
    workspaces.add(owner.workspace);
    const key = `${a.clusterArn}|${a.addon}`;
    const known = addonGroups.get(key);
    if (known) known.group.push(a);
    else addonGroups.set(key, { owner, group: [a] });
  }
  const associations = plan.associations.flatMap((a) => {
    const owner = terraformOwner(a);
    if (!owner || inRoot(a) || a.via !== 'association' || a.status !== 'exists') return [];
    workspaces.add(owner.workspace);
    return [{ a, owner }];
  });

  const stems = workspaceFileStems([...workspaces]);
  return [...workspaces].sort(compareText).map((workspace) => {
    const mine = roles.filter((x) => x.owner.workspace === workspace);
    const addons = [...addonGroups.entries()].filter(([, g]) => g.owner.workspace === workspace).sort(([a], [b]) => compareText(a, b));
    const names = uniqueIdentifiers([
      ...mine.map((x) => ({ key: `role|${x.role.arn}`, label: `irsa2pi_${x.role.name}` })),
      ...addons.map(([key, g]) => ({
        key: `addon|${key}`,
        label: `irsa2pi_${g.group[0]?.cluster ?? ''}_${g.group[0]?.addon ?? ''}_pod_identity_associations`,
      })),
    ]);
    const owned = (x: { role: PlannedRole; owner: TerraformOwner }): OwnedRole => {
      const name = got(names, `role|${x.role.arn}`);
      return {
        address: x.owner.address,
        arn: x.role.arn,
        migrated: x.role.migrated.join(', '),
        module: x.owner.module,
        transition: `${name}_trust_transition`,
        final: `${name}_trust_final`,
        transitionJson: JSON.stringify(x.role.trustPolicy.transition),
        finalJson: JSON.stringify(x.role.trustPolicy.final),
      };
    };
    const plain = mine.filter((x) => !x.owner.irsaModule || x.owner.module === null);
    const modular = mine.filter((x) => x.owner.irsaModule && x.owner.module !== null);
    const replacements: Replacement[] = [];
    const notReplaced: NotReplaced[] = [];
    for (const x of modular) {
      const module = x.owner.module ?? '';
      const where = replaceableModuleCall(module);
      const irsaModule = x.owner.irsaModule ?? '';
      if (!where) {
        notReplaced.push({
          address: x.owner.address,
          arn: x.role.arn,
          irsaModule,
          transitionFile: `${trustFileBase(x.role)}.transition.json`,
          finalFile: `${trustFileBase(x.role)}.final.json`,
        });
        continue;
      }
      replacements.push({
        ...owned(x),
        irsaModule,
        name: got(names, `role|${x.role.arn}`),
        roleName: x.role.name,
        path: x.role.path,
        parent: where.parent,
        call: where.call.slice('module.'.length),
        ...replacementProvider(x.owner, where.parent),
      });
    }
    const ownedAddons: OwnedAddon[] = addons.map(([key, g]) => {
      const first = g.group[0];
      return {
        address: g.owner.address,
        cluster: first?.cluster ?? '',
        addon: first?.addon ?? '',
        name: got(names, `addon|${key}`),
        associations: [...g.group]
          .sort((a, b) => compareText(a.serviceAccount, b.serviceAccount))
          .map((a) => ({ identity: identity(a), status: a.status, roleArn: a.roleArn, serviceAccount: a.serviceAccount })),
      };
    });
    const ownedAssociations = associations
      .filter((x) => x.owner.workspace === workspace)
      .map((x) => ({ address: x.owner.address, identity: identity(x.a), roleArn: x.a.roleArn }));
    const rolesOut = plain.map(owned);
    return {
      path: `owners/${got(stems, workspace)}.tf`,
      workspace,
      roles: rolesOut,
      replacements,
      notReplaced,
      addons: ownedAddons,
      associations: ownedAssociations,
      addresses: [
        ...rolesOut.map((r) => r.address),
        ...replacements.map((r) => r.address),
        ...notReplaced.map((r) => r.address),
        ...ownedAddons.map((a) => a.address),
        ...ownedAssociations.map((a) => a.address),
      ].map(commentText),
    };
  });
}
