/**
 * The skid buffer's formal invariants (`skid-buffer.ts`), separate so that a test can attach them to
 * a broken copy: the stream contract on both sides, the skid register holds a beat only behind a
 * full output register, and no beat is dropped or invented (a formal-only occupancy counter equals
 * the beats held).
 */
import { UInt } from '../core/types.ts';
import type { Expr, Var } from '../core/expr.ts';
import type { ModuleBuilder } from '../core/module-builder.ts';
import { streamContracts } from './stream-contract.ts';
import { implies } from './temporal.ts';

export interface SkidSignals {
  full: Var;
  skid: Var;
  inFire: Expr;
  outFire: Expr;
}

export function skidInvariants(m: ModuleBuilder, s: SkidSignals): void {
  streamContracts(m);
  const occ = m.formalReg('fv_occupancy', UInt(2), { reset: 0 });
  m.when(s.inFire.and(s.outFire.not()), () => occ.set(occ.addWrap(1))).elseWhen(s.outFire.and(s.inFire.not()), () => occ.set(occ.subWrap(1)));
  m.assert(implies(s.skid, s.full), 'skid buffer: the skid register is used only behind a full output register');
  m.assert(occ.eq(s.full.zext(2).add(s.skid.zext(2))), 'skid buffer never drops a beat: beats held = accepted - delivered');
  m.cover(s.skid, 'skid buffer uses its skid register');
}
