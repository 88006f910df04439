/**
 * The columns a table written to `stream` fits into: the terminal's width when the stream is a
 * terminal, else `COLUMNS` when it is a positive number; undefined when neither tells (the table then
 * assumes its default).
 */
export function terminalColumns(stream: { readonly isTTY?: boolean; readonly columns?: number } | undefined, env: NodeJS.ProcessEnv): number | undefined {
  const columns = stream?.isTTY ? stream.columns : undefined;
  if (columns !== undefined && Number.isInteger(columns) && columns > 0) return columns;
  const fromEnv = env.COLUMNS?.trim();
  if (fromEnv && /^\d{1,5}$/.test(fromEnv) && Number(fromEnv) > 0) return Number(fromEnv);
  return undefined;
}
