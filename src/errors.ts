import { visible } from './escape.js';

/** Where a problem sits in an input file, when the parser says. */
export interface FileLocation {
  readonly line: number;
  readonly column: number;
}

/**
 * A problem caused by the user's input or invocation: bad evidence, a bad option.
 * The CLI prints its message on one line and exits with code 2, without a stack trace.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly file?: string,
    readonly location?: FileLocation,
  ) {
    super(message);
  }

  /**
   * The one line a user sees: `file:line:col: message`, control characters escaped (a file or key
   * named with a newline or a terminal escape stays on one harmless line) and the message cut at
   * {@link MAX_MESSAGE_CHARS} (it may quote a forged value of any length).
   */
  get line(): string {
    const message =
      this.message.length > MAX_MESSAGE_CHARS ? `${this.message.slice(0, MAX_MESSAGE_CHARS)}... (${this.message.length} characters in all)` : this.message;
    if (!this.file) return visible(message);
    const where = this.location ? `${this.file}:${this.location.line}:${this.location.column}` : this.file;
    return visible(`${where}: ${message}`);
  }
}

/**
 * An invocation the command line does not allow (an unknown `--format`, options that exclude each
 * other): an {@link InputError} after which the CLI points to the `--help` of `command`.
 */
export class UsageError extends InputError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** The longest message {@link InputError.line} shows whole. */
export const MAX_MESSAGE_CHARS = 1000;

/** Turns a character offset in `text` into a 1-based line and column. */
export function locate(text: string, offset: number): FileLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * `value`, which the code's own invariants guarantee is there; when it is not (a bug), an internal
 * error naming `what` is missing.
 */
export function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing`);
  return value;
}
