/** One file of an output directory (the Terraform or script outputs, a collected bundle), with a path relative to that directory. */
export interface EmittedFile {
  readonly path: string;
  readonly content: string;
  /** File mode, e.g. 0o755 for scripts. */
  readonly mode?: number;
}
