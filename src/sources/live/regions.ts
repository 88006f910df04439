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

/**
 * True when a request failed because the region has no EKS endpoint at all (its host name does not
 * resolve): with `--region all` that region is skipped, not a scan gap.
 */
export function eksNotOffered(e: unknown): boolean {
  const err = e as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return err?.code === 'ENOTFOUND' || err?.cause?.code === 'ENOTFOUND';
}
