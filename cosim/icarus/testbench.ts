/**
 * Generates the Verilog-2005 testbench module `kvhdl_tb` for a DesignUnderTest: clock, synchronous
 * reset, stimulus read record by record from hex files with seeded random valid gaps, seeded random
 * ready backpressure, output records written with `$fwrite`, output protocol checks, hang detection.
 * The text depends on the design only: counts, seeds, probabilities and cycle limits are run-time
 * values (`testbenchArgs`: `tb.args` and vvp plusargs), so `build.ts` compiles it once per design.
 * Everything the testbench reports to the runner is a stdout line starting with `KVHDL:`.
 * See cosim/icarus/README.md for the exact behaviour.
 */
import { memoryStreamNames, streamPort as sp, type DesignUnderTest, type MemorySpec, type PortSpec, type StreamSpec } from '../../hdl/ports/design.ts';
import { fieldWords, recordWords } from '../../data/transactions.ts';

/**
 * The run-time values of one run. None of them is compiled into the testbench: `testbenchArgs`
 * turns them into `+name=value` plusargs (also written to `tb.args`), so one compiled `.vvp`
 * serves every seed, stall probability and stimulus of a design.
 */
export interface TestbenchConfig {
  /** Base seed; every stream gets its own `$random` seed derived from it. */
  seed: number;
  /** Probability (0 <= p < 1) that an input stream leaves a cycle idle before offering its next record. */
  stall: number;
  /** Probability (0 <= p < 1) that an output stream's ready is low in a cycle. */
  backpressure: number;
  /**
   * Stop with a hang when inputs remain and no stream transferred for this many cycles in which the
   * testbench held nothing back (starved cycles do not count).
   */
  hangCycles: number;
  /** Finish when all inputs are consumed and no stream transferred for this many cycles. */
  drainCycles: number;
  /** Stop unconditionally after this many cycles (after reset). */
  maxCycles: number;
  /** Rising edges with reset high before the run starts. */
  resetCycles: number;
  /**
   * Output transactions expected per output stream (optional): the run does not end normally
   * before they are produced (a design slowed by backpressure is waited for); missing ones end
   * the run as a hang once nothing moves for `hangCycles` unstarved cycles.
   */
  expected?: Record<string, number>;
  /** Records in each input stream's hex file (missing streams: 0). */
  counts: Record<string, number>;
  /** Values of plain input ports, held for the whole run (missing: 0). */
  staticInputs: Record<string, bigint>;
  /**
   * Designs with memories (cosim/README.md, "Memories"): read latency range, most outstanding
   * requests, and the words of each memory's image (`<name>.mem.hex`).
   */
  memories?: { latency: [number, number]; outstanding: number; words: Record<string, number> };
}

/**
 * What the testbench text depends on besides the design: the size of each memory's request queue
 * (`memories.outstanding`, default 64; array sizes cannot come from plusargs). A `TestbenchConfig`
 * is one; everything else in it is read at run time.
 */
export interface TestbenchShape {
  memories?: { outstanding: number };
}

/** File in the run directory with the run-time values, one `+name=value` line each (see `testbenchArgs`). */
export const ARGS_FILE = 'tb.args';

/** Image file of a memory, relative to the run directory. */
export const memoryHexName = (memory: string) => `${memory}.mem.hex`;

/** Stimulus file of an input stream and record file of an output stream, relative to the run directory. */
export const inputHexName = (stream: string) => `${stream}.in.hex`;
export const outputHexName = (stream: string) => `${stream}.out.hex`;

/** Prefix of the testbench's internal signal names; no port of the design may start with it. */
export const TB_PREFIX = 'kvtb_';

/** Most protocol errors printed by the testbench (the rest are counted). */
export const MAX_PRINTED_ERRORS = 100;

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

const VERILOG_KEYWORDS = new Set(
  (
    'always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default ' +
    'defparam design disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive ' +
    'endspecify endtable endtask event for force forever fork function generate genvar highz0 highz1 if ' +
    'ifnone incdir include initial inout input instance integer join large liblist library localparam ' +
    'macromodule medium module nand negedge nmos nor noshowcancelled not notif0 notif1 or output parameter ' +
    'pmos posedge primitive pull0 pull1 pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real ' +
    'realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled signed small ' +
    'specify specparam strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1 ' +
    'triand trior trireg unsigned use uwire vectored wait wand weak0 weak1 while wire wor xnor xor'
  ).split(' '),
);

