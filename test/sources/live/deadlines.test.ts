import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../helpers/exec.js';
import { buildWorld, runCli, ACCT, REGION, type World } from './world.js';
import { startDribblingServer, startSilentServer, startUnacceptingServer, type StallingServer } from './stalling-servers.js';
import { signedRegion, startEksFront } from './eks-front.js';
import { stopAll } from '../../helpers/stop.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
/** Deadlines short enough for a test: 4 attempts of 0.4 s each, plus backoff, per request. */
const FAST = ['--connect-timeout', '1', '--request-timeout', '0.4'];
/** A short connect deadline under a long request deadline: only the connect deadline can end a hung connect in time. */
const FAST_CONNECT = ['--connect-timeout', '0.3', '--request-timeout', '30'];
/** Far below what the old handlers allowed (an idle timeout of 20 s; no AWS deadline at all). */
const BOUND_MS = 15_000;
/** How long the hung exec plugin sleeps: far beyond every bound here. */
const HUNG_PLUGIN_SECONDS = 120;

/** A context per server, and a context `hung-exec` for `hung` whose exec credential plugin never returns. */
function kubeconfig(servers: Record<string, string>, hung: string): string {
  const names = Object.keys(servers);
  return `apiVersion: v1
kind: Config
clusters:
${names.map((n) => `- name: ${n}\n  cluster:\n    server: ${servers[n]}\n    insecure-skip-tls-verify: true`).join('\n')}
- name: hung-exec
  cluster:
    server: ${hung}
    insecure-skip-tls-verify: true
users:
- name: u
  user: {}
- name: hung
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: sleep
      args: ["${HUNG_PLUGIN_SECONDS}"]
      interactiveMode: Never
contexts:
${names.map((n) => `- name: ${n}\n  context: {cluster: ${n}, user: u}`).join('\n')}
- name: hung-exec
  context: {cluster: hung-exec, user: hung}
current-context: ${names[0]}
`;
}

function gapsOf(out: string): { scope: string; name: string; region: string; error: string }[] {
  return JSON.parse(readFileSync(join(out, 'scan-gaps.json'), 'utf8')).irsa2piScanGaps;
}

