/**
 * The key slots' shared machinery (README "Hardware", used by the scorer `rtl-scorer.ts` and the
 * top-k phase-2 scorer `rtl-topk-scorer.ts`): the lowest slot in a given state (a priority encoder),
 * and the memory request stage that grants one word per cycle to the lowest NEED slot, registers the
 * request, and queues its tag (slot, chunk) until the response returns in order.
 */
import { Bool, UInt, lit, log2Ceil, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { fifo } from '../../hdl/lib/index.ts';

/** `values[sel]` as a balanced mux tree on the bits of sel. */
export function pick(values: readonly Expr[], sel: Expr): Expr {
  let level = [...values];
  for (let b = 0; level.length > 1; b++) {
    const next: Expr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mux(sel.bit(b), level[i + 1], level[i]) : level[i]);
    level = next;
  }
  return level[0];
}

/** Whether some slot is in `state`, and the lowest such slot (SLW bits; 0 when none). */
export function lowestSlot(st: readonly Expr[], state: number, SLW: number): { found: Expr; slot: Expr } {
  let found: Expr = lit(Bool, 0);
  let slot: Expr = lit(UInt(SLW), 0);
  for (let s = st.length - 1; s >= 0; s--) {
    slot = mux(st[s].eq(state), lit(UInt(SLW), s), slot);
    found = found.or(st[s].eq(state));
  }
  return { found, slot };
}

export interface SlotRequestsIn {
  /** slot states; `need` is the state that asks for a word */
  st: readonly Expr[];
  need: number;
  /** per slot: the word address and chunk of its next word */
  addr: readonly Expr[];
  chk: readonly Expr[];
  SLW: number;
  AW: number;
  CW: number;
  reqReady: Expr;
  respValid: Expr;
}

/** Signals `<p>_grant_slot`, `<p>_req_*`, `<p>_grant`, `<p>_tags` (FIFO), `<p>_resp_fire`. */
export function slotRequests(m: ModuleBuilder, p: string, i: SlotRequestsIn) {
  const { found, slot: grant } = lowestSlot(i.st, i.need, i.SLW);
  const grantSlot = m.wire(`${p}_grant_slot`, grant);
  const reqValid = m.reg(`${p}_req_valid`, Bool, { reset: 0 });
  const reqSlot = m.reg(`${p}_req_slot`, UInt(i.SLW));
  const reqAddr = m.reg(`${p}_req_addr`, UInt(i.AW));
  const reqChunk = m.reg(`${p}_req_chunk`, UInt(i.CW));
  const reqFire = m.wire(`${p}_req_fire`, reqValid.and(i.reqReady));
  const reqLoad = m.wire(`${p}_req_load`, reqValid.not().or(reqFire));
  const grantGo = m.wire(`${p}_grant`, reqLoad.and(found));
  m.when(reqLoad, () => {
    reqValid.set(found);
    reqSlot.set(grantSlot);
    reqAddr.set(pick(i.addr, grantSlot));
    reqChunk.set(pick(i.chk, grantSlot));
  });
  const depth = 2 ** Math.max(1, log2Ceil(i.st.length + 1));
  const tags = fifo(m, `${p}_tags`, { fields: { slot: UInt(i.SLW), chunk: UInt(i.CW) }, valid: reqFire, ready: m.wire(`${p}_tag_push_ready`, Bool), bits: { slot: reqSlot, chunk: reqChunk } }, depth);
  const respFire = m.wire(`${p}_resp_fire`, i.respValid.and(tags.valid));
  tags.ready.set(respFire);
  return { grantSlot, grantGo, reqValid, reqAddr, reqFire, tags, respFire };
}
