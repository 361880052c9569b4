import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Bool, ElaborationError, ModuleBuilder, SInt, UInt, lit } from '../../hdl/index.ts';
import { markerLoc } from './marker.ts';

const here = fileURLToPath(import.meta.url);
const at = (name: string) => markerLoc(here, name);

function elaborationError(fn: () => void): ElaborationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ElaborationError) return e;
    throw e;
  }
  throw new Error('expected an ElaborationError');
}

describe('design-rule errors name the source line and the signal', () => {
  it('width mismatch on assignment', () => {
    const e = elaborationError(() => {
      const m = new ModuleBuilder('w_mismatch');
      const a = m.input('a', UInt(16));
      const acc = m.output('acc', UInt(16));
      acc.set(a.add(a)); // @width
      m.build();
    });
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]).toMatchObject({ kind: 'width', signal: 'acc', loc: at('width') });
    expect(e.message).toContain(`${at('width')}: cannot assign 17-bit expression to 16-bit output 'acc' (use .trunc(16) or widen 'acc')`);
  });

  it('narrower value is not silently extended', () => {
    const e = elaborationError(() => {
      const m = new ModuleBuilder('w_narrow');
      const a = m.input('a', SInt(8));
      const y = m.output('y', SInt(12));
      y.set(a); // @narrow
      m.build();
    });
    expect(e.message).toContain(`${at('narrow')}: cannot assign 8-bit expression to 12-bit output 'y' (extend it with .sext(12)`);
  });

  it('signedness mismatch in an operator and on assignment', () => {
    const e = elaborationError(() => {
      const m = new ModuleBuilder('s_mismatch');
      const a = m.input('a', UInt(8));
      const b = m.input('b', SInt(8));
      const y = m.output('y', SInt(9));
      const sum = a.add(b); // @signop
      y.set(a.zext(9)); // @signassign
      void sum;
      m.build();
    });
    expect(e.diagnostics.map((d) => d.loc)).toEqual([at('signop'), at('signassign')]);
    expect(e.diagnostics[0].message).toContain(`cannot add u8 'a' and s8 'b': signedness differs`);
    expect(e.diagnostics[1].message).toContain(`cannot assign unsigned u9 expression to signed s9 output 'y' (use .asSInt())`);
  });

  it('undriven signal is reported at its declaration', () => {
    const e = elaborationError(() => {
      const m = new ModuleBuilder('undriven');
      const y = m.output('y', UInt(4));
      const w = m.wire('dangling', UInt(4)); // @undriven
      y.set(w);
      m.build();
    });
    expect(e.diagnostics).toEqual([expect.objectContaining({ kind: 'driver', signal: 'dangling', loc: at('undriven') })]);
    expect(e.message).toContain(`${at('undriven')}: wire 'dangling' has no driver`);
  });

  it('multiple drivers: assigning an input port or an instance output', () => {
    const child = new ModuleBuilder('md_child');
    child.output('q', Bool).set(child.input('d', Bool));
    const built = child.build();
    const e = elaborationError(() => {
      const m = new ModuleBuilder('multi_driver');
      const a = m.input('a', Bool);
      const u = m.instance('u', built);
      u.port('d').set(a);
      u.port('q').set(a); // @instout
      m.output('y', Bool).set(u.port('q'));
      (a as unknown as { set(v: number): void }).set(1); // @inport
      m.build();
    });
    expect(e.diagnostics.map((d) => [d.kind, d.signal, d.loc])).toEqual([
      ['driver', 'u_q', at('instout')],
      ['driver', 'a', at('inport')],
    ]);
    expect(e.diagnostics[1].message).toBe(`multiple drivers: input port 'a' is driven from outside the module; it cannot also be assigned here`);
  });

  it('combinational loop names every signal on the loop', () => {
    const e = elaborationError(() => {
      const m = new ModuleBuilder('comb_loop');
      const x = m.input('x', UInt(4));
      const a = m.wire('a', UInt(4)); // @loop
      const b = m.wire('b', UInt(4));
      const c = m.wire('c', UInt(4));
      a.set(c.xor(x));
      b.set(a);
      c.set(b.not());
      m.output('y', UInt(4)).set(c);
      m.build();
    });
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]).toMatchObject({ kind: 'loop', loc: at('loop') });
    expect(e.diagnostics[0].message).toBe(`combinational loop: 'a' -> 'b' -> 'c' -> 'a'`);
  });

  it('a loop through a submodule\'s combinational path is found; a register breaks it', () => {
    const child = new ModuleBuilder('loop_child');
    child.output('q', UInt(2)).set(child.input('d', UInt(2)).not());
    const built = child.build();
    const e = elaborationError(() => {
      const m = new ModuleBuilder('loop_parent');
      const u = m.instance('u', built);
      u.port('d').set(u.port('q')); // @instloop
      m.output('y', UInt(2)).set(u.port('q'));
      m.build();
    });
    expect(e.diagnostics[0].message).toMatch(/combinational loop: 'u_(d|q)' -> 'u_(d|q)' -> 'u_(d|q)'/);

    const ok = new ModuleBuilder('loop_broken');
    const u = ok.instance('u', built);
    const r = ok.reg('r', UInt(2), { reset: 0 });
    r.set(u.port('q'));
    u.port('d').set(r);
    ok.output('y', UInt(2)).set(r);
    expect(() => ok.build()).not.toThrow();
  });

  it('incomplete conditional assignment is an inferred-latch error; a default or otherwise fixes it', () => {
    const e = elaborationError(() => {
      const m = new ModuleBuilder('latchy');
      const c = m.input('c', Bool);
      const w = m.wire('w', UInt(3)); // @latch
      m.when(c, () => w.set(5));
      m.output('y', UInt(3)).set(w);
      m.build();
    });
    expect(e.diagnostics).toEqual([expect.objectContaining({ kind: 'latch', signal: 'w', loc: at('latch') })]);
    expect(e.diagnostics[0].message).toContain(`wire 'w' is not assigned on every path (this would infer a latch)`);

    const m = new ModuleBuilder('latch_free');
    const c = m.input('c', Bool);
    const s = m.input('s', UInt(1));
    const w = m.wire('w', UInt(3));
    m.when(c, () => w.set(5)).otherwise(() => w.set(1));
    const v = m.wire('v', UInt(3));
    m.switch(s).is(0, () => v.set(2)).is(1, () => v.set(3)); // full case: no default needed
    m.output('y', UInt(3)).set(w.xor(v));
    expect(() => m.build()).not.toThrow();
  });

  it('collects every error of a module into one report', () => {
    const e = elaborationError(() => {
      const m = new ModuleBuilder('many');
      const a = m.input('a', UInt(8));
      m.output('y', UInt(4)).set(a); // @many1
      m.wire('unused_wire', UInt(2)); // @many2
      m.output('z', UInt(8)).set(a.lt(lit(SInt(8), -1)).zext(8)); // @many3
      m.build();
    });
    expect(e.diagnostics.map((d) => d.loc)).toEqual([at('many1'), at('many3'), at('many2')]);
    expect(e.message.split('\n')[0]).toBe('elaboration failed with 3 errors:');
  });

  it('rejects bad names, duplicate names and the reserved prefix', () => {
    const e = elaborationError(() => {
      const m = new ModuleBuilder('names');
      const a = m.input('a', Bool);
      m.output('a', Bool).set(a);
      m.output('_tmp', Bool).set(a);
      m.output('module', Bool).set(a);
      m.build();
    });
    expect(e.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining(`name 'a' is already declared at`),
      `name '_tmp' starts with '_', which is reserved for generated temporaries`,
      `name 'module' is a Verilog/SystemVerilog keyword`,
    ]);
  });

  it('literal out of range for its target', () => {
    const e = elaborationError(() => {
      const m = new ModuleBuilder('lit_range');
      m.output('y', UInt(4)).set(16); // @litrange
      m.build();
    });
    expect(e.message).toContain(`${at('litrange')}: literal 16 does not fit u4 'y' (0..15)`);
  });
});
