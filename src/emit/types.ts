import type { EmittedFile } from '../output-file.js';
import type { Plan } from '../plan/model.js';

export type { EmittedFile };

/**
 * What an emitter returns: one text document, or a set of files for a directory. A large document can
 * also be read in pieces (`chunks`), which join to `text`, so it is written without being held whole.
 */
export type Rendered =
  | { readonly kind: 'text'; readonly text: string; readonly chunks?: () => Iterable<string> }
  | { readonly kind: 'files'; readonly files: readonly EmittedFile[] };

/** Options every emitter accepts. */
export interface EmitOptions {
  /** ANSI colours (only ever true on a TTY without NO_COLOR). */
  readonly color?: boolean;
  /** Terminal columns a table fits into (the table format; 120 when not given). */
  readonly width?: number;
  /** A table with every column and every value whole, however wide (the table format). */
  readonly wide?: boolean;
}

/** A pure function from the plan to output; it never reads the cloud or writes to disk. */
export type Emitter = (plan: Plan, options: EmitOptions) => Rendered;
