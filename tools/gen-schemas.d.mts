/** One schema file (path relative to the repository root) and the text the generator makes for it now. */
export interface GeneratedSchema {
  readonly file: string;
  readonly text: string;
}

/** Every contract schema, generated from the TypeScript types. */
export function generateSchemas(): GeneratedSchema[];
