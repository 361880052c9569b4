/**
 * The plane sum of one memory word: Σ_i q_(c·W+i) · bit_i, an AND of the word's bits with the
 * query lanes of beat c and an adder tree (README.md, "Arithmetic").
 */
import { SInt, lit, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { reduceTree, sumOp } from '../../hdl/lib/index.ts';
import type { EarlyexitDims } from './config.ts';

/**
 * `q`: the D query lanes (SInt(Wq) each); `data`: the W-bit word; `beat`: c (unused when C = 1);
 * `stages`: register stages inside the adder tree (the sum comes that many cycles later).
 */
export function planeBeatSum(m: ModuleBuilder, d: Pick<EarlyexitDims, 'D' | 'W' | 'C' | 'Wq'>, q: readonly Expr[], data: Expr, beat: Expr, stages = 0): Expr {
  const zero = lit(SInt(d.Wq), 0);
  const terms: Expr[] = [];
  for (let i = 0; i < d.W; i++) {
    // The query lane under bit i of the word: lane c·W + i of the beat being summed (0 past D).
    let lane: Expr = zero;
    for (let c = 0; c < d.C; c++) {
      const dim = c * d.W + i;
      if (dim >= d.D) continue;
      lane = d.C === 1 ? q[dim] : mux(beat.eq(c), q[dim], lane);
    }
    terms.push(m.wire(`and_${i}`, mux(data.bit(i), lane, zero)));
  }
  return reduceTree(m, 'plane_tree', terms, sumOp, { stages }).result;
}
