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

/**
 * Signals `<p>_grant_slot`, `<p>_req_*`, `<p>_grant`, `<p>_tags` (FIFO), `<p>_resp_fire`. The request
 * goes out in the cycle a slot is in NEED (no request register: one cycle less per word's round trip);
 * a request that waits for `reqReady` holds its slot (`<p>_req_held`), so its payload stays stable.
 */
export function slotRequests(m: ModuleBuilder, p: string, i: SlotRequestsIn) {
  const { found, slot: lowest } = lowestSlot(i.st, i.need, i.SLW);
  const held = m.reg(`${p}_req_held`, Bool, { reset: 0 });
  const heldSlot = m.reg(`${p}_req_held_slot`, UInt(i.SLW));
  const grantSlot = m.wire(`${p}_grant_slot`, mux(held, heldSlot, lowest));
  const reqValid = m.wire(`${p}_req_valid`, held.or(found));
  const reqAddr = m.wire(`${p}_req_addr`, pick(i.addr, grantSlot));
  const reqChunk = m.wire(`${p}_req_chunk`, pick(i.chk, grantSlot));
  const reqFire = m.wire(`${p}_req_fire`, reqValid.and(i.reqReady));
  const grantGo = m.wire(`${p}_grant`, reqFire);
  held.set(reqValid.and(i.reqReady.not()));
  heldSlot.set(grantSlot);
  const reqSlot = grantSlot;
  const depth = 2 ** Math.max(1, log2Ceil(i.st.length + 1));
  const tags = fifo(m, `${p}_tags`, { fields: { slot: UInt(i.SLW), chunk: UInt(i.CW) }, valid: reqFire, ready: m.wire(`${p}_tag_push_ready`, Bool), bits: { slot: reqSlot, chunk: reqChunk } }, depth);
  const respFire = m.wire(`${p}_resp_fire`, i.respValid.and(tags.valid));
  tags.ready.set(respFire);
  return { grantSlot, grantGo, reqValid, reqAddr, reqFire, tags, respFire };
}
