/**
 * `--region all`: the regions enabled for an account, and which failures mean EKS is not offered there.
 * @module
 */
import type { EC2Client } from '@aws-sdk/client-ec2';

/** The regions enabled for the account of `ec2`'s credentials (`ec2:DescribeRegions`), sorted. */
export async function enabledRegions(ec2: EC2Client): Promise<string[]> {
  const { DescribeRegionsCommand } = await import('@aws-sdk/client-ec2');
  const out = await ec2.send(new DescribeRegionsCommand({ AllRegions: false }));
  const names = (out.Regions ?? []).filter((r) => r.OptInStatus !== 'not-opted-in').map((r) => r.RegionName);
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))].sort();
}

/** AWS's own EKS host of a region, in each partition's DNS suffix. */
const EKS_HOST = /^eks\.([a-z0-9-]+)\.(?:amazonaws\.com|amazonaws\.com\.cn|api\.aws|c2s\.ic\.gov|sc2s\.sgov\.gov)$/;

/**
 * True when a request failed because the region has no EKS endpoint at all: AWS's own EKS host name for
 * that region does not resolve. With `--region all` that region is skipped, not a scan gap. Any other
 * host that does not resolve (an endpoint override, a proxy, a typo) is a failure like any other.
 */
export function eksNotOffered(e: unknown, region: string): boolean {
  const err = e as { code?: unknown; hostname?: unknown; cause?: { code?: unknown; hostname?: unknown } } | undefined;
  const dns = err?.code === 'ENOTFOUND' ? err : err?.cause?.code === 'ENOTFOUND' ? err.cause : undefined;
  const host = typeof dns?.hostname === 'string' ? dns.hostname.toLowerCase() : '';
  return EKS_HOST.exec(host)?.[1] === region;
}
