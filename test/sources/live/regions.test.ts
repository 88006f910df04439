import { describe, it, expect } from 'vitest';
import { EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { eksNotOffered } from '../../../src/sources/live/regions.js';
import { freePort } from '../../helpers/exec.js';

/** The error the SDK gives for ListClusters against `endpoint`. */
async function listClustersError(endpoint: string): Promise<unknown> {
  const eks = new EKSClient({ region: 'xx-nowhere-1', endpoint, maxAttempts: 1, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  try {
    await eks.send(new ListClustersCommand({}));
    return undefined;
  } catch (e) {
    return e;
  } finally {
    eks.destroy();
  }
}

describe('--region all: which failures mean EKS is not offered in a region', () => {
  it('AWS\'s own EKS host name of the region, not resolving, is "not offered" (skipped silently)', async () => {
    // eks.<region>.amazonaws.com does not resolve where EKS is not offered (nor anywhere without DNS).
    expect(eksNotOffered(await listClustersError('https://eks.xx-nowhere-1.amazonaws.com'), 'xx-nowhere-1')).toBe(true);
  });

  it("any other host that does not resolve is a failure (a scan gap): an endpoint override, a proxy, a typo, or another region's host", async () => {
    // .invalid never resolves (RFC 6761).
    expect(eksNotOffered(await listClustersError('https://eks.xx-nowhere-1.irsa2pi.invalid'), 'xx-nowhere-1')).toBe(false);
    expect(eksNotOffered(await listClustersError('http://eks.nonexistent.invalid:1'), 'xx-nowhere-1')).toBe(false);
    expect(eksNotOffered(await listClustersError('https://eks.xx-nowhere-1.amazonaws.com'), 'eu-west-1')).toBe(false);
  });

  it('an endpoint that resolves but refuses the connection is a failure (a scan gap), not "not offered"', async () => {
    const e = await listClustersError(`http://127.0.0.1:${await freePort()}`);
    expect(e).toBeDefined();
    expect(eksNotOffered(e, 'xx-nowhere-1')).toBe(false);
  });
});
