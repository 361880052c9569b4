/**
 * The early-exit unit's formal invariant (README "Early exit"): a key pruned after plane j (j > 0)
 * satisfies the bound from the unit's own partial score, computed here at full width and
 * independently of the rearranged per-plane thresholds `thr_j` the datapath compares with:
 * P·2^j + (2^j − 1)·Q⁺ ≤ θ, so the key can no longer pass "score > θ". And every memory request
 * stays inside the row's key image (README "Memory layout"): address < n_keys·B·C words.
 */
import type { Expr, ModuleBuilder } from '../../hdl/index.ts';
import { implies } from '../../hdl/lib/index.ts';

export interface EarlyexitSignals {
  /** A plane of the key in stage 2 is complete this cycle, and the decision to stop fetching it. */
  planeDone: Expr;
  stop: Expr;
  /** The plane just added (B − 1 = MSB … 0) and the partial score after it. */
  plane: Expr;
  partial: Expr;
  qPlus: Expr;
  theta: Expr;
  /** The memory request stream's valid and word address, the row's key count and B·C words per key. */
  reqValid: Expr;
  reqAddr: Expr;
  nKeys: Expr;
  wordsPerKey: number;
  /** Pruning is on (false: the fetch-everything baseline, which prunes nothing). */
  earlyExit: boolean;
}

export function earlyexitInvariants(m: ModuleBuilder, s: EarlyexitSignals): void {
  m.assert(implies(s.reqValid, s.reqAddr.lt(s.nKeys.mul(s.wordsPerKey))), `earlyexit: memory requests stay inside the key image (address < n_keys*${s.wordsPerKey})`);
  if (!s.earlyExit) return;
  const rest = s.qPlus.shl(s.plane).sub(s.qPlus); // (2^j − 1)·Q⁺
  const best = s.partial.shl(s.plane).add(rest); // the largest score the key can still reach
  m.assert(implies(s.planeDone.and(s.stop).and(s.plane.ne(0)), best.le(s.theta)), 'earlyexit: a pruned key satisfies P_j*2^j + (2^j-1)*Q+ <= theta');
}
