/**
 * AXI4-Stream wrapper for hand-off: `<unit top>_axis` around a built unit whose streams follow the
 * `<s>_valid`/`<s>_ready`/`<s>_<field>` convention. See fpga/axi/README.md.
 *
 *   const w = axisWrapper(minmaxRtl(cfg));
 *   writeDesign(w.module, dir);                 // kv_minmax_p8_w16_s1_axis.v + the unit + skid buffers
 *   const dut = axisDesign(w, dir);             // DesignUnderTest with AXI port names for the harness
 *   const golden = axisGolden(w, (ins) => minmaxGolden(cfg, ins));
 *
 * Per unit input stream `s`: `s_axis_tdata`, `s_axis_tvalid`, `s_axis_tready`, `s_axis_tlast`
 * (`s_axis_<s>_t*` when the unit has several input streams); per output stream `m_axis_*` likewise.
 * tdata packs the stream's fields other than `last` in port order, the first field in the least
 * significant bits (the stdlib `pack` order), zero-padded to a multiple of 8 bits (at least 8). A
 * 1-bit field named `last` maps to tlast; an output stream without it drives tlast = 1; an input
 * stream without it ignores tlast. A skid buffer sits on every AXI port, so tready/tvalid/tdata/tlast
 * are register outputs and there is no combinational path from any input to any output.
 * Clock `clock`, synchronous active-high `reset` (the DSL's implicit ones): see the README.
 */
import { Bool, HType, ModuleBuilder, UInt, cat, lit, type Expr, type Module } from '../../hdl/index.ts';
import { pack, skidBuffer, unpack, type Fields, type Payload, type Source } from '../../hdl/lib/index.ts';
import type { DesignUnderTest, FieldSpec, StreamSpec } from '../../hdl/ports/design.ts';
import { portsOf, streamsOfModule } from '../../hdl/ports/from-module.ts';
import { writeDesign } from '../../hdl/index.ts';
import { TxnTable } from '../../data/transactions.ts';

/** Where a unit field sits in tdata. */
export interface AxisField {
  name: string;
  width: number;
  signed: boolean;
  /** Least significant bit of the field in tdata. */
  lo: number;
}

/** One AXI4-Stream port of the wrapper and the unit stream behind it. */
export interface AxisPort {
  /** The unit's stream name (`in`, `out`, ...). */
  stream: string;
  /** 'in': slave port (`s_axis*`), the unit consumes it; 'out': master port (`m_axis*`). */
  dir: 'in' | 'out';
  /** Port name prefix: `s_axis`, `m_axis`, `s_axis_<stream>`, `m_axis_<stream>`. */
  prefix: string;
  /** tdata width: the packed fields rounded up to a multiple of 8 (at least 8). */
  tdataWidth: number;
  /** The unit's fields packed into tdata (all but `last`), in unit port order. */
  fields: AxisField[];
  /** The unit stream has a 1-bit `last` field, carried by tlast. */
  hasLast: boolean;
}

export interface AxisWrapper {
  /** The wrapper module `<unit>_axis`. */
  module: Module;
  unit: Module;
  ports: AxisPort[];
}

export interface AxisWrapperOptions {
  /** Wrapper module name (default `<unit top>_axis`). */
  name?: string;
}

const isLast = (f: FieldSpec): boolean => f.name === 'last' && f.width === 1;

/** The AXI4-Stream layout of a unit's streams (no hardware; `axisWrapper` uses it). */
export function axisLayout(unit: Module): AxisPort[] {
  const streams = streamsOfModule(unit);
  if (streams.length === 0) throw new Error(`axisWrapper: '${unit.name}' has no valid/ready streams`);
  const nIn = streams.filter((s) => s.dir === 'in').length;
  const nOut = streams.length - nIn;
  return streams.map((s) => {
    const base = s.dir === 'in' ? 's_axis' : 'm_axis';
    const prefix = (s.dir === 'in' ? nIn : nOut) > 1 ? `${base}_${s.name}` : base;
    let lo = 0;
    const fields: AxisField[] = [];
    for (const f of s.fields) {
      if (isLast(f)) continue;
      fields.push({ name: f.name, width: f.width, signed: f.signed, lo });
      lo += f.width;
    }
    return { stream: s.name, dir: s.dir, prefix, tdataWidth: Math.max(8, Math.ceil(lo / 8) * 8), fields, hasLast: s.fields.some(isLast) };
  });
}

