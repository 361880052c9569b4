/**
 * AXI4-Lite register file generator (32-bit data). See fpga/axi/README.md for the port list, the
 * register map format and the exact semantics; `axilModel` below is its executable form.
 *
 *   const rf = axilRegfile({ name: 'kv_minmax_regs', registers: [
 *     { name: 'ctrl', offset: 0x0, access: 'rw', width: 8, reset: 1 },
 *     { name: 'status', offset: 0x4, access: 'ro', width: 16 },
 *     { name: 'irq', offset: 0x8, access: 'w1c', width: 4 },
 *   ] });
 *   rf.module  // ports s_axi_* + `ctrl` (output), `status` (input), `irq` (output), `irq_set` (input)
 *
 * Timing: AW and W are each captured in a holding register (awready = !aw_full, wready = !w_full);
 * once both are held and no B response is pending, the write is performed and BVALID rises on the
 * same edge (so the register outputs show the new value exactly when BVALID is first high). A read
 * is performed on the AR handshake and RVALID rises on that edge (arready = !rvalid). One
 * transaction per channel is outstanding at a time. Every output is a register output: no
 * combinational path from any input to any output.
 */
import { z } from 'zod';
import { Bool, ModuleBuilder, UInt, cat, lit, log2Ceil, mux, type Expr, type Module, type Var } from '../../hdl/index.ts';
import { nameProblem } from '../../hdl/core/names.ts';
import type { DesignUnderTest, PortSpec, StreamSpec } from '../../hdl/ports/design.ts';
import { portsOf } from '../../hdl/ports/from-module.ts';
import { axiChannelStreams } from '../../hdl/ports/axi-streams.ts';
import { axiLitePorts } from '../../hdl/lib/index.ts';
import { writeDesign } from '../../hdl/index.ts';
import { TxnTable } from '../../data/transactions.ts';

export const RESP_OKAY = 0n;
export const RESP_SLVERR = 2n;

const intLike = z.union([z.number().int(), z.bigint()]);

export const registerSchema = z.strictObject({
  name: z.string().describe('register name: the unit-side port name'),
  offset: z.number().int().min(0).describe('byte offset, a multiple of 4'),
  access: z.enum(['rw', 'ro', 'w1c']).describe('rw: written by the bus, an output; ro: an input read by the bus; w1c: set by hardware, cleared by writing 1'),
  width: z.number().int().min(1).max(32).default(32).describe('bits, 1..32 (register bits [width-1:0] of the 32-bit word)'),
  reset: intLike.default(0).describe('value after reset (rw, w1c); unused for ro'),
  doc: z.string().optional().describe('one line for the README/IP packaging'),
});

export const regMapSchema = z
  .strictObject({
    name: z.string().describe('module name'),
    addrWidth: z.number().int().min(3).max(32).optional().describe('width of s_axi_awaddr/araddr (default: enough for the highest offset, at least 4)'),
    registers: z.array(registerSchema).min(1),
  })
  .superRefine((m, ctx) => {
    const names = new Set<string>();
    const offsets = new Map<number, string>();
    const maxOff = Math.max(...m.registers.map((r) => r.offset));
    const aw = m.addrWidth ?? Math.max(4, log2Ceil(maxOff + 4));
    const bad = (i: number, field: string, message: string) => ctx.addIssue({ code: 'custom', path: ['registers', i, field], message });
    const np = nameProblem(m.name);
    if (np) ctx.addIssue({ code: 'custom', path: ['name'], message: np });
    m.registers.forEach((r, i) => {
      const p = nameProblem(r.name);
      if (p) bad(i, 'name', p);
      if (/^(s_axi_|axil_)/.test(r.name) || r.name === 'clock' || r.name === 'reset') bad(i, 'name', `'${r.name}' is reserved (s_axi_*, axil_*, clock, reset)`);
      for (const n of r.access === 'w1c' ? [r.name, `${r.name}_set`] : [r.name]) {
        if (names.has(n)) bad(i, 'name', `port name '${n}' is used twice`);
        names.add(n);
      }
      if (r.offset % 4 !== 0) bad(i, 'offset', `must be a multiple of 4, got 0x${r.offset.toString(16)}`);
      if (r.offset >= 2 ** aw) bad(i, 'offset', `0x${r.offset.toString(16)} does not fit the ${aw}-bit address`);
      const other = offsets.get(r.offset);
      if (other !== undefined) bad(i, 'offset', `0x${r.offset.toString(16)} is also the offset of '${other}'`);
      offsets.set(r.offset, r.name);
      const v = BigInt(r.reset);
      if (v < 0n || v >= 1n << BigInt(r.width)) bad(i, 'reset', `${v} does not fit ${r.width} unsigned bits`);
    });
  });

