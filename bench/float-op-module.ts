/**
 * A float operator between registers, for measuring its LUT levels alone: input registers `a_r`,
 * `b_r` -> the operator with `stages` internal registers -> output register `y_r`. Every path of
 * the operator is then register to register (a stream wrapper's input ports would hide the first
 * segment from the register-to-register count).
 */
import { ModuleBuilder, UInt, type Module } from '../hdl/index.ts';
import { fpAdd } from '../hdl/lib/float/add.ts';
import { fpMul } from '../hdl/lib/float/mul.ts';
import { fpDiv } from '../hdl/lib/float/div.ts';
import { FORMATS } from '../hdl/lib/float/format.ts';

export type FloatOpKind = 'add' | 'mul' | 'div';

export function floatOpModule(op: FloatOpKind, format: 'fp16' | 'bf16', stages: number): Module {
  const f = FORMATS[format];
  const m = new ModuleBuilder(`kv_levels_${format}_${op}_s${stages}`);
  const a = m.input('a', UInt(f.width));
  const b = m.input('b', UInt(f.width));
  const ar = m.reg('a_r', UInt(f.width));
  const br = m.reg('b_r', UInt(f.width));
  ar.set(a);
  br.set(b);
  const r = { add: fpAdd, mul: fpMul, div: fpDiv }[op](m, op, f, ar, br, { stages });
  const yr = m.reg('y_r', UInt(f.width));
  yr.set(r.result);
  m.output('y', UInt(f.width)).set(yr);
  return m.build();
}
