/**
 * Runs the generated Terraform configuration against the e2e world, offline: the image's
 * `terraform` with the `hashicorp/aws` provider from the plugin directory (TF_PLUGIN_DIR, which
 * `.ci/run` sets; default /opt/tf-plugins), a CLI configuration written here that installs from that
 * directory only and never phones home, and a `providers_override.tf` pointing every provider
 * configuration's IAM, EKS and STS endpoints at the emulators of its account.
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { writeDirectoryAtomic } from '../../src/cli/write-atomic.js';
import { emitTerraform } from '../../src/emit/plan/terraform/index.js';
import type { Plan } from '../../src/plan/model.js';
import { runCommand, type CommandResult } from '../helpers/exec.js';
import type { Accounts } from './world.js';

/** The plugin directory: the folder above `registry.terraform.io`. */
export const PLUGIN_DIR = process.env.TF_PLUGIN_DIR ?? '/opt/tf-plugins';

/** Why Terraform cannot run here, or null when it can. */
export async function terraformMissing(): Promise<string | null> {
  const which = await runCommand('bash', ['-c', 'command -v terraform']);
  if (which.code !== 0) return 'terraform is not on PATH';
  if (!existsSync(path.join(PLUGIN_DIR, 'registry.terraform.io', 'hashicorp', 'aws'))) return `no hashicorp/aws provider under TF_PLUGIN_DIR=${PLUGIN_DIR}`;
  return null;
}

/** A Terraform working directory holding the generated configuration. */
export interface TerraformDir {
  dir: string;
  /** Runs `terraform <args>` there; never throws on a non-zero exit. */
  run(args: string[]): Promise<CommandResult>;
  /** Runs `terraform <args>` and expects exit 0. */
  ok(args: string[]): Promise<string>;
}

type Json = Record<string, any>;

/**
 * Writes the plan's Terraform output to `<root>/tf`, with a `providers_override.tf` for the
 * emulators; `edit` may change the generated files first (a case that the provider here cannot run).
 * `cliConfig` is the CLI configuration file shared by every case.
 */
export async function terraformDir(
  root: string,
  plan: Plan,
  accounts: Accounts,
  cliConfig: string,
  edit: (files: { path: string; content: string }[]) => { path: string; content: string }[] = (f) => f,
): Promise<TerraformDir> {
  const rendered = emitTerraform(plan, {});
  if (rendered.kind !== 'files') throw new Error('terraform emitter returned text');
  const dir = path.join(root, 'tf');
  writeDirectoryAtomic(dir, edit([...rendered.files]));

  const providers = (await parse('providers.tf', await readFile(path.join(dir, 'providers.tf'), 'utf8'))) as Json;
  const blocks = (providers.provider?.aws ?? []) as Json[];
  const overrides = blocks.map((p) => {
    const account = (p.allowed_account_ids as string[])[0]!;
    const endpoint = accounts.endpoints[account];
    if (!endpoint) throw new Error(`no emulator for account ${account}`);
    return [
      'provider "aws" {',
      `  alias                       = ${JSON.stringify(p.alias)}`,
      '  access_key                  = "testing"',
      '  secret_key                  = "testing"',
      '  skip_credentials_validation = true',
      '  skip_metadata_api_check     = true',
      '  skip_region_validation      = true',
      '  endpoints {',
      `    eks = ${JSON.stringify(endpoint)}`,
      `    iam = ${JSON.stringify(endpoint)}`,
      `    sts = ${JSON.stringify(endpoint)}`,
      '  }',
      '}',
    ].join('\n');
  });
  await writeFile(path.join(dir, 'providers_override.tf'), `${overrides.join('\n\n')}\n`);

  return { dir, ...terraformRunner(dir, root, cliConfig) };
}

/**
 * `terraform` in `dir`, offline: the CLI configuration given, a data directory under `root`, dummy
 * credentials, and every request that is not for the loopback sent to a closed port.
 */
export function terraformRunner(dir: string, root: string, cliConfig: string): Omit<TerraformDir, 'dir'> {
  const env = {
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_DATA_DIR: path.join(root, 'tf-data'),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_LOG: '',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PROFILE: '',
    // Anything that is not an emulator on the loopback goes to a closed port, so a request for the
    // registry or a real AWS endpoint fails the run instead of leaving the machine.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    https_proxy: 'http://127.0.0.1:9',
    http_proxy: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
  const run = (args: string[]) => runCommand('terraform', [`-chdir=${dir}`, ...args, ...(args[0] === 'fmt' ? [] : ['-no-color'])], { env, timeoutMs: 240_000 });
  return {
    run,
    ok: async (args) => {
      const r = await run(args);
      if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
      return r.stdout;
    },
  };
}

/**
 * Writes the CLI configuration every case uses: providers come from the plugin directory only (no
 * `direct` installation, so nothing is fetched from a registry), no update checks, one plugin cache.
 */
export async function writeCliConfig(root: string): Promise<string> {
  const file = path.join(root, 'terraformrc');
  await mkdir(path.join(root, 'plugin-cache'), { recursive: true });
  await writeFile(
    file,
    [
      'disable_checkpoint = true',
      `plugin_cache_dir   = ${JSON.stringify(path.join(root, 'plugin-cache'))}`,
      'provider_installation {',
      '  filesystem_mirror {',
      `    path = ${JSON.stringify(PLUGIN_DIR)}`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return file;
}
