/**
 * How big a selector's Verilog gets (README "Size"), estimated from the configuration alone so that
 * a configuration too large to elaborate in reasonable time is refused before elaboration.
 *
 * The output path is O(P log P + P_out log P_out) for P <= P_out (rtl-pack.ts: a compaction shifter
 * of ⌈log2 P⌉ stages of P lanes and a rotation of ⌈log2 P_out⌉ stages of P_out slots, one line per
 * lane, stage and field), with the front end and summary:
 *   332 + 26.5·P + 27.5·P_out + 4·P_out·⌈log2 P_out⌉ + 12·P·⌈log2 P⌉ + core,
 * and O(C log C) with C = P + 2·P_out for P > P_out (rtl-gearbox.ts: write and read rotations of C
 * slots): 10·C·⌈log2 C⌉ + 12·P·⌈log2 P⌉ + 434 + 60·P + 40·P_out + core. The core:
 *   streaming threshold ≈ 116 + 30·P (P <= P_out; 30·P for P > P_out); "last" cap row buffer ≈ 270 + 10·P;
 *   insertion ≈ 32·K + 8·P + 70; radix ≈ 37·2^r + 10·P + 420.
 * The systolic top-k core (its cells are the `out` lanes): P = 1: 311 + 66·K + K·⌈log2 K⌉ in all (K + 1 cells in
 * index order, prefix ORs), plus 132 + 24·P_out + 4·P_out·⌈log2 P_out⌉ for the packer when P_out > 1;
 * P > 1 (two cell banks, no output network): 316 + 116·K + 34·P.
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
  // the `ifdef FORMAL block (invariants.ts and the ports' stream contracts): 67 + 4·P_out lines
  return logicLinesEstimate(c) + 67 + 4 * c.outLanes;
}

function logicLinesEstimate(c: Parameters<typeof selectorLinesEstimate>[0]): number {
  const P = c.lanes;
  const Q = c.outLanes;
  // systolic top-k: no output network at P > 1 (the sorted cells are the `out` beat); P = 1 (cells in index order) packs through rtl-pack.ts when P_out > 1
  if (c.mode === 'topk' && c.arch === 'systolic') {
    if (P > 1) return 316 + 116 * c.k + 34 * P;
    // P = 1: K + 1 cells with log-depth prefix ORs; P_out > 1 adds the accumulator packer
    const cells = 311 + 66 * c.k + c.k * lg(c.k);
    return Q === 1 ? cells : cells + 132 + 24 * Q + 4 * Q * lg(Q);
  }
  let core: number;
  if (c.mode === 'threshold') core = c.capK > 0 && c.capPolicy === 'last' ? 270 + 10 * P : P <= Q ? 116 + 30 * P : 30 * P; // streaming: lane register, pipelined row maximum (P <= P_out: registered shift amounts)
  else core = c.arch === 'insertion' ? 32 * c.k + 8 * P + 70 : 37 * 2 ** c.radixBits + 10 * P + 420;
  // P <= P_out: compaction shifter and accumulator packer (rtl-pack.ts) with the front end and summary
  if (P <= Q) return 332 + 26.5 * P + 27.5 * Q + 4 * Q * lg(Q) + 12 * P * lg(P) + core;
  // P > P_out: compaction and circular gearbox of C = P + 2·P_out slots
  const C = P + 2 * Q;
  const gearbox = 10 * C * lg(C) + 12 * P * lg(P);
  const frame = 434 + 60 * P + 40 * Q;
  return gearbox + frame + core;
}

/** The one-line problem with a configuration's size, or null when it is within SELECTOR_MAX_LINES. */
export function selectorSizeProblem(c: Parameters<typeof selectorLinesEstimate>[0]): string | null {
  const est = selectorLinesEstimate(c);
  if (est <= SELECTOR_MAX_LINES) return null;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return `lanes ${c.lanes} and outLanes ${c.outLanes}${c.mode === 'topk' ? (c.arch !== 'radix' ? ` with k ${c.k}` : ` with radixBits ${c.radixBits}`) : ''} give an estimated ${fmt(est)} lines of Verilog, more than the limit of ${fmt(SELECTOR_MAX_LINES)} (the output network grows as P·log2 P + P_out·log2 P_out (P > P_out: C·log2 C with C = lanes + 2·outLanes), the top-k arrays as k; gen/selector/README.md "Size"): use fewer lanes, outLanes or a smaller k/radixBits`;
}
