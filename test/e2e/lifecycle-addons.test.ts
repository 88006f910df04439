import { describe, it } from 'vitest';
import { lifecycle, singleAccount } from './lifecycle.js';

describe('generated scripts against moto + EKS shim + Kubernetes fake', () => {
  const env = singleAccount();

  it.each(['existing-association', 'addon-role'])(
    '%s: migrate ×2, finalize, rollback; state read back after each',
    async (fixture) => {
      await lifecycle(env.accounts(), await env.load(fixture), { repeatAll: fixture === 'basic', dryRun: fixture === 'basic' });
    },
    120_000,
  );
});
