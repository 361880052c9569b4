// Formal properties in the DSL: m.assert/assume/cover and the temporal helpers emit an
// `ifdef FORMAL section (each property one line with its source line and message); the plain
// Verilog is unchanged without properties and stays lint-clean with them (both with and without FORMAL).
import { describe, expect, it } from 'vitest';
import { Bool, ElaborationError, ModuleBuilder, UInt, emitModule, lit, mux, propertiesOfVerilog } from '../../hdl/index.ts';
import { fell, fifoModule, past, rose, skidBufferModule, stable, streamContracts, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { verilatorLint } from '../../toolchain/lint.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';

function counter(withProps: boolean) {
  const m = new ModuleBuilder('kv_fv_counter');
  const en = m.input('en', Bool);
  const q = m.output('q', UInt(3));
  const c = m.reg('c', UInt(3), { reset: 0 });
  m.when(en, () => c.set(mux(c.eq(4), lit(UInt(3), 0n), c.addWrap(1))));
  q.set(c);
  if (withProps) {
    m.assert(c.le(4), 'count stays in 0..4');
    m.assume(stable(m, en), 'en never changes');
    m.cover(rose(m, c.eq(4)), 'reaches 4');
    m.cover(fell(m, past(m, en, 2)), 'en fell two cycles ago');
  }
  return m.build();
}

describe('formal properties', () => {
  it('a module without properties has no FORMAL section', () => {
    expect(emitModule(counter(false))).not.toContain('FORMAL');
  });

  it('properties are emitted in `ifdef FORMAL, one line each with their source line and message', () => {
    const text = emitModule(counter(true));
    const plain = emitModule(counter(false));
    // Without FORMAL the module is the same text: only the section before endmodule is added.
    const section = text.slice(text.indexOf('`ifdef FORMAL'), text.indexOf('`endif') + '`endif\n'.length);
    expect(text.replace(`\n${section}`, '')).toBe(plain);
    const props = propertiesOfVerilog(text);
    expect(props.map((p) => [p.kind, p.message])).toEqual([
      ['assert', 'count stays in 0..4'],
      ['assume', 'en never changes'],
      ['cover', 'reaches 4'],
      ['cover', 'en fell two cycles ago'],
    ]);
    for (const p of props) expect(p.loc).toMatch(/^test\/hdl\/formal-props\.test\.ts:\d+$/);
    expect(text.split('\n')[props[0].line - 1]).toMatch(/^ {6}assert \(c <= 3'd4\); \/\/ .*: count stays in 0\.\.4$/);
    expect(text).toContain('    if (!reset) begin');
    // helper registers are formal-only and located at the caller
    expect(text).toMatch(/reg {2}fv_past_valid; \/\/ test\/hdl\/formal-props\.test\.ts:\d+/);
    expect(text).toContain('fv_en_past2');
  });

  it('refuses a property inside when, a wide condition, and a design signal that reads a formal-only register', () => {
    const m = new ModuleBuilder('kv_fv_bad');
    const a = m.input('a', UInt(2));
    const o = m.output('o', Bool);
    const r = m.reg('r', Bool, { reset: 0 });
    r.set(a.bit(0));
    m.when(a.bit(1), () => m.assert(a.bit(0), 'inside when'));
    m.assert(a, 'wide');
    o.set(past(m, a.bit(0)));
    let err: ElaborationError | undefined;
    try {
      m.build();
    } catch (e) {
      err = e as ElaborationError;
    }
    expect(err).toBeInstanceOf(ElaborationError);
    const msg = err!.message;
    expect(msg).toMatch(/formal-props\.test\.ts:\d+: assert inside when\/switch/);
    expect(msg).toMatch(/assert condition must be 1 bit, got u2/);
    expect(msg).toMatch(/'o' reads formal-only signal 'fv_e0_past1'/);
  });

  it('the FIFO and the skid buffer pass verilator -Wall, iverilog and yosys synth, and verilator -Wall -DFORMAL --assert', async () => {
    for (const mod of [fifoModule(8, 4), skidBufferModule(8)]) {
      expect(propertiesOfVerilog(emitModule(mod)).filter((p) => p.kind === 'assert').length).toBeGreaterThanOrEqual(4);
      const files = writeDesign(mod);
      expect(await verilogProblems(files, mod.name)).toEqual([]);
      const f = await verilatorLint(files, mod.name, { extraArgs: ['-DFORMAL', '--assert'] });
      expect(f.warnings).toEqual([]);
    }
  });

  it('streamContracts assumes on input streams and asserts on output streams', () => {
    const m = new ModuleBuilder('kv_fv_pass');
    const a = streamIn(m, 'a', { x: UInt(4) });
    const q = streamOut(m, 'q', { x: UInt(4) });
    q.valid.set(a.valid);
    q.bits.x.set(a.bits.x);
    a.ready.set(q.ready);
    m.reg('keep', Bool, { reset: 0 }).set(a.valid);
    streamContracts(m);
    const props = propertiesOfVerilog(emitModule(m.build()));
    expect(props.map((p) => `${p.kind} ${p.message}`)).toEqual([
      "assume stream 'a': valid stays high until ready",
      "assume stream 'a': 'a_x' stable while valid and not ready",
      "assert stream 'q': valid stays high until ready",
      "assert stream 'q': 'q_x' stable while valid and not ready",
    ]);
  });
});
