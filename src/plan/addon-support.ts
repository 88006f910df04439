/**
 * Whether an installed add-on version can take the Pod Identity association the plan gives one of
 * its service accounts, from the collected `describe-addon-configuration` of that version.
 * @module
 */
import type { Addon, AddonConfiguration } from '../model/inventory.js';
import { compareAddonVersions } from '../order.js';

/** What the collected configuration says of one add-on service account. */
export type AddonSupport =
  /** The version names the service account in its `podIdentityConfiguration`. */
  | { readonly kind: 'supported' }
  /** The installed version's configuration was not collected (or the version is not known): support is unknown. */
  | { readonly kind: 'unknown'; readonly version: string | undefined }
  /** The version has no `podIdentityConfiguration`; `minimum` is the lowest collected later version that has one. */
  | { readonly kind: 'no-pod-identity'; readonly version: string; readonly source: string; readonly minimum: string | undefined }
  /** The version takes Pod Identity associations only for other service accounts. */
  | { readonly kind: 'other-service-accounts'; readonly version: string; readonly source: string; readonly serviceAccounts: readonly string[] };

/** Whether `addon`, as installed, can take a Pod Identity association for `serviceAccount`. */
export function addonSupport(addon: Addon, serviceAccount: string, configurations: readonly AddonConfiguration[]): AddonSupport {
  const version = addon.version;
  const own = configurations.filter((c) => c.addonName === addon.name);
  const installed = version === undefined ? undefined : own.find((c) => c.addonVersion === version);
  if (version === undefined || installed === undefined) return { kind: 'unknown', version };
  const accounts = installed.podIdentityServiceAccounts;
  if (accounts.length === 0) {
    const later = own
      .filter((c) => c.podIdentityServiceAccounts.includes(serviceAccount) && compareAddonVersions(c.addonVersion, version) > 0)
      .map((c) => c.addonVersion)
      .sort(compareAddonVersions);
    return { kind: 'no-pod-identity', version, source: installed.source, minimum: later[0] };
  }
  if (!accounts.includes(serviceAccount)) return { kind: 'other-service-accounts', version, source: installed.source, serviceAccounts: accounts };
  return { kind: 'supported' };
}
