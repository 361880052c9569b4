/**
 * Consistency checks of a DesignUnderTest before a testbench is generated for it, and the split of
 * its ports into clock/reset, stream ports and plain ports. All problems are reported together.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { streamPort, type DesignUnderTest, type PortSpec, type StreamSpec } from '../../hdl/ports/design.ts';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Names that cannot be C++ members of the Verilated class as-is (C++ keywords and the names the
// testbench itself uses on the model object).
const CXX_RESERVED = new Set(
  (
    'alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t ' +
    'class compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield ' +
    'decltype default delete do double dynamic_cast else enum explicit export extern false float for friend ' +
    'goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private ' +
    'protected public register reinterpret_cast requires return short signed sizeof static static_assert ' +
    'static_cast struct switch template this thread_local throw true try typedef typeid typename union ' +
    'unsigned using virtual void volatile wchar_t while xor xor_eq eval final trace contextp rootp vlSymsp name'
  ).split(' '),
);

export class DesignError extends Error {
  override name = 'DesignError';
  readonly problems: string[];
  constructor(top: string, problems: string[]) {
    super(`design '${top}' cannot be co-simulated:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export interface PortRoles {
  /** Undefined when the port list has no clock port (a combinational module). */
  clock?: PortSpec;
  /** Undefined when the port list has no reset port. */
  reset?: PortSpec;
  /** Plain input ports (held at a static value during a run). */
  plainInputs: PortSpec[];
  /** Plain output ports (their final values are reported). */
  plainOutputs: PortSpec[];
}

/** The port of a stream's `valid`, `ready` or field `what` (honours `StreamSpec.ports`). */
export function streamPortName(s: StreamSpec, what: string): string {
  return streamPort(s, what);
}

/** Checks the design and splits its ports; throws a DesignError listing every problem. */
export function checkDesign(design: DesignUnderTest, opts: { checkFiles?: boolean } = {}): PortRoles {
  const problems: string[] = [];
  const top = design.top ?? '(unnamed)';
  if (!design.top || !IDENT.test(design.top)) problems.push(`top module name '${design.top}' is not a plain identifier`);
  if (!design.files?.length) problems.push('no Verilog files given');
  for (const f of design.files ?? []) {
    if (opts.checkFiles !== false && !existsSync(path.resolve(f))) problems.push(`Verilog file '${f}' does not exist`);
  }

  const ports = new Map<string, PortSpec>();
  for (const p of design.ports ?? []) {
    if (!IDENT.test(p.name)) problems.push(`port '${p.name}' is not a plain identifier`);
    else if (CXX_RESERVED.has(p.name)) problems.push(`port '${p.name}' collides with a C++ keyword or a Verilated model member; rename it`);
    if (ports.has(p.name)) problems.push(`port '${p.name}' is listed twice`);
    if (!Number.isInteger(p.width) || p.width < 1) problems.push(`port '${p.name}' has bad width ${p.width}`);
    if (p.dir !== 'input' && p.dir !== 'output') problems.push(`port '${p.name}' has bad direction '${p.dir as string}'`);
    ports.set(p.name, p);
  }

  const used = new Set<string>();
  const expectPort = (name: string, dir: 'input' | 'output', width: number, role: string): PortSpec | undefined => {
    const p = ports.get(name);
    if (!p) {
      problems.push(`${role}: port '${name}' (${dir}, ${width} bit${width === 1 ? '' : 's'}) is missing from the port list`);
      return undefined;
    }
    if (used.has(name)) problems.push(`${role}: port '${name}' is already used by another role`);
    used.add(name);
    if (p.dir !== dir) problems.push(`${role}: port '${name}' must be an ${dir}, the port list says ${p.dir}`);
    if (p.width !== width) problems.push(`${role}: port '${name}' is ${width} bit${width === 1 ? '' : 's'} wide, the port list says ${p.width}`);
    return p;
  };

  // A module without a clock (combinational) or without a reset port is run without driving it.
  const clock = ports.has(design.clock) ? expectPort(design.clock, 'input', 1, 'clock') : undefined;
  const reset = ports.has(design.reset) ? expectPort(design.reset, 'input', 1, 'reset') : undefined;
  if (clock && reset && clock === reset) problems.push(`clock and reset are the same port '${clock.name}'`);

  const streamNames = new Set<string>();
  for (const s of design.streams ?? []) {
    const role = `${s.dir}put stream '${s.name}'`;
    if (!IDENT.test(s.name)) problems.push(`stream name '${s.name}' is not a plain identifier`);
    if (streamNames.has(s.name)) problems.push(`stream '${s.name}' is listed twice`);
    streamNames.add(s.name);
    if (s.dir !== 'in' && s.dir !== 'out') problems.push(`${role}: bad direction '${s.dir as string}' (use 'in' or 'out')`);
    const inward = s.dir === 'in';
    expectPort(streamPortName(s, 'valid'), inward ? 'input' : 'output', 1, role);
    expectPort(streamPortName(s, 'ready'), inward ? 'output' : 'input', 1, role);
    if (s.ports !== undefined) {
      if (typeof s.ports !== 'object' || typeof s.ports.valid !== 'string' || typeof s.ports.ready !== 'string') {
        problems.push(`${role}: ports must be { valid: string; ready: string; fields?: { field: port } }`);
      }
      for (const k of Object.keys(s.ports.fields ?? {})) {
        if (!s.fields.some((f) => f.name === k)) problems.push(`${role}: ports.fields names '${k}', which is not a field of the stream`);
      }
    }
    const fieldNames = new Set<string>();
    for (const f of s.fields) {
      if (f.name === 'valid' || f.name === 'ready') problems.push(`${role}: a field may not be called '${f.name}'`);
      if (fieldNames.has(f.name)) problems.push(`${role}: field '${f.name}' is listed twice`);
      fieldNames.add(f.name);
      if (!Number.isInteger(f.width) || f.width < 1) {
        problems.push(`${role}: field '${f.name}' has bad width ${f.width}`);
        continue;
      }
      expectPort(streamPortName(s, f.name), inward ? 'input' : 'output', f.width, `${role} field '${f.name}'`);
    }
  }

  problems.push(...memoryProblems(design));

  if (problems.length) throw new DesignError(top, problems);
  const plain = [...ports.values()].filter((p) => !used.has(p.name));
  return {
    clock,
    reset,
    plainInputs: plain.filter((p) => p.dir === 'input'),
    plainOutputs: plain.filter((p) => p.dir === 'output'),
  };
}

