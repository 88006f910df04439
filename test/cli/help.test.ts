/** `--help` of the program and of each command ends with two examples and the exit codes. */
import { describe, expect, it } from 'vitest';
import { cli } from '../output/run.js';

describe('--help', () => {
  it.each([
    [[], [0, 1, 2, 3, 4]],
    [['plan'], [0, 1, 2, 3, 4]],
    [['report'], [0, 1, 2, 3, 4]],
    [['collect'], [0, 2, 3, 4]],
  ] as const)('%j --help shows two examples of itself and its exit codes', (command, codes) => {
    const r = cli([...command, '--help']);
    expect(r.code, r.stderr).toBe(0);
    const [, after] = r.stdout.split('\nExamples:\n');
    expect(after, r.stdout).toBeDefined();
    const [examples, exits] = after!.split('\nExit codes:\n');
    const commands = examples!.split('\n').filter((l) => l.startsWith('  $ '));
    expect(commands).toHaveLength(2);
    for (const c of commands) expect(c).toMatch(new RegExp(`^ {2}\\$ irsa2pi ${command[0] ?? '(plan|report|collect)'} `));
    expect(examples!.split('\n').filter((l) => l.startsWith('  # '))).toHaveLength(2);
    expect(
      exits!
        .split('\n')
        .filter((l) => /^ {2}\d {2}\S/.test(l))
        .map((l) => Number(l.trim()[0])),
    ).toEqual(codes);
  });

  it('the examples use only options the command has', () => {
    for (const command of ['plan', 'report', 'collect']) {
      const help = cli([command, '--help']).stdout;
      const [options, examples] = help.split('\nExamples:\n');
      const used = [...examples!.matchAll(/ (--[a-z-]+)/g)].map((m) => m[1]!);
      expect(used.length).toBeGreaterThan(0);
      for (const option of used) expect(options, `${command} ${option}`).toMatch(new RegExp(`${option}\\b`));
    }
  });
});
