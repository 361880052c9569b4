/**
 * nuq's formal invariants (README "Formal invariants"), checked in every Verilator co-simulation
 * (built with -DFORMAL --assert) and by `kvhdl prove nuq`:
 * - codes: the comparator row's popcount (the code before it is cut to b bits) is ≤ 2^b − 1, so
 *   the cut loses nothing and every code on `q` is a valid centroid index;
 * - outlier FIFO, no overflow: a beat leaves the pipeline with outliers (or an eos record) to queue
 *   only when the side FIFO takes it (no outlier is dropped);
 * - outlier FIFO, no underflow / no invention: the sparse port marks as sent only lanes that are
 *   outliers of the FIFO's head entry, and nothing while the FIFO is empty; `sp` is valid only with
 *   a head entry;
 * - the stream contract on `in`, `q` and `sp` comes from the ports' recorded interfaces (the prove
 *   wrapper: assumed on `in`, asserted on `q` and `sp`).
 */
import { UInt, lit, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { implies } from '../../hdl/lib/index.ts';

export interface NuqSignals {
  bits: number;
  /** Per lane, the stage-d comparator row (bit j: u > t_j), K − 1 bits. */
  gt: Expr[];
  /** The pipeline's last stage pushes a side-FIFO entry, and the FIFO's ready. */
  spfPush: Expr;
  spfReady: Expr;
  /** The FIFO's head entry: valid and outlier lane mask; the lanes of it already sent on `sp`. */
  headValid: Expr;
  headMask: Expr;
  done: Expr;
}

export function nuqInvariants(m: ModuleBuilder, s: NuqSignals): void {
  const b = s.bits;
  const K = 2 ** b;
  s.gt.forEach((gt, i) => {
    let sum: Expr = lit(UInt(b + 1), 0);
    for (let j = 0; j < K - 1; j++) sum = sum.addWrap(gt.bit(j).zext(b + 1));
    m.assert(sum.le(K - 1), `nuq: lane ${i} code <= 2^b - 1 (${K - 1}): the ${b}-bit code loses nothing`);
  });
  m.assert(implies(s.spfPush, s.spfReady), 'nuq: outlier FIFO never overflows (a beat with outliers leaves only when the FIFO takes it)');
  m.assert(implies(s.headValid, s.done.and(s.headMask.not()).eq(0)), 'nuq: sparse port sends only outlier lanes of the FIFO head');
  m.assert(implies(s.headValid.not(), s.done.eq(0)), 'nuq: sparse port marks nothing sent while the outlier FIFO is empty (no underflow)');
  m.assert(implies(m.portRef('sp_valid'), s.headValid), 'nuq: sp valid only with an outlier FIFO entry (no underflow)');
}
