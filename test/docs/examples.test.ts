/**
 * The README's examples are real output: every command of its `console` blocks that runs on the demo
 * bundle is run again (the built CLI, as `npm test` builds it), and every line shown must be a line of
 * what it prints now, in order; `… (trimmed …)` lines stand for lines left out.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tokens } from 'marked';
import { runCommand } from '../helpers/exec.js';
import { readMarkdown } from './markdown.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'irsa2pi.js');
const work = mkdtempSync(join(tmpdir(), 'irsa2pi-readme-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

/** One `$ command` of a console block and the lines shown under it. */
interface Example {
  readonly command: string;
  readonly shown: readonly string[];
}

function examples(): Example[] {
  const blocks = readMarkdown(join(ROOT, 'README.md')).tokens.filter((t): t is Tokens.Code => t.type === 'code' && t.lang === 'console');
  const out: { command: string; shown: string[] }[] = [];
  for (const block of blocks) {
    for (const line of block.text.split('\n')) {
      if (line.startsWith('$ ')) out.push({ command: line.slice(2), shown: [] });
      else out.at(-1)?.shown.push(line);
    }
  }
  return out;
}

/**
 * Why `shown` is not `actual`, or null when it is: `shown` split at its `… (trimmed` lines into runs of
 * lines; the first run is where the output starts, each later one anywhere after the run before.
 */
function shownIn(shown: readonly string[], actual: readonly string[]): string | null {
  const runs: string[][] = [[]];
  for (const line of shown) {
    if (/^\s*… \(trimmed/.test(line)) runs.push([]);
    else runs.at(-1)!.push(line);
  }
  const matchesAt = (run: readonly string[], at: number) => run.every((line, i) => actual[at + i] === line);
  let at = 0;
  for (const [index, run] of runs.entries()) {
    if (run.length === 0) continue;
    let found = at;
    if (index === 0) {
      if (!matchesAt(run, 0)) return `the output does not start with ${JSON.stringify(run.join('\n'))}`;
    } else {
      while (found < actual.length && !matchesAt(run, found)) found++;
      if (found >= actual.length) return `not in the output after what is shown before it: ${JSON.stringify(run.join('\n'))}`;
    }
    at = found + run.length;
  }
  return null;
}

async function run(command: string): Promise<string[] | undefined> {
  const [program, ...args] = command.split(/\s+/);
  const env = { NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600' };
  if (program === 'irsa2pi') {
    if (args[0] === 'collect') return undefined;
    const argv = args.map((a) => (a === 'fixtures/demo' ? join(ROOT, 'fixtures', 'demo') : a));
    const r = await runCommand(process.execPath, [CLI, ...argv], { cwd: work, env });
    return `${r.stdout}${r.stderr}`.split(/\r?\n/);
  }
  if (program === 'ls') {
    const r = await runCommand('ls', args, { cwd: work });
    return [r.stdout.split(/\s+/).filter(Boolean).join('  ')];
  }
  if (program === 'sed') return (await runCommand('sed', args, { cwd: work })).stdout.split('\n');
  return undefined;
}

describe("the README's examples", () => {
  const all = examples();

  it('are there, for plan, report and their formats', () => {
    const commands = all.map((e) => e.command);
    for (const expected of ['--evidence fixtures/demo', '--format json', '--format terraform', '--format script', 'report --evidence', '--format csv']) {
      expect(commands.some((c) => c.includes(expected)), expected).toBe(true);
    }
  });

  it('show what the commands print today', async () => {
    const wrong: string[] = [];
    for (const { command, shown } of all) {
      const actual = await run(command);
      if (!actual) continue;
      const problem = shownIn(shown, actual);
      if (problem) wrong.push(`$ ${command}: ${problem}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('catch a line that is not printed, or printed elsewhere', () => {
    const actual = ['a', 'b', 'c', 'd'];
    expect(shownIn(['a', 'b', '… (trimmed)', 'd'], actual)).toBeNull();
    expect(shownIn(['a', '… (trimmed: the rest)', 'c', 'd'], actual)).toBeNull();
    expect(shownIn(['a', 'c'], actual)).toMatch(/does not start with/);
    expect(shownIn(['b'], actual)).toMatch(/does not start with/);
    expect(shownIn(['a', '… (trimmed)', 'x'], actual)).toMatch(/not in the output/);
    expect(shownIn(['a', '… (trimmed)', 'c', 'b'], actual)).toMatch(/not in the output/);
    expect(shownIn(['a', '… (trimmed)', 'c', '… (trimmed)', 'b'], actual)).toMatch(/not in the output/);
  });
});
