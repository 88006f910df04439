import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';
import { collectEvidence } from '../../../src/sources/live/collect.js';
import { buildWorld, ACCT, REGION, type World } from './world.js';
import { buildOrgWorld, type OrgWorld } from './org-world.js';
import { stopAll } from '../../helpers/stop.js';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'least-privilege.md'), 'utf8');

function fenced(lang: string): string[] {
  return [...DOC.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

type Policy = { Statement: { Effect: string; Action: string[]; Resource: string | string[] }[] };
const iamPolicy = JSON.parse(fenced('json')[0]!) as Policy;
const allowedActions = new Set(iamPolicy.Statement.flatMap((s) => s.Action));
/** The organisation-wide caller's policy. */
const callerPolicy = JSON.parse(fenced('json')[1]!) as Policy;
const callerActions = new Set(callerPolicy.Statement.flatMap((s) => s.Action));
const clusterRole = fenced('yaml')
  .flatMap((t) => parseAllDocuments(t).map((d) => d.toJS()))
  .find((d) => d.kind === 'ClusterRole') as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };

const READ_ONLY = /^(iam|eks|ec2|cloudformation):(Get|List|Describe)[A-Za-z]+$/;
const CALLER_ONLY = /^(organizations:(List)[A-Za-z]+|sts:(AssumeRole|GetCallerIdentity))$/;

describe('docs/least-privilege.md covers exactly what collect does', () => {
  let world: World;
  const saved = { ...process.env };
  beforeAll(async () => {
    world = await buildWorld({ associations: 4 });
    // A version taking no Pod Identity association, on an add-on with a role: collect looks for the lowest later one that does.
    world.shim.seedAddon({
      clusterName: 'c1',
      addonName: 'vpc-cni',
      region: REGION,
      addonVersion: 'v1.15.0-eksbuild.2',
      serviceAccountRoleArn: `arn:aws:iam::${ACCT}:role/cni`,
    });
    Object.assign(process.env, world.env);
  });
  afterAll(async () => {
    process.env = saved;
    await stopAll(world);
  });

  it('documents only read-only actions and get/list verbs', () => {
    for (const a of allowedActions) expect(a).toMatch(READ_ONLY);
    for (const s of iamPolicy.Statement) expect(s.Effect).toBe('Allow');
    for (const r of clusterRole.rules) for (const v of r.verbs) expect(['get', 'list']).toContain(v);
  });

  it('every AWS operation and Kubernetes request of a collection is in the documented policy', async () => {
    const operations: string[] = [];
    world.kube.requests.length = 0;
    world.shim.state.requests.length = 0;
    const result = await collectEvidence({
      regions: [REGION],
      contexts: ['c1=fake'],
      associationPageSize: 2,
      onAwsOperation: (op) => operations.push(op),
      loadKubeConfig: () => {
        const kc = new KubeConfig();
        kc.loadFromFile(world.kubeconfig);
        return kc;
      },
    });
    expect(result.gaps).toEqual([]);
    // Economy: one paged GetAccountAuthorizationDetails, no GetRole; associations paged (5 at 2 per page).
    expect(operations.filter((o) => o === 'iam:GetAccountAuthorizationDetails')).toHaveLength(1);
    expect(operations.some((o) => o === 'iam:GetRole' || o === 'iam:ListRoles')).toBe(false);
    expect(operations.filter((o) => o === 'eks:ListPodIdentityAssociations')).toHaveLength(3);
    expect(operations.filter((o) => o === 'eks:DescribePodIdentityAssociation')).toHaveLength(5);
    // The agent's and vpc-cni's installed versions, then the bisection of vpc-cni's later versions (v1.16.0, v1.15.1, v1.15.3).
    expect(operations.filter((o) => o === 'eks:DescribeAddonVersions')).toHaveLength(1);
    expect(operations.filter((o) => o === 'eks:DescribeAddonConfiguration')).toHaveLength(5);
    expect(world.shim.state.requests.filter((r) => r.method === 'GET' && /pod-identity-associations$/.test(r.path)).map((r) => r.query.maxResults)).toEqual([
      '2',
      '2',
      '2',
    ]);

    for (const op of new Set(operations)) {
      expect(op).toMatch(READ_ONLY);
      expect(allowedActions, `${op} is not in docs/least-privilege.md`).toContain(op);
    }

    expect(world.kube.requests.length).toBeGreaterThan(9);
    expect(world.kube.requests.some((r) => r.query.continue)).toBe(true); // the fake serves 2 per page
    for (const r of world.kube.requests) {
      expect(r.method).toBe('GET');
      const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)\/([a-z]+)$/.exec(r.path);
      expect(m, `unexpected Kubernetes request ${r.path}`).not.toBeNull();
      const group = m![1] ?? '';
      const resource = m![2]!;
      const verb = r.query.watch === 'true' ? 'watch' : 'list';
      expect(
        clusterRole.rules.some((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource) && rule.verbs.includes(verb)),
        `${verb} ${group}/${resource} is not in the documented ClusterRole`,
      ).toBe(true);
      expect(r.query.limit).toBe('500');
    }
  });
});

describe('docs/least-privilege.md covers exactly what an organisation-wide collect does', () => {
  let w: OrgWorld;
  const saved = { ...process.env };
  beforeAll(async () => {
    w = await buildOrgWorld();
    Object.assign(process.env, w.env);
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await stopAll(w);
  });

  it('documents only listing and AssumeRole for the caller, on the default role', () => {
    for (const a of callerActions) expect(a).toMatch(CALLER_ONLY);
    const assume = callerPolicy.Statement.find((s) => s.Action.includes('sts:AssumeRole'))!;
    expect(assume.Resource).toBe('arn:aws:iam::*:role/OrganizationAccountAccessRole');
  });

  it('every operation of --organization, --ou and --region all is in the caller or the member policy', async () => {
    const callerOps: string[] = [];
    const memberOps: string[] = [];
    for (const selection of [
      { organization: true, accounts: [], assumeRole: 'OrganizationAccountAccessRole' },
      { organization: true, ou: w.ou, accounts: [], assumeRole: 'OrganizationAccountAccessRole' },
    ]) {
      await collectEvidence({
        regions: ['all'],
        accounts: selection,
        contexts: w.contexts,
        onAwsOperation: (op) => (/^(organizations|sts):/.test(op) ? callerOps : memberOps).push(op),
        loadKubeConfig: () => {
          const kc = new KubeConfig();
          kc.loadFromFile(w.kubeconfig);
          return kc;
        },
      });
    }
    for (const op of [
      'organizations:ListAccounts',
      'organizations:ListAccountsForParent',
      'organizations:ListChildren',
      'sts:AssumeRole',
      'sts:GetCallerIdentity',
    ]) {
      expect(callerOps).toContain(op);
    }
    expect(memberOps).toContain('ec2:DescribeRegions');
    for (const op of new Set(callerOps)) expect(callerActions, `${op} is not in the caller policy of docs/least-privilege.md`).toContain(op);
    for (const op of new Set(memberOps)) {
      expect(op).toMatch(READ_ONLY);
      expect(allowedActions, `${op} is not in docs/least-privilege.md`).toContain(op);
    }
  }, 60_000);
});