export type RegMapInput = z.input<typeof regMapSchema>;
export type RegMap = z.output<typeof regMapSchema> & { addrWidth: number };
export type RegDef = RegMap['registers'][number];

/** Validates a register map (zod messages, one line per problem) and fills defaults. */
export function parseRegMap(input: RegMapInput): RegMap {
  const r = regMapSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(map)'}: ${i.message}`);
    throw new Error(`register map: ${lines.length} problem(s):\n  ${lines.join('\n  ')}`);
  }
  const maxOff = Math.max(...r.data.registers.map((x) => x.offset));
  return { ...r.data, addrWidth: r.data.addrWidth ?? Math.max(4, log2Ceil(maxOff + 4)) };
}

export interface AxilRegfile {
  module: Module;
  map: RegMap;
}

/** Per byte lane k of a `width`-bit register: [hi, lo] bit range, or nothing past the width. */
function byteLanes(width: number): [number, number][] {
  const out: [number, number][] = [];
  for (let lo = 0; lo < width; lo += 8) out.push([Math.min(lo + 7, width - 1), lo]);
  return out;
}

/** Builds the register file module. */
export function axilRegfile(input: RegMapInput): AxilRegfile {
  const map = parseRegMap(input);
  const A = map.addrWidth;
  const m = new ModuleBuilder(map.name, {
    params: { addr_width: A, registers: map.registers.length },
    doc: `AXI4-Lite register file: ${map.registers.map((r) => `${r.name}@0x${r.offset.toString(16)} ${r.access}${r.width}`).join(', ')}`,
  });

  // ---- ports (AXI order: AW, W, B, AR, R; then the registers in map order) ----
  const { outputs: o, inputs: i } = axiLitePorts(m, 's_axi', 'slave', { addrBits: A, dataBits: 32 }); // awprot, arprot ignored
  const [awaddr, awvalid, awready] = [i.awaddr, i.awvalid, o.awready];
  const [wdata, wstrb, wvalid, wready] = [i.wdata, i.wstrb, i.wvalid, o.wready];
  const [bresp, bvalid, bready] = [o.bresp, o.bvalid, i.bready];
  const [araddr, arvalid, arready] = [i.araddr, i.arvalid, o.arready];
  const [rdata, rresp, rvalid, rready] = [o.rdata, o.rresp, o.rvalid, i.rready];

  const value = new Map<string, Expr>(); // current value of each register, as the bus reads it
  const regs = new Map<string, Var>();
  const setIn = new Map<string, Expr>();
  for (const r of map.registers) {
    const t = UInt(r.width);
    if (r.access === 'ro') {
      value.set(r.name, m.input(r.name, t));
    } else {
      const out = m.output(r.name, t);
      const q = m.reg(`axil_${r.name}_q`, t, { reset: BigInt(r.reset) });
      out.set(q);
      regs.set(r.name, q);
      value.set(r.name, q);
      if (r.access === 'w1c') setIn.set(r.name, m.input(`${r.name}_set`, t));
    }
  }

  // ---- write channels: AW and W holding registers, performed together ----
  const awFull = m.reg('axil_aw_full', Bool, { reset: 0 });
  const awAddr = m.reg('axil_aw_addr', UInt(A));
  const wFull = m.reg('axil_w_full', Bool, { reset: 0 });
  const wData = m.reg('axil_w_data', UInt(32));
  const wStrb = m.reg('axil_w_strb', UInt(4));
  const bValid = m.reg('axil_b_valid', Bool, { reset: 0 });
  const bResp = m.reg('axil_b_resp', UInt(2), { reset: 0 });
  awready.set(awFull.not());
  wready.set(wFull.not());
  bvalid.set(bValid);
  bresp.set(bResp);
  m.when(awvalid.and(awFull.not()), () => {
    awFull.set(1);
    awAddr.set(awaddr);
  });
  m.when(wvalid.and(wFull.not()), () => {
    wFull.set(1);
    wData.set(wdata);
    wStrb.set(wstrb);
  });
  const doWrite = m.wire('axil_do_write', awFull.and(wFull).and(bValid.not()));
  const wordOf = (addr: Expr) => addr.slice(A - 1, 2);
  const hitW = (r: RegDef) => wordOf(awAddr).eq(r.offset / 4);
  const writable = map.registers.filter((r) => r.access !== 'ro');
  const writeOk = m.wire('axil_write_ok', writable.length ? writable.map(hitW).reduce((a, b) => a.or(b)) : lit(Bool, 0));
  m.when(doWrite, () => {
    awFull.set(0);
    wFull.set(0);
    bValid.set(1);
    bResp.set(mux(writeOk, lit(UInt(2), RESP_OKAY), lit(UInt(2), RESP_SLVERR)));
  });
  m.when(bValid.and(bready), () => bValid.set(0));

  for (const r of writable) {
    const q = regs.get(r.name)!;
    const we = m.wire(`axil_${r.name}_we`, doWrite.and(hitW(r)));
    const lanes = byteLanes(r.width);
    if (r.access === 'rw') {
      // byte lane k takes wdata when wstrb[k], else keeps its bits
      const parts = lanes.map(([hi, lo], k) => mux(wStrb.bit(k), wData.slice(hi, lo), q.slice(hi, lo)));
      const merged = m.wire(`axil_${r.name}_wr`, cat(...parts.reverse()));
      m.when(we, () => q.set(merged));
    } else {
      // w1c: written ones (in strobed bytes) clear; the hardware set input wins over a clear
      const parts = lanes.map(([hi, lo], k) => mux(we.and(wStrb.bit(k)), wData.slice(hi, lo), lit(UInt(hi - lo + 1), 0)));
      const clr = m.wire(`axil_${r.name}_clr`, cat(...parts.reverse()));
      q.set(q.and(clr.not()).or(setIn.get(r.name)!));
    }
  }

  // ---- read channel: performed on the AR handshake ----
  const rValid = m.reg('axil_r_valid', Bool, { reset: 0 });
  const rData = m.reg('axil_r_data', UInt(32), { reset: 0 });
  const rResp = m.reg('axil_r_resp', UInt(2), { reset: 0 });
  arready.set(rValid.not());
  rvalid.set(rValid);
  rdata.set(rData);
  rresp.set(rResp);
  const hitR = map.registers.map((r) => wordOf(araddr).eq(r.offset / 4));
  const readOk = m.wire('axil_read_ok', hitR.reduce((a, b) => a.or(b)));
  const readData = m.wire(
    'axil_read_data',
    map.registers
      .map((r, i) => {
        const v = value.get(r.name)!;
        return mux(hitR[i], r.width < 32 ? v.zext(32) : v, lit(UInt(32), 0));
      })
      .reduce((a, b) => a.or(b)),
  );
  m.when(arvalid.and(rValid.not()), () => {
    rValid.set(1);
    rData.set(readData);
    rResp.set(mux(readOk, lit(UInt(2), RESP_OKAY), lit(UInt(2), RESP_SLVERR)));
  });
  m.when(rValid.and(rready), () => rValid.set(0));

  return { module: m.build(), map };
}

