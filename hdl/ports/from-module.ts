/**
 * A DesignUnderTest from a built hdl module: its Verilog written to a directory and its streams read
 * from the module's recorded interfaces (`Module.interfaces`, `hdl/core/bundle.ts`); streams of
 * ports declared by hand are found by the naming convention (`<s>_valid`, `<s>_ready`, `<s>_<field>`).
 */
import { writeDesign, type Module } from '../index.ts';
import type { DesignUnderTest, MemorySpec, PortSpec, StreamSpec } from './design.ts';

/** Port list of a module, clock and reset included. */
export function portsOf(m: Module): PortSpec[] {
  const ports: PortSpec[] = [];
  if (m.usesClock) ports.push({ name: 'clock', dir: 'input', width: 1, signed: false });
  if (m.usesReset) ports.push({ name: 'reset', dir: 'input', width: 1, signed: false });
  for (const p of m.ports) ports.push({ name: p.name, dir: p.kind === 'input' ? 'input' : 'output', width: p.type.width, signed: p.type.signed });
  return ports;
}

/** Streams by naming convention: a `<s>_valid`/`<s>_ready` pair in opposite directions plus its `<s>_*` fields. */
export function streamsOf(ports: readonly PortSpec[]): StreamSpec[] {
  const byName = new Map(ports.map((p) => [p.name, p]));
  const streams: StreamSpec[] = [];
  for (const p of ports) {
    if (!p.name.endsWith('_valid') || p.width !== 1) continue;
    const s = p.name.slice(0, -'_valid'.length);
    const ready = byName.get(`${s}_ready`);
    if (!ready || ready.dir === p.dir || ready.width !== 1) continue;
    const fieldDir = p.dir;
    const fields = ports
      .filter((q) => q.name.startsWith(`${s}_`) && q !== p && q !== ready && q.dir === fieldDir)
      .filter((q) => !ports.some((o) => o !== p && o.name.endsWith('_valid') && o.name.length > p.name.length && q.name.startsWith(o.name.slice(0, -'valid'.length))))
      .map((q) => ({ name: q.name.slice(s.length + 1), width: q.width, signed: q.signed }));
    streams.push({ name: s, dir: p.dir === 'input' ? 'in' : 'out', fields });
  }
  return streams;
}

/**
 * The module's streams: its stream interfaces, plus any `<s>_valid`/`<s>_ready` port group outside
 * them found by name (`streamsOf`), in the order of their valid ports.
 */
export function streamsOfModule(m: Module, ports: readonly PortSpec[] = portsOf(m)): StreamSpec[] {
  const byName = new Map(ports.map((p) => [p.name, p]));
  const bundles = (m.interfaces ?? []).filter((b) => b.kind === 'stream');
  const streams: { valid: string; spec: StreamSpec }[] = bundles.map((b) => {
    const fields = b.fields.map((f) => ({ name: f.name, width: byName.get(f.port)!.width, signed: byName.get(f.port)!.signed }));
    const conventional = b.valid === `${b.name}_valid` && b.ready === `${b.name}_ready` && b.fields.every((f) => f.port === `${b.name}_${f.name}`);
    const named = conventional ? {} : { ports: { valid: b.valid, ready: b.ready, fields: Object.fromEntries(b.fields.map((f) => [f.name, f.port])) } };
    return { valid: b.valid, spec: { name: b.name, dir: b.dir, fields, ...named } };
  });
  const claimed = new Set(bundles.flatMap((b) => [b.valid, b.ready, ...b.fields.map((f) => f.port)]));
  for (const s of streamsOf(ports)) {
    if (!claimed.has(`${s.name}_valid`)) streams.push({ valid: `${s.name}_valid`, spec: s });
  }
  const order = new Map(ports.map((p, i) => [p.name, i]));
  return streams.sort((a, b) => order.get(a.valid)! - order.get(b.valid)!).map((s) => s.spec);
}

/**
 * Writes the module's Verilog into `dir` and describes it for the harness. `memories`: the memories
 * the testbench answers behind some of the module's streams (see `MemorySpec`); none by default.
 */
export function designFromModule(top: Module, dir: string, memories?: readonly MemorySpec[]): DesignUnderTest {
  const files = writeDesign(top, dir).map((w) => w.path);
  const ports = portsOf(top);
  const design: DesignUnderTest = { top: top.name, files, clock: 'clock', reset: 'reset', ports, streams: streamsOfModule(top, ports) };
  if (memories?.length) design.memories = memories.map((m) => ({ ...m }));
  return design;
}
