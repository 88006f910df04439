/**
 * The accounts of an organisation-wide `collect`: the active accounts of the AWS Organization (or of
 * one organisational unit and the units below it), and credentials in each from `sts:AssumeRole`.
 * @module
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import { pageTokenGuard } from './page-tokens.js';

/** Credentials the SDK clients of one member account use. */
export interface AccountCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Which accounts an organisation-wide scan reads, and the role it assumes in each. */
export interface AccountSelection {
  /** List the accounts of the organisation (`organizations:ListAccounts`). */
  readonly organization: boolean;
  /** Only the accounts of this organisational unit (or root) and the units below it. */
  readonly ou?: string;
  /** Accounts named directly (12 digits each). */
  readonly accounts: readonly string[];
  /** The role assumed in each account: a role name, optionally with its path (`path/Name`). */
  readonly assumeRole: string;
  readonly externalId?: string;
  readonly roleSessionName?: string;
}

/** The role every AWS Organizations member account gets when the organisation creates it. */
export const DEFAULT_ASSUME_ROLE = 'OrganizationAccountAccessRole';

/** The session name of the assumed roles, as CloudTrail shows it. */
export const DEFAULT_ROLE_SESSION_NAME = 'irsa2pi-collect';

/** The id of an active account, undefined for another; throws on an id that is not 12 digits (it names a bundle folder). */
function activeId(account: { Id?: string; State?: string; Status?: string }): string | undefined {
  const id = account.Id;
  if (id === undefined || !/^\d{12}$/.test(id))
    throw new Error(`the organisation listed an account id that is not 12 digits: ${JSON.stringify(String(id).slice(0, 40))}`);
  return (account.State ?? account.Status) === 'ACTIVE' ? id : undefined;
}

/** The active accounts of the organisation, all pages of `ListAccounts`. */
async function allAccounts(org: OrganizationsClient, pageSize: number): Promise<string[]> {
  const { paginateListAccounts } = await import('@aws-sdk/client-organizations');
  const ids: string[] = [];
  const next = pageTokenGuard('ListAccounts');
  for await (const page of paginateListAccounts({ client: org, pageSize }, {})) {
    next(page.NextToken);
    for (const a of page.Accounts ?? []) {
      const id = activeId(a);
      if (id !== undefined) ids.push(id);
    }
  }
  return ids;
}

/** The active accounts of `ou` and every unit below it (`ListAccountsForParent`, `ListChildren`). */
async function accountsUnder(org: OrganizationsClient, ou: string, pageSize: number): Promise<string[]> {
  const { paginateListAccountsForParent, paginateListChildren } = await import('@aws-sdk/client-organizations');
  const ids: string[] = [];
  const seen = new Set<string>();
  const pending = [ou];
  for (let parent = pending.shift(); parent !== undefined; parent = pending.shift()) {
    if (seen.has(parent)) continue;
    seen.add(parent);
    const nextAccounts = pageTokenGuard(`ListAccountsForParent ${parent}`);
    for await (const page of paginateListAccountsForParent({ client: org, pageSize }, { ParentId: parent })) {
      nextAccounts(page.NextToken);
      for (const a of page.Accounts ?? []) {
        const id = activeId(a);
        if (id !== undefined) ids.push(id);
      }
    }
    const nextChildren = pageTokenGuard(`ListChildren ${parent}`);
    for await (const page of paginateListChildren({ client: org, pageSize }, { ParentId: parent, ChildType: 'ORGANIZATIONAL_UNIT' })) {
      nextChildren(page.NextToken);
      for (const c of page.Children ?? []) if (c.Id) pending.push(c.Id);
    }
  }
  return ids;
}

/** The accounts `selection` names, listed from the organisation where asked; sorted, each once. */
export async function selectedAccounts(selection: AccountSelection, pageSize: number | undefined, org: () => OrganizationsClient): Promise<string[]> {
  const size = pageSize ?? 20;
  const listed = selection.ou !== undefined ? await accountsUnder(org(), selection.ou, size) : selection.organization ? await allAccounts(org(), size) : [];
  return [...new Set([...listed, ...selection.accounts])].sort();
}

/**
 * The account of the caller's own credentials (`sts:GetCallerIdentity`): read with those credentials,
 * since the management account has no `OrganizationAccountAccessRole` to assume.
 */
export async function callerAccount(sts: STSClient): Promise<string | undefined> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  return (await sts.send(new GetCallerIdentityCommand({}))).Account;
}

/** The partition of a region (`aws`, `aws-cn`, `aws-us-gov`), for the ARN of the assumed role. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The ARN of the role assumed in `account`. */
export function assumedRoleArn(selection: Pick<AccountSelection, 'assumeRole'>, account: string, region: string): string {
  return `arn:${partitionOf(region)}:iam::${account}:role/${selection.assumeRole}`;
}

/** Renewed this long before the assumed credentials expire, or half their lifetime before when they live shorter. */
const RENEW_BEFORE_MS = 5 * 60_000;

/** Credentials and when to assume the role again for new ones. */
interface Held {
  readonly credentials: AccountCredentials;
  /** Epoch milliseconds; never, for credentials that do not expire. */
  readonly renewAt: number;
}

/**
 * Assumes the selection's role in `account` with the caller's credentials (`sts`) and returns a
 * provider of its credentials, assumed again when they near expiry (one `AssumeRole` at a time, shared
 * by the requests waiting for it); rejects when the first `AssumeRole` is refused. A renewal that fails
 * leaves the credentials held in use until they expire (the next request tries again).
 */
export async function assumeInto(sts: STSClient, selection: AccountSelection, account: string, region: string): Promise<() => Promise<AccountCredentials>> {
  const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const assume = async (): Promise<Held> => {
    const asked = Date.now();
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: assumedRoleArn(selection, account, region),
        RoleSessionName: selection.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME,
        ...(selection.externalId !== undefined ? { ExternalId: selection.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${assumedRoleArn(selection, account, region)} returned no credentials`);
    const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    if (!c.Expiration) return { credentials, renewAt: Infinity };
    const expires = c.Expiration.getTime();
    return { credentials, renewAt: expires - Math.min(RENEW_BEFORE_MS, Math.max(0, expires - asked) / 2) };
  };
  let current = await assume();
  let renewing: Promise<Held> | undefined;
  return async () => {
    if (Date.now() >= current.renewAt) {
      renewing ??= assume().finally(() => (renewing = undefined));
      try {
        current = await renewing;
      } catch (e) {
        const expiration = current.credentials.expiration;
        if (!expiration || expiration.getTime() <= Date.now()) throw e;
      }
    }
    return current.credentials;
  };
}
