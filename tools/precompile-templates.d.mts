/** The folder of the Handlebars templates. */
export const TEMPLATES: string;
/** The TypeScript module the precompiled templates are written to. */
export const OUTPUT: string;

/** The source of that module for the templates as they are now. */
export function precompiledSource(): string;

/** Writes the module when its source differs from what is on disk. */
export function writePrecompiled(): void;
