const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;

export type Colour = keyof typeof CODES;

/** A painter that colours text only when enabled. */
export function painter(enabled: boolean): (colour: Colour, text: string) => string {
  return (colour, text) => (enabled ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text);
}
