/**
 * How big a selector's Verilog gets (README "Size"), estimated from the configuration alone so that
 * a configuration too large to elaborate in reasonable time is refused before elaboration.
 *
 * The output path (rtl-gearbox.ts with rtl-compact.ts) is O(C log C) with C = P + 2·P_out gearbox
 * slots: the compaction shifter has ⌈log2 P⌉ stages of P lanes, the write and read rotations
 * ⌈log2 C⌉ stages of C slots (one line per lane, stage and field):
 *   gearbox ≈ 10·C·⌈log2 C⌉ + 12·P·⌈log2 P⌉
 * plus a linear front end, skid/compaction registers and summary (≈ 434 + 60·P + 40·P_out) and the core:
 *   streaming threshold ≈ 2·P; "last" cap row buffer ≈ 270 + 10·P;
 *   insertion ≈ 32·K + 8·P + 70; systolic ≈ 50·K + 8·P + 10; radix ≈ 37·2^r + 10·P + 420.
 * maxRow, scoreBits and the θ table size change line lengths and memory depths, not line counts.
 * Fitted to the emitted line counts (exact for the threshold core at P, P_out in 4..64, within 3% for
 * the other cores at P, P_out >= 4; over-estimates the smallest configs); test/units/selector-size.test.ts checks it.
 */
import type { SelectorConfig } from './config.ts';

/** Largest estimated Verilog line count accepted (64 lanes in, 64 out, threshold mode: ~27k lines, ~10 s to elaborate, is accepted; the largest top-k arrays at 64/64 lanes are not). */
export const SELECTOR_MAX_LINES = 30_000;

/** ⌈log2 x⌉ (at least 1) */
const lg = (x: number): number => Math.max(1, Math.ceil(Math.log2(x)));

/** Estimated lines of the selector's Verilog (the top module; the skid buffer adds ~70). */
export function selectorLinesEstimate(c: Pick<SelectorConfig, 'mode' | 'arch' | 'lanes' | 'outLanes' | 'k' | 'capK' | 'capPolicy' | 'radixBits'>): number {
  const P = c.lanes;
  const Q = c.outLanes;
  const C = P + 2 * Q;
  const gearbox = 10 * C * lg(C) + 12 * P * lg(P);
  const frame = 434 + 60 * P + 40 * Q;
  let core: number;
  if (c.mode === 'threshold') core = c.capK > 0 && c.capPolicy === 'last' ? 270 + 10 * P : 2 * P;
  else core = c.arch === 'insertion' ? 32 * c.k + 8 * P + 70 : c.arch === 'systolic' ? 50 * c.k + 8 * P + 10 : 37 * 2 ** c.radixBits + 10 * P + 420;
  return gearbox + frame + core;
}

/** The one-line problem with a configuration's size, or null when it is within SELECTOR_MAX_LINES. */
export function selectorSizeProblem(c: Parameters<typeof selectorLinesEstimate>[0]): string | null {
  const est = selectorLinesEstimate(c);
  if (est <= SELECTOR_MAX_LINES) return null;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return `lanes ${c.lanes} and outLanes ${c.outLanes}${c.mode === 'topk' ? (c.arch !== 'radix' ? ` with k ${c.k}` : ` with radixBits ${c.radixBits}`) : ''} give an estimated ${fmt(est)} lines of Verilog, more than the limit of ${fmt(SELECTOR_MAX_LINES)} (the output network grows as C·log2 C with C = lanes + 2·outLanes, the top-k arrays as k; gen/selector/README.md "Size"): use fewer lanes, outLanes or a smaller k/radixBits`;
}
