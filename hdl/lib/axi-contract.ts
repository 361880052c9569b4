/**
 * The AXI4 / AXI4-Lite handshake rules as formal properties, read from a recorded bus bundle
 * (`axi.ts`): on every channel (AW, W, B, AR, R), once VALID is high it stays high until the
 * handshake (VALID ∧ READY), and the channel's payload does not change while VALID ∧ ¬READY
 * (AXI spec A3.2.1). Asserted on the channels the module drives (a master's AW, W, AR; a slave's
 * B, R), assumed on the channels the other side drives: the environment's half of the contract.
 */
import type { Expr } from '../core/expr.ts';
import type { ModuleBuilder } from '../core/module-builder.ts';
import type { BusBundle } from '../core/bundle.ts';
import { implies, past, pastValid } from './temporal.ts';

/** The channels of AXI, their handshake signals' suffix and the master-driven flag. */
const CHANNELS: readonly { ch: string; fromMaster: boolean }[] = [
  { ch: 'aw', fromMaster: true },
  { ch: 'w', fromMaster: true },
  { ch: 'b', fromMaster: false },
  { ch: 'ar', fromMaster: true },
  { ch: 'r', fromMaster: false },
];

/** Adds the handshake rules of every channel of bus `b` (recorded on `m`). */
export function axiContract(m: ModuleBuilder, b: BusBundle): void {
  const kind = b.kind === 'axi4' ? 'AXI4' : 'AXI4-Lite';
  for (const { ch, fromMaster } of CHANNELS) {
    const validName = b.ports[`${ch}valid`];
    const readyName = b.ports[`${ch}ready`];
    if (!validName || !readyName) continue;
    const valid = m.portRef(validName);
    const ready = m.portRef(readyName);
    const mine = fromMaster === (b.role === 'master');
    const check = (cond: Expr, msg: string) => (mine ? m.assert(cond, msg) : m.assume(cond, msg));
    const waited = pastValid(m).and(past(m, valid.and(ready.not())));
    check(implies(waited, valid), `${kind} ${b.name} ${ch.toUpperCase()}: valid held until ready`);
    // the channel's payload: its signals by prefix (w/b/r never prefix an aw*/ar* name)
    const payload = Object.keys(b.ports).filter((s) => s.startsWith(ch) && s !== `${ch}valid` && s !== `${ch}ready`);
    for (const s of payload) {
      const p = m.portRef(b.ports[s]);
      check(implies(waited, p.eq(past(m, p))), `${kind} ${b.name} ${ch.toUpperCase()}: ${s} stable while valid and not ready`);
    }
  }
}

/** The handshake rules of every AXI bus recorded on `m` so far. */
export function axiContracts(m: ModuleBuilder): void {
  for (const b of m.interfaces()) if (b.kind === 'axi4' || b.kind === 'axi4-lite') axiContract(m, b);
}