// ---- co-simulation helpers and golden model ---------------------------------------------------

/** Harness streams of the five AXI4-Lite channels: aw {addr, prot}, w {data, strb}, b {resp}, ar {addr, prot}, r {data, resp}. */
export function axilStreamSpecs(map: RegMap): StreamSpec[] {
  return axiChannelStreams('axi4-lite', 's_axi', 'slave', { addrBits: map.addrWidth, dataBits: 32 });
}

/** Writes the register file's Verilog into `dir` and describes it for the harness. */
export function axilDesign(rf: AxilRegfile, dir: string): DesignUnderTest {
  const files = writeDesign(rf.module, dir).map((f) => f.path);
  const ports: PortSpec[] = portsOf(rf.module);
  return { top: rf.module.name, files, clock: 'clock', reset: 'reset', ports, streams: axilStreamSpecs(rf.map) };
}

/** The register file's semantics, one transaction at a time (what `axilRegfile` implements). */
export class AxilModel {
  readonly values = new Map<string, bigint>();
  constructor(
    readonly map: RegMap,
    /** Values of ro registers and of w1c `<name>_set` inputs (held constant). */
    readonly inputs: Record<string, bigint> = {},
  ) {
    for (const r of map.registers) {
      if (r.access === 'ro') this.values.set(r.name, BigInt.asUintN(r.width, inputs[r.name] ?? 0n));
      else this.values.set(r.name, BigInt(r.reset));
    }
  }
  private find(addr: bigint): RegDef | undefined {
    const word = Number(BigInt.asUintN(this.map.addrWidth, addr) >> 2n);
    return this.map.registers.find((r) => r.offset / 4 === word);
  }
  /** The hardware-set bits of a w1c register (applied every cycle after reset). */
  private setBits(r: RegDef): bigint {
    return r.access === 'w1c' ? BigInt.asUintN(r.width, this.inputs[`${r.name}_set`] ?? 0n) : 0n;
  }
  /** A write; returns BRESP. */
  write(addr: bigint, data: bigint, strb: bigint): bigint {
    const r = this.find(addr);
    if (!r || r.access === 'ro') return RESP_SLVERR;
    let mask = 0n;
    for (let k = 0n; k < 4n; k++) if ((strb >> k) & 1n) mask |= 0xffn << (8n * k);
    mask = BigInt.asUintN(r.width, mask);
    const old = this.values.get(r.name)!;
    const d = BigInt.asUintN(r.width, data);
    const next = r.access === 'rw' ? (old & ~mask) | (d & mask) : (old & ~(d & mask)) | this.setBits(r);
    this.values.set(r.name, BigInt.asUintN(r.width, next));
    return RESP_OKAY;
  }
  /** A read; returns [RDATA, RRESP]. */
  read(addr: bigint): [bigint, bigint] {
    const r = this.find(addr);
    return r ? [this.values.get(r.name)!, RESP_OKAY] : [0n, RESP_SLVERR];
  }
  /** Final register values as the unit-side outputs show them, after at least one cycle out of reset. */
  finalOutputs(): Record<string, bigint> {
    const out: Record<string, bigint> = {};
    for (const r of this.map.registers) if (r.access !== 'ro') out[r.name] = this.values.get(r.name)! | this.setBits(r);
    return out;
  }
}