/** Problems with the design's memories (see `MemorySpec`): each names the memory. */
function memoryProblems(design: DesignUnderTest): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const used = new Map<string, string>();
  for (const m of design.memories ?? []) {
    const role = `memory '${m.name}'`;
    if (!IDENT.test(m.name)) problems.push(`memory name '${m.name}' is not a plain identifier`);
    if (names.has(m.name)) problems.push(`${role} is listed twice`);
    names.add(m.name);
    if (design.streams.some((s) => s.name === m.name)) problems.push(`${role}: the name is also a stream's name`);
    if (!Number.isInteger(m.wordWidth) || m.wordWidth < 1) problems.push(`${role}: bad word width ${m.wordWidth}`);
    const check = (stream: string, dir: 'in' | 'out', field: string, what: string): void => {
      const s = design.streams.find((x) => x.name === stream);
      if (!s) {
        problems.push(`${role}: ${what} stream '${stream}' is not a stream of the design`);
        return;
      }
      if (used.has(stream)) problems.push(`${role}: stream '${stream}' is already used by memory '${used.get(stream)}'`);
      used.set(stream, m.name);
      if (s.dir !== dir) problems.push(`${role}: ${what} stream '${stream}' must be a DUT ${dir}put stream`);
      const f = s.fields.find((x) => x.name === field);
      if (!f) {
        problems.push(`${role}: ${what} stream '${stream}' has no field '${field}'`);
        return;
      }
      if (f.signed) problems.push(`${role}: field '${stream}.${field}' must be unsigned`);
      if (what === 'response' && f.width !== m.wordWidth) problems.push(`${role}: field '${stream}.${field}' is ${f.width} bits, the word width is ${m.wordWidth}`);
      if (what === 'request' && f.width > 64) problems.push(`${role}: address field '${stream}.${field}' is wider than 64 bits`);
    };
    check(m.request, 'out', m.addressField, 'request');
    check(m.response, 'in', m.dataField, 'response');
  }
  return problems;
}
