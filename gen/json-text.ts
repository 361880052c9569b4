/**
 * A bounded JSON parser for user files: the same values as JSON.parse, but nesting deeper than
 * JSON_MAX_DEPTH is one error (not a stack overflow), a number that does not fit float64 (1e400)
 * is an error naming its field (JSON.parse silently gives Infinity), and with `exactIntegers`
 * integers beyond 2^53 come back exactly, as bigint, instead of rounded through float64.
 */

/** Deepest nesting of arrays and objects accepted. */
export const JSON_MAX_DEPTH = 64;

/** Most decimal digits of an integer read with `exactIntegers` (1e99999999 would not fit memory). */
const MAX_INTEGER_DIGITS = 100_000;

export class JsonTextError extends Error {}

export interface JsonTextOptions {
  /** Integers outside ±(2^53 − 1), written plainly or with an exponent (1e20), become exact bigints. */
  exactIntegers?: boolean;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const fieldText = (path: readonly (string | number)[]) => (path.length ? `field '${path.join('.')}': ` : '');

/** The exact integer a number token denotes, or null when it is not an integer. */
function exactInteger(token: string): bigint | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token)!;
  const frac = m[3] ?? '';
  let digits = (m[2] + frac).replace(/^0+/, '');
  let exp = Number(m[4] ?? 0) - frac.length;
  if (digits === '') return 0n;
  while (exp < 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exp++;
  }
  if (exp < 0) return null;
  if (digits.length + exp > MAX_INTEGER_DIGITS) throw new JsonTextError(`${token} has more than ${MAX_INTEGER_DIGITS} digits`);
  const v = BigInt(digits) * 10n ** BigInt(exp);
  return m[1] ? -v : v;
}

/** Parses JSON text; throws JsonTextError with one line (no file name) on any problem. */
export function parseJsonText(text: string, opts: JsonTextOptions = {}): unknown {
  let i = 0;
  const where = () => {
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    return `line ${line}, column ${i - before.lastIndexOf('\n')}`;
  };
  const fail = (what: string): never => {
    throw new JsonTextError(`not valid JSON (${what} at ${where()})`);
  };
  const unexpected = (): never => fail(i >= text.length ? 'unexpected end' : `unexpected ${JSON.stringify(text[i])}`);
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else return;
    }
  };
  const string = (): string => {
    const start = i++;
    let escaped = false;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) fail('control character in string');
      if (c === 92) {
        escaped = true;
        i++;
      }
      i++;
    }
    i++;
    if (!escaped) return text.slice(start + 1, i - 1);
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail('bad escape in string');
    }
  };
  const number = (path: (string | number)[]): number | bigint => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return unexpected();
    i += m[0].length;
    const token = m[0];
    const v = Number(token);
    if (opts.exactIntegers && !(Number.isSafeInteger(v) && /^-?\d+$/.test(token))) {
      const big = exactInteger(token);
      if (big !== null) return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      // not an integer, but float64 would round it to one (9007199254740993.5): say so here
      if (Number.isInteger(v)) throw new JsonTextError(`${fieldText(path)}${token} is not an integer`);
    }
    if (!Number.isFinite(v)) throw new JsonTextError(`${fieldText(path)}${token} is not a finite number`);
    return v;
  };
  const value = (path: (string | number)[], depth: number): unknown => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (depth >= JSON_MAX_DEPTH) throw new JsonTextError(`nested deeper than ${JSON_MAX_DEPTH} levels`);
      i++;
      ws();
      if (c === '[') {
        const arr: unknown[] = [];
        if (text[i] === ']') return i++, arr;
        for (;;) {
          arr.push(value([...path, arr.length], depth + 1));
          ws();
          if (text[i] === ']') return i++, arr;
          if (text[i] !== ',') unexpected();
          i++;
        }
      }
      const obj: Record<string, unknown> = {};
      if (text[i] === '}') return i++, obj;
      for (;;) {
        ws();
        if (text[i] !== '"') unexpected();
        const key = string();
        ws();
        if (text[i] !== ':') unexpected();
        i++;
        // defineProperty: a "__proto__" key is an ordinary own property, as with JSON.parse
        Object.defineProperty(obj, key, { value: value([...path, key], depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === '}') return i++, obj;
        if (text[i] !== ',') unexpected();
        i++;
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', i)) return (i += 4), true;
    if (text.startsWith('false', i)) return (i += 5), false;
    if (text.startsWith('null', i)) return (i += 4), null;
    return number(path);
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const v = value([], 0);
  ws();
  if (i < text.length) unexpected();
  return v;
}
