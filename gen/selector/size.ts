/**
 * How big a selector's Verilog gets (README "Size"), estimated from the configuration alone so that
 * a configuration too large to elaborate in reasonable time is refused before elaboration.
 *
 * Most of it is the output compaction network (rtl-gearbox.ts), quadratic in the lanes: with
 * C = P + 2·P_out gearbox slots, every slot register picks one of P compacted items (a case
 * statement of P arms, ~10 lines per slot and item for index and score), every output lane picks one
 * of C slots (~6 lines per lane and slot) and the compaction multiplexer has P(P+1)/2 hit wires:
 *   gearbox ≈ 10·C·P + 6·P_out·C + P²
 * plus a linear front end and summary (≈ 540 + 49·P + 22·P_out) and the core:
 *   streaming threshold ≈ 2·P; "last" cap row buffer ≈ 270 + 10·P;
 *   insertion ≈ 32·K + 8·P + 70; radix ≈ 37·2^r + 10·P + 420.
 * maxRow, scoreBits and the θ table size change line lengths and memory depths, not line counts.
 * Fitted to the emitted line counts (within 3% for P, P_out >= 4 up to 64; over-estimates the smallest configs); test/units/selector-size.test.ts checks it.
 */
import type { SelectorConfig } from './config.ts';

/** Largest estimated Verilog line count accepted (48 lanes in, 48 out: ~117k lines, ~4 s to elaborate). */
export const SELECTOR_MAX_LINES = 120_000;

/** Estimated lines of the selector's Verilog (the top module; the skid buffer adds ~70). */
export function selectorLinesEstimate(c: Pick<SelectorConfig, 'mode' | 'arch' | 'lanes' | 'outLanes' | 'k' | 'capK' | 'capPolicy' | 'radixBits'>): number {
  const P = c.lanes;
  const Q = c.outLanes;
  const C = P + 2 * Q;
  const gearbox = 10 * C * P + 6 * Q * C + P * P;
  const frame = 540 + 49 * P + 22 * Q;
  let core: number;
  if (c.mode === 'threshold') core = c.capK > 0 && c.capPolicy === 'last' ? 270 + 10 * P : 2 * P;
  else core = c.arch === 'insertion' ? 32 * c.k + 8 * P + 70 : c.arch === 'systolic' ? 40 * c.k + 8 * P + 70 : 37 * 2 ** c.radixBits + 10 * P + 420;
  return gearbox + frame + core;
}

/** The one-line problem with a configuration's size, or null when it is within SELECTOR_MAX_LINES. */
export function selectorSizeProblem(c: Parameters<typeof selectorLinesEstimate>[0]): string | null {
  const est = selectorLinesEstimate(c);
  if (est <= SELECTOR_MAX_LINES) return null;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return `lanes ${c.lanes} and outLanes ${c.outLanes}${c.mode === 'topk' ? (c.arch !== 'radix' ? ` with k ${c.k}` : ` with radixBits ${c.radixBits}`) : ''} give an estimated ${fmt(est)} lines of Verilog, more than the limit of ${fmt(SELECTOR_MAX_LINES)} (the compaction network grows as lanes·(lanes + 2·outLanes); gen/selector/README.md "Size"): use fewer lanes or outLanes`;
}
