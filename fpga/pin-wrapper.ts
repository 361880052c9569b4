/**
 * A pin wrapper for place-and-route estimates: kvhdl units have far more port bits (a 128-bit data
 * bus and more) than an iCE40 package has pins. The wrapper gives the unit
 * - one serial input pin `pin_in` feeding a shift register as wide as all of the unit's input bits
 *   together (ready signals included); every unit input is a different slice of it, so no two
 *   inputs are equal and none is constant;
 * - one output pin `pin_out`: the XOR of every output bit of the unit, reduced 4 bits per level
 *   with a register after every level (one LUT4 per level, so the reduction is never the critical
 *   path); a XOR depends on every one of its inputs, so Yosys cannot remove any of the unit's logic;
 * - the unit's `clock` and `reset` as pins.
 * The wrapper adds one flip-flop per input bit plus about (output bits)/3 LUT4s and flip-flops.
 */
import { Bool, ModuleBuilder, UInt, cat, type Expr, type Module } from '../hdl/index.ts';

export interface PinWrapperInfo {
  module: Module;
  /** Width of the input shift register (the unit's input bits). */
  inputBits: number;
  /** Unit output bits folded into `pin_out`. */
  outputBits: number;
  /** Register levels of the XOR reduction. */
  xorLevels: number;
}

export function pinWrapper(core: Module): PinWrapperInfo {
  const m = new ModuleBuilder(`kv_pinwrap_${core.name}`, {
    params: { core: core.name },
    doc: `pin wrapper for P&R estimates: serial shift-register inputs, XOR-reduced output (fpga/pin-wrapper.ts)`,
  });
  const inputs = core.ports.filter((p) => p.kind === 'input');
  const outputs = core.ports.filter((p) => p.kind !== 'input');
  const inputBits = inputs.reduce((s, p) => s + p.type.width, 0);
  const pinIn = m.input('pin_in', Bool);
  const pinOut = m.output('pin_out', Bool);
  const inst = m.instance('core', core);

  if (inputBits > 0) {
    const shift = m.reg('shift', UInt(inputBits));
    shift.set(inputBits === 1 ? pinIn : cat(shift.slice(inputBits - 2, 0), pinIn));
    let off = 0;
    for (const p of inputs) {
      const w = p.type.width;
      inst.port(p.name).set(shift.slice(off + w - 1, off).as(p.type));
      off += w;
    }
  }

  let row: Expr[] = [];
  for (const p of outputs) {
    const v = inst.port(p.name).asUInt();
    for (let i = 0; i < p.type.width; i++) row.push(v.bit(i));
  }
  const outputBits = row.length;
  let level = 0;
  if (row.length === 0) {
    pinOut.set(pinIn);
  } else {
    do {
      level++;
      const next: Expr[] = [];
      for (let i = 0; i < row.length; i += 4) {
        const group = row.slice(i, i + 4);
        const r = m.reg(`xor_l${level}_${i / 4}`, Bool);
        r.set(group.length === 1 ? group[0] : cat(...group).xorR());
        next.push(r);
      }
      row = next;
    } while (row.length > 1);
    pinOut.set(row[0]);
  }
  return { module: m.build(), inputBits, outputBits, xorLevels: level };
}
