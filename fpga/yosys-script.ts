/** Yosys script syntax helpers. */

/** Quotes one word of a Yosys script when needed. */
export function ysQuote(word: string): string {
  if (/["\n]/.test(word)) throw new Error(`unsupported character in Yosys script word ${JSON.stringify(word)}`);
  return /^[A-Za-z0-9_./+-]+$/.test(word) ? word : `"${word}"`;
}
