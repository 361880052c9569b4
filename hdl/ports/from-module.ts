/**
 * A DesignUnderTest from a built hdl module: its Verilog written to a directory and its streams
 * found by the port naming convention (`<s>_valid`, `<s>_ready`, `<s>_<field>`).
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
 * Writes the module's Verilog into `dir` and describes it for the harness. `memories`: the memories
 * the testbench answers behind some of the module's streams (see `MemorySpec`); none by default.
 */
export function designFromModule(top: Module, dir: string, memories?: readonly MemorySpec[]): DesignUnderTest {
  const files = writeDesign(top, dir).map((w) => w.path);
  const ports = portsOf(top);
  const design: DesignUnderTest = { top: top.name, files, clock: 'clock', reset: 'reset', ports, streams: streamsOf(ports) };
  if (memories?.length) design.memories = memories.map((m) => ({ ...m }));
  return design;
}
