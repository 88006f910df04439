/**
 * Reading the project's Markdown as GitHub renders it: headings with their anchors, and links.
 * @module
 */
import { readFileSync } from 'node:fs';
import { marked, type Token, type Tokens } from 'marked';

/** A link found in a Markdown file, outside code. */
export interface MarkdownLink {
  readonly href: string;
  readonly text: string;
}

/** The headings, anchors and links of one Markdown file. */
export interface MarkdownFile {
  readonly tokens: readonly Token[];
  readonly headings: readonly string[];
  readonly anchors: ReadonlySet<string>;
  readonly links: readonly MarkdownLink[];
}

function plainText(token: Token): string {
  if ('tokens' in token && Array.isArray(token.tokens) && token.tokens.length > 0) return token.tokens.map(plainText).join('');
  if (token.type === 'html') return '';
  return 'text' in token && typeof token.text === 'string' ? decodeEntities(token.text) : '';
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|#39);/g, (_, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" })[name]!);
}

/** GitHub's heading anchor (github-slugger): lower case, punctuation and symbols dropped, spaces to `-`. */
export function githubSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Parses `file` and collects its headings (anchors deduplicated as GitHub does: `-1`, `-2`) and links. */
export function readMarkdown(file: string): MarkdownFile {
  const tokens = marked.lexer(readFileSync(file, 'utf8'));
  const headings: string[] = [];
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const links: MarkdownLink[] = [];
  void marked.walkTokens(tokens, (token) => {
    if (token.type === 'heading') {
      const text = plainText(token);
      headings.push(text);
      const slug = githubSlug(text);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    } else if (token.type === 'link' || token.type === 'image') {
      const link = token as Tokens.Link | Tokens.Image;
      links.push({ href: link.href, text: link.text });
    }
  });
  return { tokens, headings, anchors, links };
}
