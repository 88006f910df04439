import { describe, it, expect, afterEach } from 'vitest';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { addBodyDeadline, awsClientSettings } from '../../../src/sources/live/aws-deadlines.js';
import { sdkConfig } from '../../helpers/moto.js';
import { startDribblingServer, startSilentServer, type StallingServer } from './stalling-servers.js';

const DEADLINES = { connectMs: 1_000, requestMs: 400 };

/** What a promise did within `ms`: settled with a value or an error, or still pending. */
async function within<T>(p: Promise<T>, ms: number): Promise<{ state: 'resolved'; value: T } | { state: 'rejected'; error: Error } | { state: 'pending' }> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<{ state: 'pending' }>(
    (resolve) =>
      (timer = setTimeout(() => {
        resolve({ state: 'pending' });
      }, ms)),
  );
  try {
    return await Promise.race([
      p.then(
        (value) => ({ state: 'resolved' as const, value }),
        (error: unknown) => ({ state: 'rejected' as const, error: error as Error }),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('AWS SDK request deadlines (real SDK, loopback endpoints that never finish)', () => {
  const servers: StallingServer[] = [];
  const clients: { destroy(): void }[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of servers.splice(0)) await s.stop();
  });

  it('a silent endpoint fails every attempt with TimeoutError, and the SDK retries it (4 attempts)', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const iam = new IAMClient({ ...sdkConfig(silent.endpoint), ...awsClientSettings(DEADLINES) });
    clients.push(iam);
    const started = Date.now();
    const r = await within(iam.send(new GetAccountAuthorizationDetailsCommand({})), 15_000);
    expect(r.state).toBe('rejected');
    expect(r.state === 'rejected' && r.error.name).toBe('TimeoutError');
    expect(silent.connections()).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * DEADLINES.requestMs);
  });

  it('without throwOnRequestTimeout the SDK only warns: the same request is still pending long after the deadline', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const warnings: string[] = [];
    const settings = awsClientSettings(DEADLINES);
    const iam = new IAMClient({
      ...sdkConfig(silent.endpoint),
      ...settings,
      requestHandler: {
        ...settings.requestHandler,
        throwOnRequestTimeout: false,
        logger: { warn: (m: string) => warnings.push(m), debug() {}, info() {}, error() {} },
      },
    });
    clients.push(iam);
    const r = await within(iam.send(new GetAccountAuthorizationDetailsCommand({})), 5 * DEADLINES.requestMs);
    expect(r.state).toBe('pending');
    expect(warnings.join('\n')).toMatch(/WARN.*requestTimeout/);
  });

  it('a body dribbled one byte at a time fails at the deadline of its attempt, each attempt retried', async () => {
    const dribbling = await startDribblingServer({ contentType: 'application/json', byte: ' ', intervalMs: 50 });
    servers.push(dribbling);
    const eks = new EKSClient({ ...sdkConfig(dribbling.endpoint), ...awsClientSettings(DEADLINES) });
    addBodyDeadline(eks, DEADLINES);
    clients.push(eks);
    const r = await within(eks.send(new DescribeClusterCommand({ name: 'c1' })), 15_000);
    expect(r.state).toBe('rejected');
    expect(r.state === 'rejected' && r.error.name).toBe('TimeoutError');
    expect(r.state === 'rejected' && r.error.message).toMatch(/not complete within the 0\.4 s request deadline/);
    expect(dribbling.requests).toHaveLength(4);
  });

  it('without the body deadline the dribbled body holds the request (what the middleware is for)', async () => {
    const dribbling = await startDribblingServer({ contentType: 'application/json', byte: ' ', intervalMs: 50 });
    servers.push(dribbling);
    const eks = new EKSClient({ ...sdkConfig(dribbling.endpoint), ...awsClientSettings(DEADLINES) });
    clients.push(eks);
    const r = await within(eks.send(new DescribeClusterCommand({ name: 'c1' })), 5 * DEADLINES.requestMs);
    expect(r.state).toBe('pending');
  });
});
