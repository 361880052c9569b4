/**
 * The FIFO's formal invariants (`fifo.ts`), in a function of their own so that a test can attach
 * them to a deliberately broken FIFO: the stream contract on both sides, no overflow, no underflow,
 * occupancy within [0, depth + 1] and equal to the transfers in minus the transfers out (a
 * formal-only counter `fv_occupancy`).
 */
import { UInt } from '../core/types.ts';
import type { Expr, Var } from '../core/expr.ts';
import type { ModuleBuilder } from '../core/module-builder.ts';
import { log2Ceil } from '../core/types.ts';
import { streamContracts } from './stream-contract.ts';
import { implies } from './temporal.ts';

export interface FifoSignals {
  depth: number;
  /** Entries in the memory (0..depth). */
  count: Var;
  /** The read register holds the head entry. */
  headValid: Var;
  push: Expr;
  pop: Expr;
  inFire: Expr;
  outFire: Expr;
}

export function fifoInvariants(m: ModuleBuilder, s: FifoSignals): void {
  streamContracts(m);
  const w = log2Ceil(s.depth + 2);
  const occ = m.formalReg('fv_occupancy', UInt(w), { reset: 0 });
  m.when(s.inFire.and(s.outFire.not()), () => occ.set(occ.addWrap(1))).elseWhen(s.outFire.and(s.inFire.not()), () => occ.set(occ.subWrap(1)));
  m.assert(s.count.le(s.depth), `fifo occupancy: memory entries <= ${s.depth}`);
  m.assert(implies(s.push, s.count.ne(s.depth)), 'fifo no overflow: no write into a full memory');
  m.assert(implies(s.pop, s.count.ne(0)), 'fifo no underflow: no read from an empty memory');
  m.assert(occ.eq(s.count.zext(w).add(s.headValid.zext(w)).trunc(w)), 'fifo never drops or invents an entry: occupancy = accepted - delivered');
  m.cover(s.count.eq(s.depth), 'fifo becomes full');
}
