// Interfaces as values: streams declared with streamIn/streamOut (and the FIFO and skid buffer
// built on them) are recorded in the module; the harness reads them, and they agree with what the
// port names say for every unit.
import { describe, expect, it } from 'vitest';
import { Bool, ModuleBuilder, UInt } from '../../hdl/index.ts';
import { fifoModule, skidBufferModule, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { portsOf, streamsOf, streamsOfModule } from '../../hdl/ports/from-module.ts';
import { units } from '../../gen/registry.ts';

describe('stream interfaces', () => {
  it('streamIn/streamOut record a stream bundle with its payload fields', () => {
    const m = new ModuleBuilder('kv_bundle_demo');
    const a = streamIn(m, 'a', { x: UInt(3), last: Bool });
    const q = streamOut(m, 'q', { y: UInt(3) });
    q.valid.set(a.valid);
    q.bits.y.set(a.bits.x);
    a.ready.set(q.ready);
    const mod = m.build();
    expect(mod.interfaces).toEqual([
      { kind: 'stream', name: 'a', dir: 'in', valid: 'a_valid', ready: 'a_ready', fields: [{ name: 'x', port: 'a_x' }, { name: 'last', port: 'a_last' }] },
      { kind: 'stream', name: 'q', dir: 'out', valid: 'q_valid', ready: 'q_ready', fields: [{ name: 'y', port: 'q_y' }] },
    ]);
  });

  it('the FIFO and the skid buffer declare their ports as two streams', () => {
    for (const mod of [fifoModule(8, 4), skidBufferModule(8)]) {
      expect(mod.interfaces?.map((b) => `${b.kind} ${b.name}`)).toEqual(['stream in', 'stream out']);
      expect(mod.ports.map((p) => p.name)).toEqual(['in_valid', 'in_ready', 'in_data', 'out_valid', 'out_ready', 'out_data']);
    }
  });

  it('a bundle naming a port that does not exist is refused', () => {
    const m = new ModuleBuilder('kv_bundle_bad');
    expect(() => m.bundle({ kind: 'stream', name: 's', dir: 'in', valid: 's_valid', ready: 's_ready', fields: [] })).toThrow(/names ports that do not exist: s_valid, s_ready/);
  });

  it.each(units.map((u) => [u.name, u] as const))('%s (default config): the recorded streams are the ones the port names give', (_name, unit) => {
    const top = unit.build(unit.schema.parse({}));
    expect(streamsOfModule(top)).toEqual(streamsOf(portsOf(top)));
  });
});