/** Checks the design description and the static inputs; throws one Error listing every problem. */
export function checkDesign(design: DesignUnderTest, staticInputs: Record<string, bigint> = {}): void {
  const problems = designProblems(design, staticInputs);
  if (problems.length > 0) {
    throw new Error(`icarus testbench for ${design.top}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
}

/** Every problem of `design` (and `staticInputs`) for this testbench; empty when it can run. */
export function designProblems(design: DesignUnderTest, staticInputs: Record<string, bigint> = {}): string[] {
  const problems: string[] = [];
  const ports = new Map<string, PortSpec>();
  const ident = (what: string, name: string) => {
    if (!IDENT.test(name) || VERILOG_KEYWORDS.has(name)) problems.push(`${what} '${name}' is not a plain Verilog identifier`);
  };
  ident('top module', design.top);
  if (design.top === 'kvhdl_tb') problems.push("top module must not be called 'kvhdl_tb' (the testbench's name)");
  if (design.files.length === 0) problems.push('no Verilog files');
  for (const p of design.ports) {
    ident('port', p.name);
    if (ports.has(p.name)) problems.push(`port '${p.name}' is listed twice`);
    if (p.name.startsWith(TB_PREFIX)) problems.push(`port '${p.name}' uses the testbench's reserved prefix '${TB_PREFIX}'`);
    if (!Number.isInteger(p.width) || p.width < 1) problems.push(`port '${p.name}' has invalid width ${p.width}`);
    ports.set(p.name, p);
  }
  const expect = (name: string, dir: 'input' | 'output', width: number, why: string) => {
    const p = ports.get(name);
    if (!p) problems.push(`${why} needs port '${name}' (${dir}, ${width} bit${width === 1 ? '' : 's'}), the design has none`);
    else if (p.dir !== dir || p.width !== width) {
      problems.push(`${why} needs port '${name}' as ${dir} [${width}], the design has ${p.dir} [${p.width}]`);
    }
  };
  expect(design.clock, 'input', 1, 'the clock');
  expect(design.reset, 'input', 1, 'the reset');
  const used = new Map<string, string>([
    [design.clock, 'the clock'],
    [design.reset, 'the reset'],
  ]);
  const claim = (port: string, by: string) => {
    const prev = used.get(port);
    if (prev) problems.push(`port '${port}' is claimed by both ${prev} and ${by}`);
    used.set(port, by);
  };
  const names = new Set<string>();
  for (const s of design.streams) {
    ident('stream', s.name);
    if (names.has(s.name)) problems.push(`stream '${s.name}' is listed twice`);
    names.add(s.name);
    const inward = s.dir === 'in';
    const what = `${inward ? 'input' : 'output'} stream '${s.name}'`;
    for (const k of Object.keys(s.ports?.fields ?? {})) {
      if (!s.fields.some((f) => f.name === k)) problems.push(`${what}: ports.fields names '${k}', which is not a field of the stream`);
    }
    expect(`${sp(s, 'valid')}`, inward ? 'input' : 'output', 1, what);
    expect(`${sp(s, 'ready')}`, inward ? 'output' : 'input', 1, what);
    claim(`${sp(s, 'valid')}`, what);
    claim(`${sp(s, 'ready')}`, what);
    for (const f of s.fields) {
      if (!Number.isInteger(f.width) || f.width < 1) problems.push(`${what} field '${f.name}' has invalid width ${f.width}`);
      expect(`${sp(s, f.name)}`, inward ? 'input' : 'output', f.width, `${what} field '${f.name}'`);
      claim(`${sp(s, f.name)}`, `${what} field '${f.name}'`);
    }
  }
  for (const [name, value] of Object.entries(staticInputs)) {
    const p = ports.get(name);
    if (!p) {
      problems.push(`static input '${name}' is not a port of ${design.top}`);
      continue;
    }
    if (p.dir !== 'input' || used.has(name)) {
      problems.push(`static input '${name}' must be a plain input port (it is ${used.get(name) ?? 'an output'})`);
      continue;
    }
    if (typeof value !== 'bigint') {
      problems.push(`static input '${name}' must be a bigint, got ${typeof value}`);
      continue;
    }
    const w = BigInt(p.width);
    const lo = p.signed ? -(1n << (w - 1n)) : 0n;
    const hi = p.signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
    if (value < lo || value > hi) {
      problems.push(`static input '${name}' (${p.signed ? 's' : 'u'}${p.width}): value ${value} out of range ${lo}..${hi}`);
    }
  }
  return problems;
}

/** A 32-bit `$random` seed for stream `k`, derived from the base seed (murmur3 finalizer). */
export function streamSeed(seed: number, k: number): number {
  let h = (Number(BigInt.asUintN(32, BigInt(Math.trunc(seed)))) ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Probability p in [0, 1) as a threshold on a 16-bit random number. */
export function threshold16(p: number): number {
  return Math.min(65535, Math.round(p * 65536));
}

const range = (w: number) => (w === 1 ? '' : `[${w - 1}:0] `);

/** The design's streams and ports by role (memory request/response streams are not stimulus). */
function rolesOf(design: DesignUnderTest) {
  const memStreams = memoryStreamNames(design);
  const ins = design.streams.filter((s) => s.dir === 'in' && !memStreams.has(s.name));
  const outs = design.streams.filter((s) => s.dir === 'out' && !memStreams.has(s.name));
  const mems = design.memories ?? [];
  const streamPorts = new Set<string>([design.clock, design.reset]);
  for (const s of design.streams) {
    streamPorts.add(`${sp(s, 'valid')}`);
    streamPorts.add(`${sp(s, 'ready')}`);
    for (const f of s.fields) streamPorts.add(`${sp(s, f.name)}`);
  }
  const plain = design.ports.filter((p) => !streamPorts.has(p.name));
  return { ins, outs, mems, plainIn: plain.filter((p) => p.dir === 'input'), plainOut: plain.filter((p) => p.dir === 'output') };
}

/** One run-time value: the plusarg `+<plusarg>=<value>`, the testbench variable it sets, its `%d`/`%h` format. */
interface RunArg {
  plusarg: string;
  target: string;
  fmt: 'd' | 'h';
  value: (cfg: TestbenchConfig) => string;
}

/** The run-time values of a design's testbench, in the order of `tb.args`. */
function runArgs(design: DesignUnderTest): RunArg[] {
  const { ins, outs, mems, plainIn } = rolesOf(design);
  const P = TB_PREFIX;
  const int = (name: string, value: (c: TestbenchConfig) => number): RunArg => ({
    plusarg: `${P}${name}`,
    target: `${P}${name}`,
    fmt: 'd',
    value: (c) => String(value(c)),
  });
  const seedOf = (k: number) => (c: TestbenchConfig) => streamSeed(c.seed, k);
  const lat = (c: TestbenchConfig) => c.memories?.latency ?? [1, 8];
  return [
    int('reset_cycles', (c) => c.resetCycles),
    int('hang_cycles', (c) => c.hangCycles),
    int('drain_cycles', (c) => c.drainCycles),
    int('max_cycles', (c) => c.maxCycles),
    int('stall_t', (c) => threshold16(c.stall)),
    int('backpressure_t', (c) => threshold16(c.backpressure)),
    ...plainIn.map((p): RunArg => ({
      plusarg: `${P}static_${p.name}`,
      target: p.name,
      fmt: 'h',
      value: (c) => {
        const v = c.staticInputs[p.name] ?? 0n;
        return (v < 0n ? v + (1n << BigInt(p.width)) : v).toString(16);
      },
    })),
    ...ins.flatMap((s) => [int(`${s.name}_n`, (c) => c.counts[s.name] ?? 0), int(`${s.name}_seed`, seedOf(design.streams.indexOf(s)))]),
    ...outs.flatMap((s) => [int(`${s.name}_seed`, seedOf(design.streams.indexOf(s))), int(`${s.name}_expected`, (c) => c.expected?.[s.name] ?? 0)]),
    ...mems.flatMap((m, k) => [
      int(`${m.name}_words`, (c) => c.memories?.words[m.name] ?? 0),
      int(`${m.name}_seed`, seedOf(1000 + k)),
      int(`${m.name}_lat_min`, (c) => lat(c)[0]),
      int(`${m.name}_lat_span`, (c) => lat(c)[1] - lat(c)[0] + 1),
    ]),
  ];
}

/**
 * The plusargs of one run (`+kvtb_reset_cycles=4`, `+kvtb_in_seed=-1234`, ...), in the order the
 * testbench reads them from `tb.args`: pass them to `vvp`, and write them (one per line) to
 * `tb.args` so that `vvp -n tb.vvp` in the run directory repeats the run.
 */
export function testbenchArgs(design: DesignUnderTest, cfg: TestbenchConfig): string[] {
  return runArgs(design).map((a) => `+${a.plusarg}=${a.value(cfg)}`);
}

/**
 * The testbench source: it depends on the design and `shape` only (every run-time value is read
 * from `tb.args`/plusargs, see `testbenchArgs`), so it is compiled once per design. Call
 * checkDesign first (icarusRun does).
 */
export function generateTestbench(design: DesignUnderTest, shape: TestbenchShape = {}): string {
  const { ins, outs, mems, plainIn, plainOut } = rolesOf(design);
  const args = runArgs(design);
  const P = TB_PREFIX;
  const L: string[] = [];
  const ln = (s = '') => L.push(s);

  ln(`// Icarus testbench for ${design.top}, generated by kvhdl cosim/icarus/testbench.ts. Do not edit.`);
  ln(`// Run-time values (counts, seeds, probabilities, cycle limits): ${ARGS_FILE} in the current directory, then plusargs.`);
  ln('// Waveform: vvp -n tb.vvp +vcd   (writes wave.vcd in the current directory)');
  ln('module kvhdl_tb;');
  ln(`  integer ${P}reset_cycles, ${P}hang_cycles, ${P}drain_cycles, ${P}max_cycles;`);
  ln(`  integer ${P}stall_t, ${P}backpressure_t;  // probabilities as thresholds on 16 random bits`);
  ln(`  reg [${args.length - 1}:0] ${P}got = 0;  // which run-time values were given`);
  ln(`  integer ${P}args_fd, ${P}c;`);
  ln();
  ln(`  reg ${design.clock} = 1'b0;`);
  ln(`  reg ${design.reset} = 1'b1;`);
  ln(`  always #5 ${design.clock} = ~${design.clock};`);
  ln();
  ln(`  integer ${P}cycle = 0;          // rising edges since reset was released`);
  ln(`  integer ${P}reset_edges = 0;`);
  ln(`  integer ${P}last_progress = 0;  // cycle of the last transfer on any stream`);
  ln(`  integer ${P}nerr = 0;           // protocol errors seen`);
  ln(`  integer ${P}idle = 0;           // cycles without a transfer in which the testbench held nothing back`);
  ln(`  reg ${P}starved;                // the testbench held something back this cycle (gap, backpressure)`);
  ln(`  integer ${P}r;                  // scratch random number`);
  ln(`  reg ${P}inputs_done;`);

  if (plainIn.length > 0) {
    ln();
    ln('  // Static inputs, held for the whole run (+kvtb_static_<port>)');
    for (const p of plainIn) ln(`  reg ${range(p.width)}${p.name};`);
  }
  if (plainOut.length > 0) {
    ln();
    ln('  // Other outputs (not checked)');
    for (const p of plainOut) ln(`  wire ${range(p.width)}${p.name};`);
  }

  ins.forEach((s) => {
    const rw = 32 * recordWords(s.fields);
    ln();
    ln(`  // Input stream '${s.name}': ${P}${s.name}_n records, read one by one from ${inputHexName(s.name)}`);
    ln(`  integer ${P}${s.name}_n;`);
    if (rw > 0) {
      ln(`  integer ${P}${s.name}_fd;`);
      ln(`  reg [${rw - 1}:0] ${P}${s.name}_rec;`);
    }
    ln(`  integer ${P}${s.name}_idx = 0;  // records transferred`);
    ln(`  integer ${P}${s.name}_seed;`);
    ln(`  reg ${P}${s.name}_ready_x = 1'b0;`);
    ln(`  reg ${sp(s, 'valid')} = 1'b0;`);
    ln(`  wire ${sp(s, 'ready')};`);
    for (const f of s.fields) ln(`  reg ${range(f.width)}${sp(s, f.name)} = ${f.width}'h0;`);
  });

  outs.forEach((s) => {
    const rw = 32 * recordWords(s.fields);
    ln();
    ln(`  // Output stream '${s.name}': records to ${outputHexName(s.name)}`);
    ln(`  wire ${sp(s, 'valid')};`);
    ln(`  reg ${sp(s, 'ready')} = 1'b0;`);
    for (const f of s.fields) ln(`  wire ${range(f.width)}${sp(s, f.name)};`);
    if (rw > 0) {
      // Field k occupies its own 32-bit words, zero-padded: the TxnTable layout.
      const parts: string[] = [];
      for (const f of [...s.fields].reverse()) {
        const pad = 32 * fieldWords(f) - f.width;
        parts.push(pad > 0 ? `${pad}'h0, ${sp(s, f.name)}` : `${sp(s, f.name)}`);
      }
      ln(`  wire [${rw - 1}:0] ${P}${s.name}_rec = {${parts.join(', ')}};`);
      ln(`  reg [${rw - 1}:0] ${P}${s.name}_held;`);
    }
    ln(`  reg ${P}${s.name}_pending = 1'b0;  // valid && !ready on the previous edge`);
    ln(`  reg ${P}${s.name}_valid_x = 1'b0;`);
    ln(`  integer ${P}${s.name}_count = 0;`);
    ln(`  integer ${P}${s.name}_fd;`);
    ln(`  integer ${P}${s.name}_seed;`);
    ln(`  integer ${P}${s.name}_expected;  // wait for this many records before draining (0: do not wait)`);
  });

  mems.forEach((m) => memoryDecls(ln, design, m, shape.memories?.outstanding ?? 64));

  ln();
  ln(`  ${design.top} dut (`);
  design.ports.forEach((p, i) => ln(`    .${p.name}(${p.name})${i === design.ports.length - 1 ? '' : ','}`));
  ln('  );');

  // One place that ends the run: prints the per-stream status lines the runner parses.
  ln();
  ln(`  task ${P}finish;`);
  ln('    input integer why;  // 0 done, 1 no progress, 2 max cycles');
  ln('    begin');
  for (const s of ins) ln(`      $display("KVHDL:IN ${s.name} %0d %0d", ${P}${s.name}_idx, ${P}${s.name}_n);`);
  for (const s of outs) {
    ln(`      $display("KVHDL:OUT ${s.name} %0d %0d", ${P}${s.name}_count, ${sp(s, 'valid')} === 1'b1);`);
    ln(`      $fclose(${P}${s.name}_fd);`);
  }
  for (const m of mems) ln(`      $display("KVHDL:MEM ${m.name} %0d %0d %0d", ${P}${m.name}_requests, ${P}${m.name}_responses, ${P}${m.name}_peak);`);
  ln(`      $display("KVHDL:END %0d %0d %0d %0d %0d", why, ${P}cycle, ${P}cycle - ${P}last_progress, ${P}nerr, ${P}idle);`);
  ln('      $finish(0);');
  ln('    end');
  ln('  endtask');

  ln();
  ln('  initial begin');
  ln(`    // Run-time values: ${ARGS_FILE} (its lines in this order) when there is one, then the plusargs, which win.`);
  ln(`    ${P}args_fd = $fopen("${ARGS_FILE}", "r");`);
  ln(`    if (${P}args_fd != 0) begin`);
  args.forEach((a, i) => ln(`      ${P}got[${i}] = $fscanf(${P}args_fd, "+${a.plusarg}=%${a.fmt}\\n", ${a.target}) == 1;`));
  ln(`      $fclose(${P}args_fd);`);
  ln('    end');
  args.forEach((a, i) => ln(`    if ($value$plusargs("${a.plusarg}=%${a.fmt}", ${a.target})) ${P}got[${i}] = 1'b1;`));
  ln(`    if (${P}got !== {${args.length}{1'b1}}) begin`);
  args.forEach((a, i) => ln(`      if (!${P}got[${i}]) $display("KVHDL:FATAL run-time value +${a.plusarg} missing (neither in ${ARGS_FILE} nor a plusarg)");`));
  ln('      $finish(0);');
  ln('    end');
  ln('    if ($test$plusargs("vcd")) begin');
  ln('      $dumpfile("wave.vcd");');
  ln('      $dumpvars(0, kvhdl_tb);');
  ln('    end');
  const openRead = (fd: string, file: string, cond: string) => {
    ln(`    if (${cond}) begin`);
    ln(`      ${fd} = $fopen("${file}", "r");`);
    ln(`      if (${fd} == 0) begin`);
    ln(`        $display("KVHDL:FATAL cannot open ${file}");`);
    ln('        $finish(0);');
    ln('      end');
    ln('    end');
  };
  for (const s of ins) if (recordWords(s.fields) > 0) openRead(`${P}${s.name}_fd`, inputHexName(s.name), `${P}${s.name}_n > 0`);
  for (const m of mems) openRead(`${P}${m.name}_fd`, memoryHexName(m.name), `${P}${m.name}_words > 0`);
  for (const s of outs) {
    ln(`    ${P}${s.name}_fd = $fopen("${outputHexName(s.name)}", "w");`);
    ln(`    if (${P}${s.name}_fd == 0) begin`);
    ln(`      $display("KVHDL:FATAL cannot open ${outputHexName(s.name)}");`);
    ln('      $finish(0);');
    ln('    end');
  }
  ln('  end');

  const proto = (s: StreamSpec, msg: string, args = '', indent = '        ') => {
    const where = `${s.dir === 'in' ? 'input' : 'output'} stream '${s.name}'`;
    ln(`${indent}if (${P}nerr < ${MAX_PRINTED_ERRORS})`);
    ln(`${indent}  $display("KVHDL:PROTO cycle %0d: ${where}: ${msg}", ${P}cycle${args});`);
    ln(`${indent}${P}nerr = ${P}nerr + 1;`);
  };
  /** `%h` format and arguments that print a stream's fields from a record vector: `a=%h b=%h`. */
  const fieldsOf = (st: StreamSpec, vec: string) => {
    let off = 0;
    const fmt: string[] = [];
    const args: string[] = [];
    for (const f of st.fields) {
      fmt.push(`${f.name}=%h`);
      args.push(`${vec}[${off} +: ${f.width}]`);
      off += 32 * fieldWords(f);
    }
    return { fmt: fmt.join(' '), args: args.map((a) => `, ${a}`).join('') };
  };

  ln();
  ln(`  always @(posedge ${design.clock}) begin`);
  ln(`    if (${design.reset}) begin`);
  ln(`      ${P}reset_edges = ${P}reset_edges + 1;`);
  ln(`      if (${P}reset_edges >= ${P}reset_cycles) ${design.reset} <= 1'b0;`);
  ln('    end else begin');
  ln(`      ${P}cycle = ${P}cycle + 1;`);
  // Starved cycles (a random input gap, backpressure, a memory's gap) do not count towards a hang:
  // a design kept waiting by a high stall probability is not hung. Sampled before this edge's updates.
  ln(`      ${P}starved = 1'b0;`);
  for (const s of ins) ln(`      if (${P}${s.name}_idx < ${P}${s.name}_n && ${sp(s, 'valid')} !== 1'b1) ${P}starved = 1'b1;`);
  for (const s of outs) ln(`      if (${sp(s, 'ready')} !== 1'b1) ${P}starved = 1'b1;`);
  for (const m of mems) {
    const req = design.streams.find((x) => x.name === m.request)!;
    const resp = design.streams.find((x) => x.name === m.response)!;
    const x = `${P}${m.name}`;
    ln(`      if (${sp(req, 'ready')} !== 1'b1 && ${x}_cnt < ${x}_q) ${P}starved = 1'b1;`);
    ln(`      if (${sp(resp, 'valid')} !== 1'b1 && ${x}_cnt > 0 && ${x}_qd[${x}_head] < ${P}cycle) ${P}starved = 1'b1;`);
  }
  for (const s of ins) {
    const v = `${sp(s, 'valid')}`;
    const r = `${sp(s, 'ready')}`;
    ln();
    ln(`      // input '${s.name}': count the transfer, then offer the next record after a random gap`);
    ln(`      if (${r} !== 1'b0 && ${r} !== 1'b1 && !${P}${s.name}_ready_x) begin`);
    proto(s, 'ready is X/Z (treated as low)');
    ln(`        ${P}${s.name}_ready_x = 1'b1;`);
    ln('      end');
    ln(`      if (${v} && ${r} === 1'b1) begin`);
    ln(`        ${P}${s.name}_idx = ${P}${s.name}_idx + 1;`);
    ln(`        ${P}last_progress = ${P}cycle;`);
    ln('      end');
    ln(`      if (!${v} || ${r} === 1'b1) begin`);
    ln(`        if (${P}stall_t > 0) ${P}r = $random(${P}${s.name}_seed);`);
    ln(`        if (${P}${s.name}_idx < ${P}${s.name}_n && (${P}stall_t == 0 || (${P}r & 32'hffff) >= ${P}stall_t)) begin`);
    if (recordWords(s.fields) > 0) ln(`          ${P}c = $fscanf(${P}${s.name}_fd, "%h\\n", ${P}${s.name}_rec);  // record ${P}${s.name}_idx`);
    ln(`          ${v} <= 1'b1;`);
    let off = 0;
    for (const f of s.fields) {
      ln(`          ${sp(s, f.name)} <= ${P}${s.name}_rec[${off} +: ${f.width}];`);
      off += 32 * fieldWords(f);
    }
    ln('        end else begin');
    ln(`          ${v} <= 1'b0;`);
    ln('        end');
    ln('      end');
  }
  for (const s of outs) {
    const v = `${sp(s, 'valid')}`;
    const r = `${sp(s, 'ready')}`;
    const hasRec = recordWords(s.fields) > 0;
    const rec = `${P}${s.name}_rec`;
    ln();
    ln(`      // output '${s.name}': protocol checks, record the transfer, random backpressure`);
    ln(`      if (${v} !== 1'b0 && ${v} !== 1'b1 && !${P}${s.name}_valid_x) begin`);
    proto(s, 'valid is X/Z (treated as low)');
    ln(`        ${P}${s.name}_valid_x = 1'b1;`);
    ln('      end');
    ln(`      if (${P}${s.name}_pending && ${v} !== 1'b1) begin`);
    proto(s, 'valid dropped before the transfer (it was valid && !ready on the previous edge)');
    ln('      end');
    if (hasRec) {
      ln(`      else if (${P}${s.name}_pending && ${rec} !== ${P}${s.name}_held) begin`);
      const was = fieldsOf(s, `${P}${s.name}_held`);
      const now = fieldsOf(s, rec);
      proto(s, `payload changed while valid && !ready (was ${was.fmt}; now ${now.fmt})`, `${was.args}${now.args}`);
      ln('      end');
    }
    ln(`      if (${v} === 1'b1 && ${r}) begin`);
    if (hasRec) {
      ln(`        if (^${rec} === 1'bx) begin`);
      const now = fieldsOf(s, rec);
      proto(s, `payload has X/Z bits at transfer %0d (${now.fmt}; read as 0)`, `, ${P}${s.name}_count${now.args}`, '          ');
      ln('        end');
      ln(`        $fwrite(${P}${s.name}_fd, "%h\\n", ${rec});`);
    } else {
      ln(`        $fwrite(${P}${s.name}_fd, "1\\n");`);
    }
    ln(`        ${P}${s.name}_count = ${P}${s.name}_count + 1;`);
    ln(`        ${P}last_progress = ${P}cycle;`);
    ln(`        ${P}${s.name}_pending = 1'b0;`);
    ln('      end else begin');
    ln(`        ${P}${s.name}_pending = (${v} === 1'b1);`);
    if (hasRec) ln(`        ${P}${s.name}_held = ${rec};`);
    ln('      end');
    ln(`      if (${P}backpressure_t > 0) ${P}r = $random(${P}${s.name}_seed);`);
    ln(`      ${r} <= ${P}backpressure_t == 0 || (${P}r & 32'hffff) >= ${P}backpressure_t;`);
  }
  mems.forEach((m) => memoryCycle(ln, design, m, proto));
  ln();
  ln('      // end of run');
  const done = ins.map((s) => `${P}${s.name}_idx >= ${P}${s.name}_n`);
  ln(`      ${P}inputs_done = ${done.length > 0 ? done.join(' && ') : "1'b1"};`);
  ln(`      if (${P}last_progress == ${P}cycle) ${P}idle = 0;`);
  ln(`      else if (!${P}starved) ${P}idle = ${P}idle + 1;`);
  ln(`      if (${P}cycle >= ${P}max_cycles) ${P}finish(2);`);
  // With expected output counts, the run also waits for them (however long backpressure delays them).
  const outDone = outs.map((o) => `${P}${o.name}_count >= ${P}${o.name}_expected`);
  const workDone = outDone.length ? `${P}inputs_done && ${outDone.join(' && ')}` : `${P}inputs_done`;
  ln(`      else if (!(${workDone}) && ${P}idle >= ${P}hang_cycles) ${P}finish(1);`);
  ln(`      else if ((${workDone}) && ${P}cycle - ${P}last_progress >= ${P}drain_cycles) ${P}finish(0);`);
  ln('    end');
  ln('  end');
  ln('endmodule');
  return `${L.join('\n')}\n`;
}

/** Declarations of a memory: the request/response stream ports, the image, the request queue. */
function memoryDecls(ln: (s?: string) => void, design: DesignUnderTest, m: MemorySpec, q: number): void {
  const P = TB_PREFIX;
  const req = design.streams.find((s) => s.name === m.request)!;
  const resp = design.streams.find((s) => s.name === m.response)!;
  const addr = req.fields.find((f) => f.name === m.addressField)!;
  const rw = 32 * Math.ceil(m.wordWidth / 32);
  ln();
  ln(`  // Memory '${m.name}': ${P}${m.name}_words words in ${memoryHexName(m.name)} (one line of ${8 * (rw / 32) + 1} bytes each, read at the address);`);
  ln(`  // requests on '${m.request}', words on '${m.response}'`);
  ln(`  wire ${sp(req, 'valid')};`);
  ln(`  reg ${sp(req, 'ready')} = 1'b0;`);
  for (const f of req.fields) ln(`  wire ${range(f.width)}${sp(req, f.name)};`);
  ln(`  reg ${sp(resp, 'valid')} = 1'b0;`);
  ln(`  wire ${sp(resp, 'ready')};`);
  for (const f of resp.fields) ln(`  reg ${range(f.width)}${sp(resp, f.name)} = ${f.width}'h0;`);
  ln(`  integer ${P}${m.name}_words, ${P}${m.name}_fd;`);
  ln(`  localparam integer ${P}${m.name}_q = ${q};`);
  ln(`  reg [${rw - 1}:0] ${P}${m.name}_word;`);
  ln(`  reg [${addr.width - 1}:0] ${P}${m.name}_qa [0:${q - 1}];  // queued addresses`);
  ln(`  integer ${P}${m.name}_qd [0:${q - 1}];  // cycle from which each may be answered`);
  ln(`  reg ${P}${m.name}_qb [0:${q - 1}];  // outside the image: answered with 0`);
  ln(`  integer ${P}${m.name}_head = 0, ${P}${m.name}_tail = 0, ${P}${m.name}_cnt = 0;`);
  ln(`  integer ${P}${m.name}_requests = 0, ${P}${m.name}_responses = 0, ${P}${m.name}_peak = 0;`);
  ln(`  reg ${P}${m.name}_pending = 1'b0;`);
  ln(`  reg [${addr.width - 1}:0] ${P}${m.name}_held;`);
  ln(`  integer ${P}${m.name}_seed, ${P}${m.name}_lat_min, ${P}${m.name}_lat_span;`);
}

/** One clock edge of a memory: take a response and a request, check the request protocol, drive the next cycle. */
function memoryCycle(
  ln: (s?: string) => void,
  design: DesignUnderTest,
  m: MemorySpec,
  proto: (s: StreamSpec, msg: string, args?: string, indent?: string) => void,
): void {
  const P = TB_PREFIX;
  const x = `${P}${m.name}`;
  const req = design.streams.find((s) => s.name === m.request)!;
  const resp = design.streams.find((s) => s.name === m.response)!;
  const data = resp.fields.find((f) => f.name === m.dataField)!;
  const rv = sp(req, 'valid');
  const rr = sp(req, 'ready');
  const ra = sp(req, m.addressField);
  const pv = sp(resp, 'valid');
  const pr = sp(resp, 'ready');
  const pd = sp(resp, data.name);
  const rep = Math.ceil(data.width / 32);
  ln();
  ln(`      // memory '${m.name}': a response taken, a request taken (in order, random latency), next cycle's drive`);
  ln(`      if (${pv} && ${pr} === 1'b1) begin`);
  ln(`        ${x}_head = (${x}_head + 1) % ${x}_q;`);
  ln(`        ${x}_cnt = ${x}_cnt - 1;`);
  ln(`        ${x}_responses = ${x}_responses + 1;`);
  ln(`        ${P}last_progress = ${P}cycle;`);
  ln('      end');
  ln(`      if (${x}_pending && ${rv} !== 1'b1) begin`);
  proto(req, 'valid dropped before the transfer (it was valid && !ready on the previous edge)');
  ln('      end');
  ln(`      else if (${x}_pending && ${ra} !== ${x}_held) begin`);
  proto(req, `payload changed while valid && !ready (was ${m.addressField}=%h; now ${m.addressField}=%h)`, `, ${x}_held, ${ra}`);
  ln('      end');
  ln(`      if (${rv} === 1'b1 && ${rr}) begin`);
  ln(`        if (${ra} >= ${x}_words) begin`);
  proto(req, `read address %0d is outside the memory image (%0d words)`, `, ${ra}, ${x}_words`, '          ');
  ln('        end');
  ln(`        ${P}r = $random(${x}_seed);`);
  ln(`        ${x}_qa[${x}_tail] = ${ra};`);
  ln(`        ${x}_qd[${x}_tail] = ${P}cycle + ${x}_lat_min + ((${P}r & 32'h7fffffff) % ${x}_lat_span);`);
  ln(`        ${x}_qb[${x}_tail] = ${ra} >= ${x}_words;`);
  ln(`        ${x}_tail = (${x}_tail + 1) % ${x}_q;`);
  ln(`        ${x}_cnt = ${x}_cnt + 1;`);
  ln(`        if (${x}_cnt > ${x}_peak) ${x}_peak = ${x}_cnt;`);
  ln(`        ${x}_requests = ${x}_requests + 1;`);
  ln(`        ${P}last_progress = ${P}cycle;`);
  ln(`        ${x}_pending = 1'b0;`);
  ln('      end else begin');
  ln(`        ${x}_pending = (${rv} === 1'b1);`);
  ln(`        ${x}_held = ${ra};`);
  ln('      end');
  ln(`      if (${P}backpressure_t > 0) ${P}r = $random(${x}_seed);`);
  ln(`      ${rr} <= ${x}_cnt < ${x}_q && (${P}backpressure_t == 0 || (${P}r & 32'hffff) >= ${P}backpressure_t);`);
  ln(`      if (!(${pv} && ${pr} !== 1'b1)) begin  // not holding an offered word`);
  ln(`        ${P}r = $random(${x}_seed);`);
  ln(`        if (${x}_cnt > 0 && ${x}_qd[${x}_head] <= ${P}cycle && (${P}stall_t == 0 || (${P}r & 32'hffff) >= ${P}stall_t)) begin`);
  ln(`          if (${x}_qb[${x}_head]) ${x}_word = 0;`);
  ln('          else begin');
  ln(`            ${P}c = $fseek(${x}_fd, ${x}_qa[${x}_head] * ${8 * Math.ceil(m.wordWidth / 32) + 1}, 0);`);
  ln(`            ${P}c = $fscanf(${x}_fd, "%h", ${x}_word);`);
  ln('          end');
  ln(`          ${pv} <= 1'b1;`);
  ln(`          ${pd} <= ${x}_word[${data.width - 1}:0];`);
  ln('        end else begin');
  ln(`          ${pv} <= 1'b0;`);
  ln(`          ${pd} <= {${rep}{$random(${x}_seed)}};`);
  ln('        end');
  ln('      end');
  for (const f of resp.fields) if (f !== data) ln(`      ${sp(resp, f.name)} <= $random(${x}_seed);`);
}
