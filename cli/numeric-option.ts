/**
 * Numeric option values (`--seed 3`, `--stall 0.2`, `--sigma -1`): exactly one number written in
 * decimal, so '' and ' ', 'abc', 'Infinity', '1e400' and values out of range are usage errors naming
 * the option, never a silent 0 or NaN passed on.
 */
import { UsageError } from './args.ts';

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A finite decimal number; `range` (e.g. 'a probability in [0, 1)') tells what is allowed. */
export function numberOption(option: string, text: string, usage: string, range = 'a finite number', ok: (v: number) => boolean = () => true): number {
  const v = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v) || !ok(v)) throw new UsageError(`--${option} must be ${range}, got '${text}'`, usage);
  return v;
}

/** An integer in min..max (max ≤ 2^53 − 1), written in decimal digits; `rangeText` replaces "min..max" in the message. */
export function integerOption(option: string, text: string, usage: string, min: number, max: number, rangeText = `${min}..${max}`): number {
  const fits = /^[-+]?\d+$/.test(text) && BigInt(text) >= BigInt(min) && BigInt(text) <= BigInt(max);
  if (!fits) throw new UsageError(`--${option} must be an integer in ${rangeText}, got '${text}'`, usage);
  return Number(text);
}
