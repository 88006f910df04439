/**
 * A usage error is one `irsa2pi: error:` line and a pointer to the `--help` of the command, exit 2,
 * nothing on stdout: never the whole help text.
 */
import { describe, expect, it } from 'vitest';
import { cli, DEMO, ENV } from '../output/run.js';

const plan = ['plan', '--evidence', DEMO];

describe('usage errors', () => {
  it.each([
    ['an unknown option, with the suggestion on its line', ['plan', '--evidense', DEMO], 'plan', /^unknown option '--evidense' \(Did you mean --evidence\?\)$/],
    ['an option without its value', ['report', '--evidence'], 'report', /^option '-e, --evidence <dir>' argument missing$/],
    ['a bad --fail-on', [...plan, '--fail-on', 'severe'], 'plan', /^option '--fail-on <severity>' argument 'severe' is invalid/],
    ['--fail-on without its value', [...plan, '--fail-on'], 'plan', /^option '--fail-on <severity>' argument missing$/],
    ['an unknown --format', [...plan, '--format', 'yaml'], 'plan', /^unknown --format "yaml"; expected one of table, json, /],
    [
      'an unknown report --format',
      ['report', '--evidence', DEMO, '--format', 'table'],
      'report',
      /^unknown --format "table"; expected one of markdown, csv, json, sarif$/,
    ],
    ['a --format named like an Object method', [...plan, '--format', 'toString'], 'plan', /^unknown --format "toString"; expected one of table, json, /],
    [
      'a report --format named like an Object method',
      ['report', '--evidence', DEMO, '--format', 'constructor'],
      'report',
      /^unknown --format "constructor"; expected one of markdown, csv, json, sarif$/,
    ],
    ['a directory format without --out', [...plan, '--format', 'script'], 'plan', /^--format script writes a directory: give --out <dir>$/],
    ['--evidence with live options', [...plan, '--profile', 'audit'], 'plan', /^give either --evidence or the live options/],
    ['--wide with another format than table', [...plan, '--wide', '--format', 'json'], 'plan', /^--wide is for --format table, not json$/],
    ['an operand', ['plan', 'fixtures/demo'], 'plan', /^too many arguments for 'plan'/],
    ['collect without --out', ['collect'], 'collect', /^required option '-o, --out <dir>' not specified$/],
    ['an unknown command', ['pln'], undefined, /^unknown command 'pln' \(Did you mean plan\?\)$/],
    ['an unknown top-level option', ['--evidence', DEMO], undefined, /^unknown option '--evidence'/],
    ['no command at all', [], undefined, /^give a command: plan, report or collect$/],
    ['an empty plan --out', [...plan, '--out', ''], 'plan', /^--out is empty; give a path$/],
    ['an empty report --out', ['report', '--evidence', DEMO, '--out', ''], 'report', /^--out is empty; give a path$/],
    ['an empty collect --out', ['collect', '--out', ''], 'collect', /^--out is empty; give a directory$/],
    ['--evidence given twice (the last used to win silently)', [...plan, '-e', '/elsewhere'], 'plan', /^--evidence is given more than once; give it once$/],
    ['--out given twice', ['report', '--evidence', DEMO, '--out', 'a.md', '-o', 'b.md'], 'report', /^--out is given more than once; give it once$/],
    ['--format given twice, even to the default', [...plan, '--format', 'json', '-f', 'table'], 'plan', /^--format is given more than once; give it once$/],
    [
      '--trust-policy-limit given twice',
      [...plan, '--trust-policy-limit', '4096', '--trust-policy-limit', '2048'],
      'plan',
      /^--trust-policy-limit is given more than once; give it once$/,
    ],
    ['--fail-on given twice', [...plan, '--fail-on', 'critical', '--fail-on', 'info'], 'plan', /^--fail-on is given more than once; give it once$/],
    ['--profile given twice', ['report', '--profile', 'prod', '--profile', 'dev'], 'report', /^--profile is given more than once; give it once$/],
    ['collect --out given twice', ['collect', '-o', 'a', '-o', 'b'], 'collect', /^--out is given more than once; give it once$/],
    [
      'a --trust-policy-limit out of range',
      [...plan, '--trust-policy-limit', '9999'],
      'plan',
      /^--trust-policy-limit must be a number of characters from 1 to 4096 \(IAM's most\), not "9999"$/,
    ],
    [
      '--stale-days given twice',
      ['report', '--evidence', DEMO, '--stale-days', '30', '--stale-days', '60'],
      'report',
      /^--stale-days is given more than once; give it once$/,
    ],
    ...(['0', '401', '1.5', '90d', '', '-3', '1e2', '0x10'] as const).map(
      (days) =>
        [
          `--stale-days ${JSON.stringify(days)}`,
          ['report', '--evidence', DEMO, `--stale-days=${days}`],
          'report',
          new RegExp(
            `^--stale-days must be a whole number of days from 1 to 400 \\(IAM reports a role's last use for the trailing 400 days\\), not ${JSON.stringify(days).replace(/[.+]/g, '\\$&')}$`,
          ),
        ] as const,
    ),
    ["--stale-days on plan, whose findings are the planner's only", [...plan, '--stale-days', '30'], 'plan', /^unknown option '--stale-days'/],
  ] as const)('%s', (_, args, command, message) => {
    const r = cli(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines, r.stderr).toHaveLength(3);
    expect(lines[0]!.replace(/^irsa2pi: error: /, '')).toMatch(message);
    expect(lines[0]).toMatch(/^irsa2pi: error: /);
    expect(lines[1]).toBe(`irsa2pi: see 'irsa2pi ${command ? `${command} ` : ''}--help' for the usage`);
    expect(lines[2]).toBe('');
  });

  it('help asked for is the whole text on stdout, exit 0', () => {
    for (const args of [['--help'], ['plan', '--help'], ['help', 'report']]) {
      const r = cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Usage: irsa2pi /);
    }
  });
});

describe('SOURCE_DATE_EPOCH', () => {
  it.each(['abc', '-5', '1e9', ' 1767225600', '253402300800', '100000000000000'])('%j is refused with one line, exit 2, nothing on stdout', (epoch) => {
    for (const command of ['plan', 'report']) {
      const r = cli([command, '--evidence', DEMO, '--format', 'json'], { env: { ...ENV, SOURCE_DATE_EPOCH: epoch } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^irsa2pi: error: SOURCE_DATE_EPOCH must be whole seconds since 1970 up to the end of year 9999 \(253402300799\), not "/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it.each([
    ['', undefined],
    ['253402300799', '9999-12-31T23:59:59.000Z'],
  ])('%j is taken', (epoch, at) => {
    const r = cli(['plan', '--evidence', DEMO, '--format', 'json'], { env: { ...ENV, SOURCE_DATE_EPOCH: epoch } });
    expect(r.code, r.stderr).toBe(0);
    const generated = (JSON.parse(r.stdout) as { generatedAt: string }).generatedAt;
    if (at) expect(generated).toBe(at);
    else expect(Number.isNaN(Date.parse(generated))).toBe(false);
  });
});