/** Builds `<unit>_axis`: the unit with a skid-buffered AXI4-Stream port per stream. */
export function axisWrapper(unit: Module, opts: AxisWrapperOptions = {}): AxisWrapper {
  const ports = axisLayout(unit);
  const m = new ModuleBuilder(opts.name ?? `${unit.name}_axis`, {
    doc: `AXI4-Stream wrapper of ${unit.name}: ${ports.map((p) => `${p.prefix} <-> ${p.stream}`).join(', ')}`,
  });
  const u = m.instance('unit', unit);
  const typeOf = (stream: string, field: string): HType => {
    const p = unit.ports.find((q) => q.name === `${stream}_${field}`);
    if (!p) throw new Error(`axisWrapper: '${unit.name}' has no port '${stream}_${field}'`);
    return p.type;
  };

  for (const p of ports) {
    // The unit's payload (all fields, `last` included), typed as the unit's ports.
    const unitFields: Fields = {};
    for (const f of p.fields) unitFields[f.name] = typeOf(p.stream, f.name);
    if (p.hasLast) unitFields.last = Bool;
    const dataFields: Fields = Object.fromEntries(p.fields.map((f) => [f.name, unitFields[f.name]]));
    const dataWidth = p.fields.reduce((n, f) => n + f.width, 0);

    if (p.dir === 'in') {
      const tvalid = m.input(`${p.prefix}_tvalid`, Bool);
      const tready = m.output(`${p.prefix}_tready`, Bool);
      const tdata = m.input(`${p.prefix}_tdata`, UInt(p.tdataWidth));
      const tlast = m.input(`${p.prefix}_tlast`, Bool);
      const bits = (dataWidth > 0 ? unpack(dataFields, tdata.slice(dataWidth - 1, 0)) : {}) as Payload<Fields>;
      if (p.hasLast) bits.last = tlast;
      const src: Source<Fields> = { fields: unitFields, valid: tvalid, ready: tready, bits };
      const buf = skidBuffer(m, `${p.prefix}_skid`, src);
      u.port(`${p.stream}_valid`).set(buf.valid);
      buf.ready.set(u.port(`${p.stream}_ready`));
      for (const k of Object.keys(unitFields)) u.port(`${p.stream}_${k}`).set(buf.bits[k]);
    } else {
      const tvalid = m.output(`${p.prefix}_tvalid`, Bool);
      const tready = m.input(`${p.prefix}_tready`, Bool);
      const tdata = m.output(`${p.prefix}_tdata`, UInt(p.tdataWidth));
      const tlast = m.output(`${p.prefix}_tlast`, Bool);
      const bits = {} as Payload<Fields>;
      for (const k of Object.keys(unitFields)) bits[k] = u.port(`${p.stream}_${k}`);
      const src: Source<Fields> = { fields: unitFields, valid: u.port(`${p.stream}_valid`), ready: u.port(`${p.stream}_ready`), bits };
      const buf = skidBuffer(m, `${p.prefix}_skid`, src);
      tvalid.set(buf.valid);
      buf.ready.set(tready);
      let data: Expr = lit(UInt(p.tdataWidth), 0);
      if (dataWidth > 0) {
        const packed = pack(dataFields, buf.bits);
        data = dataWidth < p.tdataWidth ? cat(lit(UInt(p.tdataWidth - dataWidth), 0), packed) : packed;
      }
      tdata.set(data);
      tlast.set(p.hasLast ? buf.bits.last : lit(Bool, 1));
    }
  }
  return { module: m.build(), unit, ports };
}

// ---- co-simulation helpers ------------------------------------------------------------------

