import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEvidence, type CollectOptions } from '../../../src/sources/live/collect.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { buildOrgWorld, EAST, WEST, type OrgWorld } from './org-world.js';

describe('an organisation scan outlasting the assumed credentials (moto Organizations + STS behind a front whose credentials expire in seconds)', () => {
  let w: OrgWorld;
  const saved = { ...process.env };
  beforeAll(async () => {
    w = await buildOrgWorld();
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await w.stop();
  });

  const collectAsCaller = async (opts: CollectOptions) => {
    Object.assign(process.env, w.env);
    try {
      return await collectEvidence({
        contexts: w.contexts,
        loadKubeConfig: () => {
          const kc = new KubeConfig();
          kc.loadFromFile(w.kubeconfig);
          return kc;
        },
        ...opts,
      });
    } finally {
      process.env = { ...saved };
    }
  };

  it('assumes the role again before the credentials expire, never signs with expired ones, and completes', async () => {
    const LIFETIME_MS = 1_500;
    w.front.assumeRoles.length = 0;
    w.front.issued.length = 0;
    w.front.expiredUses.length = 0;
    w.front.credentialLifetimeMs = LIFETIME_MS;
    w.front.delayMs = 150;
    const started = Date.now();
    try {
      const result = await collectAsCaller({
        regions: [WEST, EAST],
        accounts: { organization: false, accounts: [w.accounts.workA, w.accounts.workB], assumeRole: 'OrganizationAccountAccessRole' },
        concurrency: 1,
      });
      const elapsed = Date.now() - started;
      expect(result.gaps).toEqual([]);
      expect(w.front.expiredUses).toEqual([]);
      const paths = result.files.map((f) => f.path);
      expect(paths).toContain(`aws/${w.accounts.workA}/${WEST}/cluster-shop.json`);
      expect(paths).toContain(`aws/${w.accounts.workB}/${EAST}/cluster-pay.json`);
      expect(paths).toContain('kubernetes/shop/resources.json');
      // The scan took several lifetimes of the credentials, so each account's role was assumed again…
      expect(elapsed).toBeGreaterThan(2.5 * LIFETIME_MS);
      for (const account of [w.accounts.workA, w.accounts.workB]) {
        const assumed = w.front.assumeRoles.filter((a) => a.roleArn === `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`).length;
        expect(assumed, account).toBeGreaterThanOrEqual(2);
        // …but not for every request: at most once per half lifetime of the scan, and one to start.
        expect(assumed, account).toBeLessThanOrEqual(Math.ceil(elapsed / (LIFETIME_MS / 2)) + 1);
      }
      const uses = w.front.issued.map((c) => c.uses);
      expect(uses.reduce((a, b) => a + b, 0) / uses.length, `requests signed by each credential: ${uses.join(', ')}`).toBeGreaterThan(1.5);
    } finally {
      w.front.credentialLifetimeMs = undefined;
      w.front.delayMs = 0;
    }
  }, 120_000);

  it("carries each role's RoleLastUsed from GetAccountAuthorizationDetails into the bundle (moto records the use of the assumed role)", async () => {
    const result = await collectAsCaller({
      regions: [WEST],
      accounts: { organization: false, accounts: [w.accounts.workA], assumeRole: 'OrganizationAccountAccessRole' },
    });
    const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-last-used-live-'));
    for (const f of result.files) {
      mkdirSync(join(dir, f.path, '..'), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const roles = new Map(readEvidenceBundle(dir).roles.map((r) => [r.name, r]));
    const scanner = roles.get('OrganizationAccountAccessRole')!;
    expect(Date.parse(scanner.lastUsed!.date!)).toBeGreaterThan(Date.now() - 600_000);
    expect(roles.get('shop-local')!.lastUsed).toEqual({ source: roles.get('shop-local')!.source });
    expect(Date.parse(roles.get('shop-local')!.createDate!)).toBeGreaterThan(Date.now() - 600_000);
  }, 60_000);
});
