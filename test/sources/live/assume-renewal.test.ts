import type { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { assumeInto, type AccountSelection } from '../../../src/sources/live/accounts.js';

const SELECTION: AccountSelection = { organization: false, accounts: ['111122223333'], assumeRole: 'OrganizationAccountAccessRole' };

/** An STS client whose AssumeRole hands out credentials living `lifetimeMs`, and fails from call `failFrom` on. */
function sts(lifetimeMs: number, failFrom: number): { client: STSClient; calls: () => number } {
  let calls = 0;
  const client = {
    send: () => {
      calls++;
      if (calls >= failFrom) return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
      return Promise.resolve({ Credentials: { AccessKeyId: `A${String(calls)}`, SecretAccessKey: 'S', Expiration: new Date(Date.now() + lifetimeMs) } });
    },
  } as unknown as STSClient;
  return { client, calls: () => calls };
}

describe('assumed credentials when their renewal fails', () => {
  it('keep the held credentials while they are valid, and try again on the next request', async () => {
    const s = sts(2_000, 2);
    const get = await assumeInto(s.client, SELECTION, '111122223333', 'us-east-1');
    await new Promise((r) => setTimeout(r, 1_100));
    const got = await Promise.all([get(), get(), get()]);
    expect(got.map((c) => c.accessKeyId)).toEqual(['A1', 'A1', 'A1']);
    expect(s.calls()).toBe(2);
    await get();
    expect(s.calls()).toBe(3);
  });

  it('fail once the held credentials have expired', async () => {
    const s = sts(50, 2);
    const get = await assumeInto(s.client, SELECTION, '111122223333', 'us-east-1');
    await new Promise((r) => setTimeout(r, 80));
    await expect(get()).rejects.toThrow('Rate exceeded');
  });
});
