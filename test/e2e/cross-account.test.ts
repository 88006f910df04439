import { afterAll, beforeAll, describe, it } from 'vitest';
import { startEksShim, type EksShim } from '../helpers/eks-shim.js';
import { startMoto, type MotoServer } from '../helpers/moto.js';
import { lifecycle } from './lifecycle.js';
import { buildWorld, type Accounts, type World } from './world.js';
import { stopAll } from '../helpers/stop.js';

const CLUSTER_ACCOUNT = '111122223333';
const ROLE_ACCOUNT = '444455556666';

// moto serves one account per process: the cluster account is moto + the EKS shim, the role's
// account a second moto server; the scripts reach each through AWS_PROFILE_<account> profiles
// whose endpoint_url points at the right emulator.
describe('generated scripts across two accounts (chaining role + target role trust)', () => {
  let motoA: MotoServer;
  let motoB: MotoServer;
  let shim: EksShim;
  let world: World | undefined;

  beforeAll(async () => {
    [motoA, motoB] = await Promise.all([startMoto({ accountId: CLUSTER_ACCOUNT }), startMoto({ accountId: ROLE_ACCOUNT })]);
    shim = await startEksShim({ motoEndpoint: motoA.endpoint, accountId: CLUSTER_ACCOUNT });
  });
  afterAll(async () => {
    await world?.stop();
    await stopAll(shim);
    await Promise.all([stopAll(motoA), stopAll(motoB)]);
  });

  it('cross-account: dry run, migrate ×2, finalize ×2, rollback ×2', async () => {
    const accounts: Accounts = {
      clusterAccount: CLUSTER_ACCOUNT,
      endpoints: { [CLUSTER_ACCOUNT]: shim.endpoint, [ROLE_ACCOUNT]: motoB.endpoint },
      motos: [motoA, motoB],
      shim,
    };
    world = await buildWorld('cross-account', accounts);
    await lifecycle(accounts, world);
  }, 150_000);
});
