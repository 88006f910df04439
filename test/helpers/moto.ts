/**
 * Starts a real `moto_server` (the moto AWS emulator) on a free loopback port.
 * @module
 */
import { CreateClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './exec.js';

/** Default account moto answers as (matches the fixtures). */
export const DEFAULT_ACCOUNT_ID = '111122223333';

/** The account moto answers as for credentials it did not issue, when `MOTO_ACCOUNT_ID` is unset. */
export const MOTO_DEFAULT_ACCOUNT_ID = '123456789012';

/** A running moto server. */
export interface MotoServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  port: number;
  /** The account id moto was started with. */
  accountId: string;
  /** Wipes all moto state (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** Kills the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options for {@link startMoto}. */
export interface StartMotoOptions {
  /** `MOTO_ACCOUNT_ID` (default {@link DEFAULT_ACCOUNT_ID}). */
  accountId?: string;
  /**
   * Leave `MOTO_ACCOUNT_ID` unset, so each request acts in the account of its credentials: moto's
   * default account (123456789012) for dummy keys, the member account for keys from `sts:AssumeRole`
   * (with it set, moto answers every request as that one account). `accountId` is then ignored.
   */
  accountFromCredentials?: boolean;
  /** Give up waiting for readiness after this many ms (default 20 000). */
  timeoutMs?: number;
  /** Program to run (default `moto_server`, looked up on PATH). */
  command?: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/**
 * Spawns `moto_server -H 127.0.0.1 -p <free port>` and waits until `GET /moto-api/` answers.
 * Rejects with a clear message when `moto_server` is not installed or does not come up in time.
 */
export async function startMoto(opts: StartMotoOptions = {}): Promise<MotoServer> {
  const accountId = opts.accountFromCredentials ? MOTO_DEFAULT_ACCOUNT_ID : (opts.accountId ?? DEFAULT_ACCOUNT_ID);
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const command = opts.command ?? 'moto_server';
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    env: opts.accountFromCredentials
      ? Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'MOTO_ACCOUNT_ID'))
      : { ...process.env, MOTO_ACCOUNT_ID: accountId },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  installExitHook();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 20_000) stderr += d;
  });
  let exited: string | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      exited =
        err.code === 'ENOENT'
          ? `${command} not found on PATH: moto is required for these tests (python3 -m pip install "moto[server]")`
          : `${command} failed to start: ${err.message}`;
      live.delete(child);
      resolve();
    });
    child.on('exit', (code, signal) => {
      exited ??= `moto_server exited early (code ${code}, signal ${signal}): ${stderr.slice(-2000)}`;
      live.delete(child);
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || !live.has(child)) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exitPromise;
    clearTimeout(t);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    endpoint,
    port,
    accountId,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    stop,
  };
}

/**
 * Environment for running the AWS CLI (v1) against `endpoint`: dummy credentials, `us-east-1`,
 * no pager, `AWS_ENDPOINT_URL`, and the user's own config/credential files shut out.
 */
export function awsEnv(endpoint: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: region,
    AWS_REGION: region,
    AWS_PAGER: '',
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Client configuration for an AWS SDK v3 client (`new IAMClient(sdkConfig(...))`). */
export interface SdkConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** AWS SDK v3 client configuration pointing at `endpoint` with dummy credentials. */
export function sdkConfig(endpoint: string, region = 'us-east-1'): SdkConfig {
  return { endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}

/** Creates an EKS cluster in moto with the dummy role and subnets it accepts (it does not check them). */
export async function createEmulatedCluster(eks: EKSClient, name: string, accountId: string = DEFAULT_ACCOUNT_ID): Promise<void> {
  await eks.send(
    new CreateClusterCommand({
      name,
      version: '1.31',
      roleArn: `arn:aws:iam::${accountId}:role/eks-cluster-role`,
      resourcesVpcConfig: { subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'] },
    }),
  );
}