/**
 * Golden model for the harness: write i pairs AW i with W i, in order; every read is answered from
 * the state *before any write* (so a stimulus must only read registers that no write of the run
 * changes; `axilFinal` checks the written values).
 */
export function axilGolden(map: RegMap, inputs: Record<string, bigint> = {}) {
  return (ins: Record<string, TxnTable>): Record<string, TxnTable> => {
    const specs = axilStreamSpecs(map);
    const before = new AxilModel(map, inputs);
    const model = new AxilModel(map, inputs);
    const n = Math.min(ins.aw.count, ins.w.count);
    const b = new TxnTable(specs[2].fields, n);
    for (let i = 0; i < n; i++) b.set(i, 'resp', model.write(ins.aw.get(i, 'addr'), ins.w.get(i, 'data'), ins.w.get(i, 'strb')));
    const r = new TxnTable(specs[4].fields, ins.ar.count);
    for (let i = 0; i < ins.ar.count; i++) {
      const [d, resp] = before.read(ins.ar.get(i, 'addr'));
      r.set(i, 'data', d);
      r.set(i, 'resp', resp);
    }
    return { b, r };
  };
}

/** Register outputs after all writes of `ins` (AW i with W i, in order). */
export function axilFinal(map: RegMap, ins: Record<string, TxnTable>, inputs: Record<string, bigint> = {}): Record<string, bigint> {
  const model = new AxilModel(map, inputs);
  for (let i = 0; i < Math.min(ins.aw.count, ins.w.count); i++) model.write(ins.aw.get(i, 'addr'), ins.w.get(i, 'data'), ins.w.get(i, 'strb'));
  return model.finalOutputs();
}

