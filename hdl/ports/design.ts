/**
 * A design's ports as plain data: plain ports, valid/ready streams with their payload fields, the
 * memories a testbench answers, and the design under test (top, Verilog files, ports). Derived from
 * a built hdl module by `from-module.ts`, but plain data so the simulators can also run
 * hand-written Verilog.
 */
import type { FieldSpec } from '../../data/fields.ts';

export type { FieldSpec } from '../../data/fields.ts';

/**
 * A valid/ready stream. `dir: 'in'` means the DUT consumes it (ports `<name>_valid` and fields are
 * DUT inputs, `<name>_ready` is a DUT output); `dir: 'out'` is the reverse.
 * A transfer happens on a rising clock edge when valid and ready are both high.
 */
export interface StreamSpec {
  name: string;
  dir: 'in' | 'out';
  fields: FieldSpec[];
  /**
   * Explicit port names, for designs whose ports do not follow `<name>_valid`/`<name>_ready`/
   * `<name>_<field>` (AXI: `s_axis_tvalid`, `s_axi_awaddr`, ...). Absent: the convention. A field
   * missing from `fields` keeps its conventional name `<name>_<field>`.
   */
  ports?: StreamPorts;
}

/** Port names of a stream that does not follow the naming convention. */
export interface StreamPorts {
  valid: string;
  ready: string;
  /** Field name -> port name. */
  fields?: Record<string, string>;
}

/**
 * The port carrying `role` of a stream: `'valid'`, `'ready'` or a field name. Honours
 * `StreamSpec.ports`; without it, `<stream>_<role>`.
 */
export function streamPort(s: StreamSpec, role: string): string {
  if (s.ports) {
    if (role === 'valid') return s.ports.valid;
    if (role === 'ready') return s.ports.ready;
    const f = s.ports.fields?.[role];
    if (f !== undefined) return f;
  }
  return `${s.name}_${role}`;
}

/** A plain (non-stream) port, e.g. a static configuration input held constant during a run. */
export interface PortSpec {
  name: string;
  dir: 'input' | 'output';
  width: number;
  signed: boolean;
}

export interface DesignUnderTest {
  /** Top module name. */
  top: string;
  /** Absolute paths of every Verilog file of the design (one module per file). */
  files: string[];
  /** Clock port name (rising edge) and active-high synchronous reset port name. */
  clock: string;
  reset: string;
  /** Every port of the top module, including clock, reset and the stream ports. */
  ports: PortSpec[];
  streams: StreamSpec[];
  /** Memories the testbenches (Verilator and Icarus) answer; absent or empty: none. */
  memories?: MemorySpec[];
}

/**
 * A memory the testbench models behind a pair of the design's streams (see cosim/README.md,
 * "Memories"): the DUT sends read requests on `request` (a DUT output stream with an address
 * field) and receives the words on `response` (a DUT input stream with a data field), in request
 * order, after a seeded random latency. The memory's contents (the image) are a TxnTable in the
 * stimulus under `name`, one record per word with the single field `data` of `wordWidth` bits
 * (unsigned); word i is at address i. The request and response streams carry no stimulus and no
 * golden transactions: they are neither driven from files nor compared.
 */
export interface MemorySpec {
  /** Name of the memory: the stimulus key of its image, `<name>.mem.bin` in the run directory. */
  name: string;
  /** DUT output stream carrying read requests. */
  request: string;
  /** Field of `request` holding the word address (unsigned). */
  addressField: string;
  /** DUT input stream carrying the read data. */
  response: string;
  /** Field of `response` holding the word (`wordWidth` bits). */
  dataField: string;
  /** Bits per word (the width of the data field). */
  wordWidth: number;
}

/** The single field of a memory image table: `data`, `wordWidth` bits, unsigned. */
export function memoryImageFields(mem: MemorySpec): FieldSpec[] {
  return [{ name: 'data', width: mem.wordWidth, signed: false }];
}

/** Names of the streams that belong to the design's memories (not driven from or compared with files). */
export function memoryStreamNames(design: DesignUnderTest): Set<string> {
  return new Set((design.memories ?? []).flatMap((m) => [m.request, m.response]));
}

/**
 * The design as the file-driven part of the harness sees it: the same ports, minus the streams
 * that belong to memories. The design itself when it has no memories.
 */
export function withoutMemoryStreams(design: DesignUnderTest): DesignUnderTest {
  if (!design.memories?.length) return design;
  const mem = memoryStreamNames(design);
  const { memories: _m, ...rest } = design;
  return { ...rest, streams: design.streams.filter((s) => !mem.has(s.name)) };
}
