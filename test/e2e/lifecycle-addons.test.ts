import { describe, expect, it } from 'vitest';
import { lifecycle, singleAccount } from './lifecycle.js';

describe('generated scripts against moto + EKS shim + Kubernetes fake', () => {
  const env = singleAccount();

  it.each(['existing-association', 'addon-role'])(
    '%s: migrate ×2, finalize, rollback; state read back after each',
    async (fixture) => {
      const world = await env.load(fixture);
      if (fixture === 'addon-role') expect([...env.accounts().shim.state.addons.values()].some((s) => s.addon.serviceAccountRoleArn)).toBe(true);
      await lifecycle(env.accounts(), world, { repeatAll: fixture === 'basic', dryRun: fixture === 'basic' });
    },
    120_000,
  );
});
