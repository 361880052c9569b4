/**
 * The valid/ready stream contract as formal properties: once valid is high it stays high until the
 * transfer (valid ∧ ready), and the payload does not change while valid ∧ ¬ready. Asserted on the
 * module's output streams, assumed on its input streams (the environment's side of the contract).
 */
import type { Expr } from '../core/expr.ts';
import type { ModuleBuilder } from '../core/module-builder.ts';
import type { StreamBundle } from '../core/bundle.ts';
import { implies, past, pastValid } from './temporal.ts';

/** Adds the contract of one recorded stream interface of `m`. */
export function streamContract(m: ModuleBuilder, s: StreamBundle): void {
  const valid = m.portRef(s.valid);
  const ready = m.portRef(s.ready);
  const waited = pastValid(m).and(past(m, valid.and(ready.not())));
  const check = (cond: Expr, msg: string) => (s.dir === 'out' ? m.assert(cond, msg) : m.assume(cond, msg));
  check(implies(waited, valid), `stream '${s.name}': valid stays high until ready`);
  for (const f of s.fields) {
    const p = m.portRef(f.port);
    check(implies(waited, p.eq(past(m, p))), `stream '${s.name}': '${f.port}' stable while valid and not ready`);
  }
}

/** Adds the contract of every stream interface recorded on `m` so far. */
export function streamContracts(m: ModuleBuilder): void {
  for (const b of m.interfaces()) if (b.kind === 'stream') streamContract(m, b);
}
