/**
 * Issue #13 item 5: the emitter never passes a module's lines as call arguments (`push(...lines)`
 * overflowed the stack at ~125k lines: a 56-lane selector), and catList takes any number of parts.
 */
import { describe, expect, it } from 'vitest';
import { ModuleBuilder, UInt, catList, emitModule } from '../../hdl/index.ts';

describe('large modules', () => {
  it('emits a memory with 300k initial values (one section of 300k lines)', () => {
    const depth = 300_000;
    const m = new ModuleBuilder('big_rom');
    const addr = m.input('addr', UInt(19));
    const q = m.output('q', UInt(8));
    const rom = m.mem('rom', UInt(8), depth, { init: Array.from({ length: depth }, (_, i) => i % 251) });
    q.set(rom.read('rom_q', addr));
    const text = emitModule(m.build());
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(depth);
    expect(lines).toContain(`    rom[${depth - 1}] = 8'd${(depth - 1) % 251};`);
    expect(text.endsWith('endmodule\n\n`default_nettype wire\n')).toBe(true);
  });

  it('catList concatenates 200k parts', () => {
    const m = new ModuleBuilder('wide_cat');
    const a = m.input('a', UInt(1));
    const y = m.output('y', UInt(200_000));
    y.set(catList(Array.from({ length: 200_000 }, () => a)));
    expect(emitModule(m.build())).toContain('assign y = {a, a, a,');
  });
});
