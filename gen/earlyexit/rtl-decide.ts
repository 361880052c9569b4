/**
 * The optional decision register of earlyexit (`decideCut`, README "Pipeline"): stage 2's decision
 * for a completed plane (stop, keep, the new partial) is registered, and the slot's state, plane,
 * address and partial take it one cycle later. The slot waits in WAIT meanwhile (its next plane is
 * not requested yet), so nothing reads the stale slot: only the slot's latency per plane grows.
 */
import { Bool, type Expr, type ModuleBuilder } from '../../hdl/index.ts';

export interface SlotUpdate {
  /** A plane of slot `slot` is complete: update that slot. */
  done: Expr;
  slot: Expr;
  stop: Expr;
  keep: Expr;
  partial: Expr;
}

/** `u` itself (`on` false), or `u` registered as `dec_*` (done resets to 0). */
export function decisionStage(m: ModuleBuilder, on: boolean, u: SlotUpdate): SlotUpdate {
  if (!on) return u;
  const done = m.reg('dec_valid', Bool, { reset: 0 });
  const slot = m.reg('dec_slot', u.slot.type);
  const stop = m.reg('dec_stop', Bool);
  const keep = m.reg('dec_keep', Bool);
  const partial = m.reg('dec_partial', u.partial.type);
  done.set(u.done);
  m.when(u.done, () => {
    slot.set(u.slot);
    stop.set(u.stop);
    keep.set(u.keep);
    partial.set(u.partial);
  });
  return { done, slot, stop, keep, partial };
}