describe('collect always ends: endpoints that never finish an answer become scan gaps', () => {
  let world: World;
  let silent: StallingServer;
  let dribbling: StallingServer;
  let unaccepting: StallingServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    world = await buildWorld({ withC2: true, associations: 1 });
    silent = await startSilentServer();
    dribbling = await startDribblingServer({ contentType: 'application/json', byte: ' ', intervalMs: 50 });
    unaccepting = await startUnacceptingServer();
    const path = join(world.dir, 'stalling-kubeconfig');
    writeFileSync(
      path,
      kubeconfig({ fake: world.kube.server, silent: silent.endpoint, dribbling: dribbling.endpoint, unaccepting: unaccepting.endpoint }, world.kube.server),
    );
    env = { ...world.env, KUBECONFIG: path };
  });
  afterAll(async () => {
    await stopAll(silent, dribbling, unaccepting, world);
  });

  it('a Kubernetes API that accepts the connection and never answers is a scan gap for its cluster, after 4 attempts; the other cluster is read', async () => {
    const out = join(world.dir, 'kube-silent');
    const before = silent.connections();
    const started = Date.now();
    const r = await runCli({ env }, ['collect', '--out', out, '--region', REGION, '--context', 'c1=fake', '--context', 'c2=silent', '--quiet', ...FAST]);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(r.code, r.stderr).toBe(4);
    expect(gapsOf(out)).toEqual([
      expect.objectContaining({
        scope: 'cluster',
        name: 'c2',
        region: REGION,
        error: expect.stringMatching(/context silent.*no complete response within the 0\.4 s request deadline/),
      }),
    ]);
    expect(silent.connections() - before).toBe(4);
    expect(existsSync(join(out, 'kubernetes', 'c1', 'resources.json'))).toBe(true);
    expect(existsSync(join(out, 'kubernetes', 'c2'))).toBe(false);
  });

  it('a Kubernetes API that sends headers and then one byte every 50 ms forever is a scan gap: the deadline is per request, not per idle period', async () => {
    const out = join(world.dir, 'kube-dribbling');
    dribbling.requests.length = 0;
    const started = Date.now();
    const r = await runCli({ env }, ['collect', '--out', out, '--region', REGION, '--context', 'c1=fake', '--context', 'c2=dribbling', '--quiet', ...FAST]);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(r.code, r.stderr).toBe(4);
    expect(gapsOf(out)).toEqual([
      expect.objectContaining({
        scope: 'cluster',
        name: 'c2',
        region: REGION,
        error: expect.stringMatching(/GET \/api\/v1\/serviceaccounts: no complete response within the 0\.4 s request deadline/),
      }),
    ]);
    expect(dribbling.requests).toHaveLength(4);
    expect(existsSync(join(out, 'kubernetes', 'c1', 'resources.json'))).toBe(true);
  });

  it('a Kubernetes API whose connection never completes is a scan gap at the connect deadline, well before the request deadline', async () => {
    const out = join(world.dir, 'kube-unaccepting');
    const started = Date.now();
    const r = await runCli({ env }, [
      'collect',
      '--out',
      out,
      '--region',
      REGION,
      '--context',
      'c1=fake',
      '--context',
      'c2=unaccepting',
      '--quiet',
      ...FAST_CONNECT,
    ]);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(r.code, r.stderr).toBe(4);
    expect(gapsOf(out)).toEqual([
      expect.objectContaining({
        scope: 'cluster',
        name: 'c2',
        region: REGION,
        error: expect.stringMatching(/context unaccepting.*no connection within the 0\.3 s connect deadline/),
      }),
    ]);
  });

  it('an EKS endpoint whose connection never completes is a region gap at the connect deadline', async () => {
    const out = join(world.dir, 'eks-unaccepting');
    const started = Date.now();
    const r = await runCli({ env: { ...env, AWS_ENDPOINT_URL_EKS: unaccepting.endpoint } }, [
      'collect',
      '--out',
      out,
      '--region',
      REGION,
      '--quiet',
      ...FAST_CONNECT,
    ]);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(r.code, r.stderr).toBe(4);
    expect(gapsOf(out)).toEqual([
      expect.objectContaining({ scope: 'region', name: REGION, error: expect.stringMatching(/^TimeoutError: .*did not establish a connection .* 300 ms/) }),
    ]);
  });

  it('a kubeconfig exec credential plugin that never returns is a scan gap for its cluster; the plugin is killed', async () => {
    const out = join(world.dir, 'kube-hung-exec');
    const before = world.kube.requests.length;
    const started = Date.now();
    const r = await runCli({ env }, ['collect', '--out', out, '--region', REGION, '--context', 'c1=fake', '--context', 'c2=hung-exec', '--quiet', ...FAST]);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(r.code, r.stderr).toBe(4);
    expect(gapsOf(out)).toEqual([
      expect.objectContaining({
        scope: 'cluster',
        name: 'c2',
        region: REGION,
        error: expect.stringMatching(/context hung-exec.*no credentials for the request within the 0\.4 s request deadline/),
      }),
    ]);
    expect(world.kube.requests.length - before).toBeGreaterThan(0);
    expect(existsSync(join(out, 'kubernetes', 'c1', 'resources.json'))).toBe(true);
    // The plugin's SIGKILL timer may fire a moment after the scan gave up on its request: it must be gone promptly, not at once.
    let plugins = '';
    for (let i = 0; i < 30; i++) {
      plugins = (await runCommand('pgrep', ['-f', `^sleep ${HUNG_PLUGIN_SECONDS}$`, '-P', String(process.pid)])).stdout;
      if (plugins === '') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(plugins).toBe('');
  });

  for (const kind of ['silent', 'dribbling'] as const) {
    it(`a ${kind} EKS endpoint is a scan gap for the region; IAM is still collected`, async () => {
      const out = join(world.dir, `eks-${kind}`);
      const server = kind === 'silent' ? silent : dribbling;
      const started = Date.now();
      const r = await runCli({ env: { ...env, AWS_ENDPOINT_URL_EKS: server.endpoint } }, ['collect', '--out', out, '--region', REGION, '--quiet', ...FAST]);
      expect(Date.now() - started).toBeLessThan(BOUND_MS);
      expect(r.code, r.stderr).toBe(4);
      expect(gapsOf(out)).toEqual([
        expect.objectContaining({ scope: 'region', name: REGION, region: REGION, error: expect.stringMatching(/^TimeoutError: /) }),
      ]);
      expect(existsSync(join(out, 'aws', ACCT, 'iam-authorization-details.json'))).toBe(true);
    });
  }

  for (const kind of ['silent', 'dribbling'] as const) {
    it(`a ${kind} IAM endpoint ends collect with one line naming IAM and the deadline (exit 2), nothing written`, async () => {
      const out = join(world.dir, `iam-${kind}`);
      const server = kind === 'silent' ? silent : dribbling;
      const started = Date.now();
      const r = await runCli({ env: { ...env, AWS_ENDPOINT_URL_IAM: server.endpoint } }, ['collect', '--out', out, '--region', REGION, '--quiet', ...FAST]);
      expect(Date.now() - started).toBeLessThan(BOUND_MS);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^irsa2pi: error: cannot read IAM \(GetAccountAuthorizationDetails, ListOpenIDConnectProviders\): TimeoutError: .*\n$/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('rejects a deadline that is not a positive number of seconds (exit 2, one line, nothing read)', async () => {
    for (const [flag, value] of [
      ['--request-timeout', '0'],
      ['--request-timeout', 'soon'],
      ['--connect-timeout', '-1'],
      ['--connect-timeout', '1e3'],
      ['--request-timeout', '3601'],
    ]) {
      const out = join(world.dir, 'bad-deadline');
      const r = await runCli({ env }, ['collect', '--out', out, '--region', REGION, '--quiet', flag!, value!]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`irsa2pi: error: ${flag} ${JSON.stringify(value)} is not a number of seconds above 0 and at most 3600\n`);
      expect(existsSync(out)).toBe(false);
    }
    const withEvidence = await runCli({ env }, ['plan', '--evidence', join(ROOT, 'fixtures', 'basic'), '--request-timeout', '5']);
    expect(withEvidence.code).toBe(2);
    expect(withEvidence.stderr).toMatch(/give either --evidence or the live options/);
  });

  it('the built CLI, as a process, exits by itself when a kubeconfig exec credential plugin hangs', async () => {
    const out = join(world.dir, 'process-hung-exec');
    const started = Date.now();
    const r = await runCommand(
      process.execPath,
      [join(ROOT, 'bin', 'irsa2pi.js'), 'collect', '--out', out, '--region', REGION, '--context', 'c1=hung-exec', '--context', 'c2=fake', '--quiet', ...FAST],
      { env, timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(4);
    expect(Date.now() - started).toBeLessThan(BOUND_MS + 5_000);
    expect(gapsOf(out).map((g) => [g.scope, g.region, g.name])).toEqual([['cluster', REGION, 'c1']]);
  });

  it('the built CLI (npm run build), as a process, exits by itself with the scan gaps of a silent Kubernetes API and a silent EKS region', async () => {
    const out = join(world.dir, 'process');
    // One EKS endpoint per region is not something the SDK's environment can say: a front answers
    // eu-west-1 from the shim and holds every us-east-1 request (by its signing scope) unanswered.
    const front = await startEksFront(world.shim.endpoint, { silentFor: (req) => signedRegion(req) === 'us-east-1' });
    const started = Date.now();
    const r = await runCommand(
      process.execPath,
      [
        join(ROOT, 'bin', 'irsa2pi.js'),
        'collect',
        '--out',
        out,
        '--region',
        REGION,
        '--region',
        'us-east-1',
        '--context',
        'c1=silent',
        '--context',
        'c2=fake',
        '--quiet',
        ...FAST,
      ],
      { env: { ...env, AWS_ENDPOINT_URL_EKS: front.endpoint }, timeoutMs: 60_000 },
    ).finally(() => front.stop());
    expect(r.code, r.stderr).toBe(4);
    expect(Date.now() - started).toBeLessThan(BOUND_MS + 5_000);
    expect(gapsOf(out).map((g) => [g.scope, g.region, g.name])).toEqual([
      ['cluster', REGION, 'c1'],
      ['region', 'us-east-1', 'us-east-1'],
    ]);
    expect(existsSync(join(out, 'kubernetes', 'c2', 'resources.json'))).toBe(true);
  });
});