/** The record layout the harness uses for an AXI4-Stream port: `tdata`, `tlast`. */
export function axisFieldSpecs(p: AxisPort): FieldSpec[] {
  return [
    { name: 'tdata', width: p.tdataWidth, signed: false },
    { name: 'tlast', width: 1, signed: false },
  ];
}

/** The harness's stream descriptions of the wrapper's ports (named by prefix, with AXI port names). */
export function axisStreamSpecs(w: AxisWrapper): StreamSpec[] {
  return w.ports.map((p) => ({
    name: p.prefix,
    dir: p.dir,
    fields: axisFieldSpecs(p),
    ports: { valid: `${p.prefix}_tvalid`, ready: `${p.prefix}_tready`, fields: { tdata: `${p.prefix}_tdata`, tlast: `${p.prefix}_tlast` } },
  }));
}

/** Writes the wrapper's Verilog into `dir` and describes it for the harness. */
export function axisDesign(w: AxisWrapper, dir: string): DesignUnderTest {
  const files = writeDesign(w.module, dir).map((f) => f.path);
  return { top: w.module.name, files, clock: 'clock', reset: 'reset', ports: portsOf(w.module), streams: axisStreamSpecs(w) };
}

/** Unit records of stream `p.stream` -> AXI4-Stream records (`tdata`, `tlast`). */
export function toAxis(p: AxisPort, t: TxnTable): TxnTable {
  const out = new TxnTable(axisFieldSpecs(p), t.count);
  for (let i = 0; i < t.count; i++) {
    let d = 0n;
    for (const f of p.fields) d |= BigInt.asUintN(f.width, t.get(i, f.name)) << BigInt(f.lo);
    out.set(i, 'tdata', d);
    out.set(i, 'tlast', p.hasLast ? t.get(i, 'last') : p.dir === 'out' ? 1n : 0n);
  }
  return out;
}

/** AXI4-Stream records -> unit records of stream `p.stream` (padding bits ignored; tlast dropped without `last`). */
export function fromAxis(p: AxisPort, t: TxnTable): TxnTable {
  const specs: FieldSpec[] = p.fields.map((f) => ({ name: f.name, width: f.width, signed: f.signed }));
  if (p.hasLast) specs.push({ name: 'last', width: 1, signed: false });
  const out = new TxnTable(specs, t.count);
  for (let i = 0; i < t.count; i++) {
    const d = t.get(i, 'tdata');
    for (const f of p.fields) {
      const raw = BigInt.asUintN(f.width, d >> BigInt(f.lo));
      out.set(i, f.name, f.signed ? BigInt.asIntN(f.width, raw) : raw);
    }
    if (p.hasLast) out.set(i, 'last', t.get(i, 'tlast'));
  }
  return out;
}

/** A golden model of the wrapper from the unit's: unpack tdata, run the unit model, pack its outputs. */
export function axisGolden(
  w: AxisWrapper,
  unitGolden: (inputs: Record<string, TxnTable>) => Record<string, TxnTable>,
): (inputs: Record<string, TxnTable>) => Record<string, TxnTable> {
  return (inputs) => {
    const unitIn: Record<string, TxnTable> = {};
    for (const p of w.ports.filter((q) => q.dir === 'in')) unitIn[p.stream] = fromAxis(p, inputs[p.prefix]);
    const unitOut = unitGolden(unitIn);
    const out: Record<string, TxnTable> = {};
    for (const p of w.ports.filter((q) => q.dir === 'out')) out[p.prefix] = toAxis(p, unitOut[p.stream]);
    return out;
  };
}

/** Unit stimulus -> AXI4-Stream stimulus (tlast = the unit's `last`, 0 when it has none). */
export function axisStimulus(w: AxisWrapper, unitInputs: Record<string, TxnTable>): Record<string, TxnTable> {
  const out: Record<string, TxnTable> = {};
  for (const p of w.ports.filter((q) => q.dir === 'in')) out[p.prefix] = toAxis(p, unitInputs[p.stream]);
  return out;
}
