/**
 * The softmax weight of README.md §4 in hardware: for z = M − S ≥ 0, i = z >> F, the top 7 bits h
 * of the fraction select E[h] and the step E[h] − E[h+1] from two 128-entry ROMs, the step times
 * the remaining F − 7 fraction bits ρ (a 9 × (F − 7)-bit product) shifted right by F − 7 is
 * subtracted, and the result is shifted right by i (0 when i > 16). Golden: `expWeight` in fixed.ts.
 *
 *   exp2Weight(m, name, z: UInt, F, { stages, enable }) -> { result: UInt(17), latency }
 *
 * stages 0 (combinational), 1 (a register after the ROMs) or 2 (and one on the result).
 */
import { UInt, lit, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { stageRegs } from '../../hdl/lib/float/normalize-round.ts';
import type { FloatOpOptions } from '../../hdl/lib/float/op.ts';
import { EXP_L, EXP_PW, EXP_TABLE } from './fixed.ts';

/** `values[sel]` as a balanced mux tree over constants (sel past the end reads the last value). */
export function romLookup(values: readonly number[], width: number, sel: Expr): Expr {
  let level: Expr[] = values.map((v) => lit(UInt(width), v));
  for (let b = 0; level.length > 1; b++) {
    const next: Expr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mux(sel.bit(b), level[i + 1], level[i]) : level[i]);
    level = next;
  }
  return level[0];
}

/** The largest step E[h] − E[h+1] (at h = 0) fits this many bits. */
export const EXP_STEP_BITS = 9;

export function exp2Weight(m: ModuleBuilder, name: string, z: Expr, F: number, opts: FloatOpOptions = {}): { result: Expr; latency: number } {
  const stages = opts.stages ?? 0;
  if (z.signed) throw new TypeError(`exp2Weight '${name}': z must be unsigned, got ${z.type}`);
  if (z.width <= F) throw new RangeError(`exp2Weight '${name}': z needs more than F = ${F} bits`);
  const N = 1 << EXP_L;
  const SH = F - EXP_L; // bits of ρ
  const ew = EXP_PW + 1;
  const i = z.slice(z.width - 1, F);
  const far = m.wire(`${name}_far`, i.gt(EXP_PW)); // p = 0
  const iSh = m.wire(`${name}_i`, i.width >= 5 ? i.slice(4, 0) : i.zext(5));
  const h = m.wire(`${name}_h`, z.slice(F - 1, SH));
  const e0 = m.wire(`${name}_e0`, romLookup(EXP_TABLE.slice(0, N), ew, h));
  const steps = Array.from({ length: N }, (_, k) => EXP_TABLE[k] - EXP_TABLE[k + 1]);
  const step = m.wire(`${name}_step`, romLookup(steps, EXP_STEP_BITS, h));
  const prod = SH > 0 ? m.wire(`${name}_prod`, step.mul(z.slice(SH - 1, 0))) : undefined;
  const p = stageRegs(m, `${name}_p`, { far, i: iSh, e0, ...(prod ? { prod } : {}) }, stages >= 1, opts.enable);
  const corr = p.prod ? p.prod.shr(SH) : lit(UInt(1), 0); // < step ≤ 2^9
  const e = m.wire(`${name}_e`, p.e0.sub(corr.width > ew ? corr.trunc(ew) : corr.zext(ew)).trunc(ew));
  const w = m.wire(`${name}_w`, mux(p.far, lit(UInt(ew), 0), e.shr(p.i)));
  const out = stageRegs(m, `${name}_o`, { w }, stages >= 2, opts.enable);
  return { result: out.w, latency: stages };
}
