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

  /** The one line a user sees: `file:line:col: message`. */
  get line(): string {
    if (!this.file) return this.message;
    const where = this.location ? `${this.file}:${this.location.line}:${this.location.column}` : this.file;
    return `${where}: ${this.message}`;
  }
}

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
