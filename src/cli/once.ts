import type { Command } from 'commander';
import { UsageError } from '../errors.js';

/**
 * Makes each of the command's options that take one value a usage error when given more than once:
 * commander would keep the last one silently, and a second `--evidence` or `--profile` would quietly
 * change what the run reads.
 */
export function refuseRepeats(command: Command, name: string): Command {
  for (const option of command.options) {
    if (option.variadic || option.negate || !(option.required || option.optional)) continue;
    const repeatable = option.defaultValue !== undefined && Array.isArray(option.defaultValue);
    if (repeatable) continue;
    let given = 0;
    command.on(`option:${option.name()}`, () => {
      given += 1;
      if (given > 1) throw new UsageError(`${option.long ?? option.flags} is given more than once; give it once`, name);
    });
  }
  return command;
}
