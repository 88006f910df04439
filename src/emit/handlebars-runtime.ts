import { createRequire } from 'node:module';
import type HandlebarsApi from 'handlebars';

/** What rendering a precompiled template needs of Handlebars: no template compiler. */
export type HandlebarsRuntime = Pick<typeof HandlebarsApi, 'registerHelper' | 'registerPartial' | 'template'>;

/** The types of helper options and compiled templates, which the runtime shares with the full package. */
export type { HelperOptions, TemplateDelegate } from 'handlebars';

const runtime = createRequire(import.meta.url)('handlebars/runtime') as { create(): HandlebarsRuntime };

/**
 * A fresh, isolated Handlebars runtime environment (helpers and partials registered on it stay on it); the
 * package's runtime build, which cannot compile templates, so rendering never loads the template compiler.
 */
export function createHandlebarsRuntime(): HandlebarsRuntime {
  return runtime.create();
}
