/** The width a table is assumed to fit when neither the terminal nor `COLUMNS` tells. */
export const FALLBACK_COLUMNS = 120;

/**
 * The columns a table written to `stream` fits into: the terminal's width when the stream is a
 * terminal, else `COLUMNS` when it is a positive number, else {@link FALLBACK_COLUMNS}.
 */
export function terminalColumns(stream: { readonly isTTY?: boolean; readonly columns?: number } | undefined, env: NodeJS.ProcessEnv): number {
  if (stream?.isTTY && Number.isInteger(stream.columns) && stream.columns! > 0) return stream.columns!;
  const fromEnv = env.COLUMNS?.trim();
  if (fromEnv && /^\d{1,5}$/.test(fromEnv) && Number(fromEnv) > 0) return Number(fromEnv);
  return FALLBACK_COLUMNS;
}