/** A read whose data no legal write-visibility timing explains. */
export interface ReadOrderProblem {
  index: number;
  addr: bigint;
  cycle: number;
  got: [bigint, bigint];
  /** Write counts k the read may have observed (writes 0..k-1 visible), and the data each gives. */
  allowed: { writes: number; data: bigint; resp: bigint }[];
  message: string;
}

/**
 * Checks reads of mixed read/write traffic (reads of registers that writes of the same run change)
 * against the recorded timing: a read whose AR handshake was at cycle `ar[i]` must return the state
 * after writes 0..k-1 for some k with  #{writes whose BVALID rose at or before ar[i]} <= k <=
 * #{writes whose AW and W were both accepted before ar[i]}  (a write is visible no later than its
 * B response and never before both of its handshakes). Inputs: the stimulus, the cycle files of
 * the run (`readStreamCycles`) and the R records the DUT produced.
 */
export function checkTimedReads(
  map: RegMap,
  inputs: Record<string, bigint>,
  stim: Record<string, TxnTable>,
  cycles: { aw: number[]; w: number[]; bValid: number[]; ar: number[] },
  r: TxnTable,
): ReadOrderProblem[] {
  const n = Math.min(stim.aw.count, stim.w.count);
  const snapshots: AxilModel[] = [];
  const model = new AxilModel(map, inputs);
  const snap = () => {
    const s = new AxilModel(map, inputs);
    for (const [k, v] of model.values) s.values.set(k, v);
    snapshots.push(s);
  };
  snap();
  for (let i = 0; i < n; i++) {
    model.write(stim.aw.get(i, 'addr'), stim.w.get(i, 'data'), stim.w.get(i, 'strb'));
    snap();
  }
  const problems: ReadOrderProblem[] = [];
  for (let i = 0; i < r.count; i++) {
    const c = cycles.ar[i];
    const addr = stim.ar.get(i, 'addr');
    let lo = 0;
    while (lo < n && cycles.bValid[lo] !== undefined && cycles.bValid[lo] <= c) lo++;
    let hi = 0;
    while (hi < n && cycles.aw[hi] !== undefined && cycles.w[hi] !== undefined && Math.max(cycles.aw[hi], cycles.w[hi]) < c) hi++;
    hi = Math.max(hi, lo);
    const got: [bigint, bigint] = [r.get(i, 'data'), r.get(i, 'resp')];
    const allowed: ReadOrderProblem['allowed'] = [];
    let ok = false;
    for (let k = lo; k <= hi; k++) {
      const [data, resp] = snapshots[k].read(addr);
      allowed.push({ writes: k, data, resp });
      if (data === got[0] && resp === got[1]) ok = true;
    }
    if (!ok) {
      problems.push({
        index: i,
        addr,
        cycle: c,
        got,
        allowed,
        message: `read ${i} of 0x${addr.toString(16)} at cycle ${c} returned 0x${got[0].toString(16)} (resp ${got[1]}); allowed: ${allowed.map((a) => `0x${a.data.toString(16)} after ${a.writes} writes`).join(', ')}`,
      });
    }
  }
  return problems;
}
