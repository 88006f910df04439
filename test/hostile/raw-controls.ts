/** Controls (C0, DEL, C1), format characters (bidi, zero-width, BOM, tags), line and paragraph separators, lone surrogates. */
const RAW_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * Every code point of `text` that a terminal or a renderer would act on or hide, as `where:line: U+XXXX`;
 * line feeds (and the characters in `allow`) are fine.
 */
export function rawControls(text: string, where: string, allow = ''): string[] {
  const found: string[] = [];
  let line = 1;
  for (const ch of text) {
    if (ch === '\n') line++;
    else if (RAW_CONTROL.test(ch) && !allow.includes(ch)) found.push(`${where}:${line}: U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  }
  return found;
}
