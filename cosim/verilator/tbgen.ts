/**
 * Generates the C++ testbench (`tb.cpp`) that runs a whole co-simulation natively around the
 * Verilated model `Vdut` (built with `--prefix Vdut`).
 *
 * The generated source depends only on the design's ports and streams; everything that changes
 * between runs (seed, stall and backpressure probabilities, record counts, static input values,
 * tracing window) is a command-line argument, so one build serves every run of a design.
 *
 * Per cycle (after `--reset-cycles` cycles with reset high):
 *   1. each input stream offers its next record (valid high, fields from `<s>.in.bin`) unless a
 *      seeded random gap (probability `--stall`) keeps it idle; once offered, a record stays
 *      offered until accepted (valid never waits for ready; fields are random while valid is low);
 *   2. each output stream's ready is high unless seeded random backpressure (`--backpressure`);
 *   3. clock low, eval: sample handshakes and output payloads; check output protocol (valid kept
 *      and payload stable while valid && !ready); record output transfers;
 *   4. clock high, eval (the rising edge where the sampled transfers happen).
 * The run ends `--drain` cycles after every input is accepted and every output stream has its
 * `--expect`ed count (or got more), or when nothing moved for `--hang` cycles while work remained;
 * only cycles in which the testbench held nothing back count towards `--hang` (every input stream
 * with records left offering one, every output ready, every due memory word offered), so a design
 * starved by a high `--stall`/`--backpressure` is not reported as hung.
 * Results in `--dir`: `<s>.out.bin`, `<s>.out.cycles.bin` (cycle of each output transfer),
 * `<s>.out.valid-cycles.bin` (cycle at which valid rose for each output record), `<s>.in.cycles.bin`
 * (cycle of each accepted input record), `result.json`. All cycle files are uint64 LE per record;
 * a transfer "at cycle c" happens on the rising edge that ends cycle c.
 *
 * Memories (`design.memories`): each memory's image is read from `<name>.mem.bin`; its request stream's
 * ready is low with probability `--backpressure` (and while `--mem-outstanding` requests are
 * unanswered); each accepted request is answered in order, no earlier than a seeded random
 * `--mem-latency MIN:MAX` cycles after its transfer, on the response stream (valid low with
 * probability `--stall` in a cycle once the word is due; the DUT's ready decides the transfer).
 * An address outside the image is a protocol error (`address-out-of-range`) and is answered with 0.
 *
 * Port names come from `streamPortName` (the `<s>_valid`/`<s>_ready`/`<s>_<field>` convention, or a
 * stream's explicit `ports` mapping, e.g. AXI names).
 */
import { memoryStreamNames, type DesignUnderTest, type FieldSpec, type MemorySpec, type PortSpec, type StreamSpec } from '../design.ts';
import { fieldWords, recordWords } from '../transactions.ts';
import { checkDesign, streamPortName } from './design-check.ts';

/** Class name given to Verilator with `--prefix`. */
export const MODEL_CLASS = 'Vdut';
/** Bumped whenever the generated testbench's behaviour changes (part of the build cache key). */
export const TB_VERSION = 7;

const hex32 = (n: number): string => `0x${(n >>> 0).toString(16)}u`;
const topMask = (width: number): number => (width % 32 === 0 ? 0xffffffff : 2 ** (width % 32) - 1);

/** Statements that set the model input `port` from words `src(k)` (k = 0 is least significant). */
function setPort(port: string, width: number, src: (k: number) => string, indent: string): string {
  const nw = Math.ceil(width / 32);
  const m = hex32(topMask(width));
  const d = `dut->${port}`;
  if (width <= 32) return `${indent}${d} = ${src(0)} & ${m};\n`;
  if (width <= 64) {
    return `${indent}${d} = (static_cast<uint64_t>(${src(1)} & ${m}) << 32) | static_cast<uint64_t>(${src(0)});\n`;
  }
  let s = '';
  for (let k = 0; k < nw; k++) s += `${indent}${d}[${k}] = ${src(k)}${k === nw - 1 ? ` & ${m}` : ''};\n`;
  return s;
}

/** Statements that set the model input `port` to random bits from `rng` (evaluation order fixed). */
function setPortRandom(port: string, width: number, rng: string, indent: string): string {
  const nw = Math.ceil(width / 32);
  if (width <= 32) return `${indent}dut->${port} = ${rng}.u32() & ${hex32(topMask(width))};\n`;
  if (width <= 64) {
    const mask = width === 64 ? '~0ULL' : `((1ULL << ${width}) - 1)`;
    return `${indent}dut->${port} = ${rng}.next() & ${mask};\n`;
  }
  let s = '';
  for (let k = 0; k < nw; k++) s += `${indent}dut->${port}[${k}] = ${rng}.u32()${k === nw - 1 ? ` & ${hex32(topMask(width))}` : ''};\n`;
  return s;
}

/** Statements that copy the model output `port` into words `dst[off..]`. */
function readPort(port: string, width: number, dst: string, off: number, indent: string): string {
  const nw = Math.ceil(width / 32);
  const m = hex32(topMask(width));
  const d = `dut->${port}`;
  if (width <= 32) return `${indent}${dst}[${off}] = static_cast<uint32_t>(${d}) & ${m};\n`;
  if (width <= 64) {
    return (
      `${indent}{ const uint64_t v_ = ${d}; ${dst}[${off}] = static_cast<uint32_t>(v_); ` +
      `${dst}[${off + 1}] = static_cast<uint32_t>(v_ >> 32) & ${m}; }\n`
    );
  }
  let s = '';
  for (let k = 0; k < nw; k++) s += `${indent}${dst}[${off + k}] = ${d}[${k}]${k === nw - 1 ? ` & ${m}` : ''};\n`;
  return s;
}

/** Indents generated loop-body code by two more spaces. */
function indent(code: string): string {
  return code.replace(/^(?=.)/gm, '  ');
}

function fieldOffsets(fields: readonly FieldSpec[]): number[] {
  const offs: number[] = [];
  let o = 0;
  for (const f of fields) {
    offs.push(o);
    o += fieldWords(f);
  }
  return offs;
}

function cstr(s: string): string {
  return JSON.stringify(s); // identifiers only (checked), so JSON quoting is valid C++
}

/** The complete `tb.cpp` for a design. Deterministic: same design, same text. */
export function generateTestbench(design: DesignUnderTest): string {
  const roles = checkDesign(design, { checkFiles: false });
  const memStreams = memoryStreamNames(design);
  const ins = design.streams.filter((s) => s.dir === 'in' && !memStreams.has(s.name));
  const outs = design.streams.filter((s) => s.dir === 'out' && !memStreams.has(s.name));
  const mems = design.memories ?? [];
  const mem = memoryCode(design, mems);
  const nIn = ins.length;
  const nOut = outs.length;
  const maxOutStride = Math.max(1, ...outs.map((s) => recordWords(s.fields)));
  const maxPlainWords = Math.max(1, ...roles.plainInputs.map((p) => Math.ceil(p.width / 32)), ...roles.plainOutputs.map((p) => Math.ceil(p.width / 32)));
  // Without a clock or reset port, the statements that drive them are left out.
  const setClk = (v: number): string => (roles.clock ? `dut->${roles.clock.name} = ${v};` : '// (no clock port)');
  const setRst = (v: number): string => (roles.reset ? `dut->${roles.reset.name} = ${v};` : '// (no reset port)');
  const I = '    ';

  // ---- per-stream code ------------------------------------------------------------------------
  const initStreams =
    ins.map((s, i) => `  in[${i}].name = ${cstr(s.name)}; in[${i}].stride = ${recordWords(s.fields)};\n`).join('') +
    outs.map((s, i) => `  out[${i}].name = ${cstr(s.name)}; out[${i}].stride = ${recordWords(s.fields)};\n`).join('');

  const driveIdle = (s: StreamSpec, i: number): string =>
    `${I}dut->${streamPortName(s, 'valid')} = 0;\n` +
    s.fields.map((f) => setPortRandom(streamPortName(s, f.name), f.width, `in[${i}].rng`, I)).join('');

  const driveInputs = ins
    .map((s, i) => {
      const offs = fieldOffsets(s.fields);
      const stride = recordWords(s.fields);
      return (
        `  {  // input stream '${s.name}'\n` +
        `    InStream& s = in[${i}];\n` +
        `    if (!s.offering && s.idx < s.count) s.offering = s.thresh == 0 || s.rng.u32() >= s.thresh;\n` +
        `    if (!s.offering && s.idx < s.count) starved = true;  // a random gap, not the DUT\n` +
        `    if (s.offering) {\n` +
        (s.fields.length ? `      const uint32_t* r = s.data.data() + s.idx * ${stride}u;\n` : '') +
        `      dut->${streamPortName(s, 'valid')} = 1;\n` +
        s.fields.map((f, k) => setPort(streamPortName(s, f.name), f.width, (w) => `r[${offs[k] + w}]`, '      ')).join('') +
        `    } else {\n` +
        driveIdle(s, i).replace(/^ {4}/gm, '      ') +
        `    }\n` +
        `  }\n`
      );
    })
    .join('');

  const driveReady = outs
    .map(
      (s, i) =>
        `  out[${i}].ready = out[${i}].thresh == 0 || out[${i}].rng.u32() >= out[${i}].thresh;\n` +
        `  dut->${streamPortName(s, 'ready')} = out[${i}].ready;\n` +
        `  if (!out[${i}].ready) starved = true;  // random backpressure\n`,
    )
    .join('');

  const sampleInputs = ins
    .map((s, i) => `  in[${i}].ready = dut->${streamPortName(s, 'ready')} != 0;\n  const bool fireIn${i} = in[${i}].offering && in[${i}].ready;\n`)
    .join('');

  const sampleOutputs = outs
    .map((s, i) => {
      const offs = fieldOffsets(s.fields);
      const stride = recordWords(s.fields);
      const reads = s.fields.map((f, k) => readPort(streamPortName(s, f.name), f.width, 'o.cur', offs[k], '      ')).join('');
      const compares = s.fields
        .map((f, k) => {
          const nw = fieldWords(f);
          const cond =
            nw === 1
              ? `o.cur[${offs[k]}] != o.hold[${offs[k]}]`
              : `std::memcmp(o.cur + ${offs[k]}, o.hold + ${offs[k]}, ${nw * 4}) != 0`;
          return (
            `        if (${cond}) protocol_error(o.name, "payload-changed", ${cstr(f.name)}, cyc, ` +
            `hex(o.hold + ${offs[k]}, ${nw}), hex(o.cur + ${offs[k]}, ${nw}));\n`
          );
        })
        .join('');
      return (
        `  {  // output stream '${s.name}'\n` +
        `    OutStream& o = out[${i}];\n` +
        `    const bool v = dut->${streamPortName(s, 'valid')} != 0;\n` +
        `    if (v) {\n${reads}    }\n` +
        `    if (v && !o.pending) o.since = cyc;\n` +
        `    if (o.pending) {\n` +
        `      if (!v) {\n` +
        `        protocol_error(o.name, "valid-dropped", "", cyc, "", "");\n` +
        `      } else {\n${compares}      }\n` +
        `    }\n` +
        `    if (v && o.ready) {\n` +
        (stride > 0 ? `      o.data.insert(o.data.end(), o.cur, o.cur + ${stride});\n` : '') +
        `      o.cycles.push_back(static_cast<uint64_t>(cyc));\n` +
        `      o.validCycles.push_back(static_cast<uint64_t>(o.since));\n` +
        `      if (o.count++ == 0) o.first = cyc;\n` +
        `      o.last = cyc;\n` +
        `      progress = true;\n` +
        `    }\n` +
        `    o.pending = v && !o.ready;\n` +
        (stride > 0 ? `    if (o.pending) std::memcpy(o.hold, o.cur, ${stride * 4});\n` : '') +
        `    o.valid = v;\n` +
        `  }\n`
      );
    })
    .join('');

  const acceptInputs = ins
    .map(
      (_s, i) =>
        `  if (fireIn${i}) {\n` +
        `    InStream& s = in[${i}];\n` +
        `    if (s.idx++ == 0) s.first = cyc;\n` +
        `    s.cycles.push_back(static_cast<uint64_t>(cyc));\n` +
        `    s.last = cyc;\n` +
        `    s.offering = false;\n` +
        `    if (firstIn < 0) firstIn = cyc;\n` +
        `    progress = true;\n` +
        `  }\n`,
    )
    .join('');

  const resetDrive =
    ins
      .map(
        (s) =>
          `  dut->${streamPortName(s, 'valid')} = 0;\n` +
          s.fields.map((f) => setPort(streamPortName(s, f.name), f.width, () => '0u', '  ')).join(''),
      )
      .join('') + outs.map((s) => `  dut->${streamPortName(s, 'ready')} = 0;\n`).join('');

  const plainSetters = roles.plainInputs
    .map(
      (p: PortSpec) =>
        `  if (name == ${cstr(p.name)}) {\n${setPort(p.name, p.width, (k) => `w[${k}]`, '    ')}    return true;\n  }\n`,
    )
    .join('');
  const plainZero = roles.plainInputs.map((p) => setPort(p.name, p.width, () => '0u', '  ')).join('');
  const plainOutJson = roles.plainOutputs
    .map(
      (p, i) =>
        `  {\n${readPort(p.name, p.width, 'pw', 0, '    ')}    std::fprintf(f, "%s\\"${p.name}\\": \\"%s\\"", ${i === 0 ? '""' : '", "'}, hex(pw, ${Math.ceil(p.width / 32)}).c_str());\n  }\n`,
    )
    .join('');

  return `// kvhdl co-simulation testbench for module '${design.top}'.
// Generated by cosim/verilator/tbgen.ts (testbench version ${TB_VERSION}); do not edit.
//
// Usage: sim --dir DIR [--seed N] [--stall P] [--backpressure P] [--hang N] [--drain N]
//            [--max-cycles N] [--reset-cycles N] [--count STREAM=N] [--expect STREAM=N]
//            [--set PORT=HEX] [--trace FILE] [--trace-from CYCLE] [--trace-to CYCLE]
//            [+verilator+seed+N] [+verilator+rand+reset+2]
// Input streams:  ${ins.map((s) => s.name).join(', ') || '(none)'}
// Output streams: ${outs.map((s) => s.name).join(', ') || '(none)'}
// Plain inputs:   ${roles.plainInputs.map((p) => p.name).join(', ') || '(none)'}
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "${MODEL_CLASS}.h"
#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
typedef VerilatedFstC TraceFile;
#elif VM_TRACE
#include "verilated_vcd_c.h"
typedef VerilatedVcdC TraceFile;
#endif

namespace {

const int kNumIn = ${nIn};
const int kNumOut = ${nOut};
const int kNumMem = ${mems.length};
const int kMaxOutStride = ${maxOutStride};
const int kMaxPlainWords = ${maxPlainWords};
const size_t kMaxProtocolErrors = 100;

// splitmix64: one independent generator per stream, so streams do not disturb each other.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed = 0) : s(seed) {}
  inline uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  inline uint32_t u32() { return static_cast<uint32_t>(next() >> 32); }
};

struct InStream {
  const char* name = "";
  uint32_t stride = 0;
  std::vector<uint32_t> data;
  std::vector<uint64_t> cycles;  // cycle of each accepted record
  uint64_t count = 0, idx = 0;
  bool haveCount = false, offering = false, ready = false;
  uint32_t thresh = 0;
  Rng rng;
  int64_t first = -1, last = -1;
};

struct OutStream {
  const char* name = "";
  uint32_t stride = 0;
  std::vector<uint32_t> data;
  std::vector<uint64_t> cycles;       // cycle of each transfer
  std::vector<uint64_t> validCycles;  // cycle at which valid rose for each transferred record
  uint64_t count = 0;
  int64_t since = -1;
  int64_t expect = -1;
  bool ready = false, valid = false, pending = false;
  uint32_t thresh = 0;
  Rng rng;
  int64_t first = -1, last = -1;
  uint32_t cur[kMaxOutStride] = {};
  uint32_t hold[kMaxOutStride] = {};
};

// A memory behind a request/response stream pair: the image, and the requests not yet answered.
struct MemRequest {
  int64_t due;  // first cycle the response may be offered
  uint64_t addr;
  bool bad;     // outside the image: answered with 0
};
struct Memory {
  const char* name = "";
  const char* request = "";
  const char* addrField = "";
  uint32_t stride = 0;
  uint64_t words = 0;
  std::vector<uint32_t> data;
  std::vector<uint32_t> zero;
  std::deque<MemRequest> queue;
  uint64_t requests = 0, responses = 0, peak = 0;
  bool reqReady = false, reqPending = false, offering = false;
  uint64_t reqHold = 0;
  uint32_t bpThresh = 0, stallThresh = 0;
  Rng rng;
  const uint32_t* word(const MemRequest& r) const { return r.bad ? zero.data() : data.data() + r.addr * stride; }
};

struct ProtocolError {
  std::string stream, kind, field, before, after;
  int64_t cycle;
};
std::vector<ProtocolError> g_errors;
uint64_t g_errorCount = 0;

// Writes every page behind a reserved vector before the timed loop, so that first-touch page faults
// are not counted as (or interleaved with) simulation time.
template <class V>
void prefault(V& v) {
  v.resize(v.capacity());
  v.clear();
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "kvhdl-tb: %s\\n", msg.c_str());
  std::exit(2);
}

std::string hex(const uint32_t* w, int n) {
  int top = n - 1;
  while (top > 0 && w[top] == 0) --top;
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", w[top]);
  std::string s = buf;
  for (int k = top - 1; k >= 0; --k) {
    std::snprintf(buf, sizeof buf, "%08x", w[k]);
    s += buf;
  }
  return s;
}

void protocol_error(const char* stream, const char* kind, const char* field, int64_t cycle, const std::string& before,
                    const std::string& after) {
  ++g_errorCount;
  if (g_errors.size() < kMaxProtocolErrors) g_errors.push_back({stream, kind, field, before, after, cycle});
}

bool parse_hex(const char* s, std::vector<uint32_t>& w) {
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
  const size_t n = std::strlen(s);
  if (n == 0) return false;
  w.assign((n + 7) / 8 + kMaxPlainWords, 0u);
  for (size_t i = 0; i < n; ++i) {
    const char c = s[n - 1 - i];
    uint32_t d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    w[i / 8] |= d << (4 * (i % 8));
  }
  return true;
}

uint64_t parse_u64(const std::string& what, const char* s) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (!*s || *end) die("bad number for " + what + ": '" + s + "'");
  return v;
}

int64_t parse_i64(const std::string& what, const char* s) {
  char* end = nullptr;
  const long long v = std::strtoll(s, &end, 10);
  if (!*s || *end) die("bad number for " + what + ": '" + s + "'");
  return v;
}

uint32_t threshold(const std::string& what, const char* s) {
  char* end = nullptr;
  const double p = std::strtod(s, &end);
  if (!*s || *end || !(p >= 0.0) || !(p < 1.0)) die("bad probability for " + what + ": '" + s + "' (want 0 <= p < 1)");
  return static_cast<uint32_t>(p * 4294967296.0);
}

void read_words(const std::string& path, std::vector<uint32_t>& out, size_t words) {
  out.resize(words);
  if (words == 0) return;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) die("cannot open " + path);
  const size_t got = std::fread(out.data(), 4, words, f);
  std::fclose(f);
  if (got != words) die(path + ": expected " + std::to_string(words) + " words, file has " + std::to_string(got));
}

uint64_t file_words(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return 0;
  std::fseek(f, 0, SEEK_END);
  const long n = std::ftell(f);
  std::fclose(f);
  return n > 0 ? static_cast<uint64_t>(n) / 4 : 0;
}

void write_bytes(const std::string& path, const void* p, size_t n) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) die("cannot write " + path);
  if (n && std::fwrite(p, 1, n, f) != n) die("short write to " + path);
  if (std::fclose(f) != 0) die("cannot write " + path);
}

bool split_eq(const char* arg, std::string& name, std::string& value) {
  const char* eq = std::strchr(arg, '=');
  if (!eq) return false;
  name.assign(arg, eq - arg);
  value.assign(eq + 1);
  return true;
}

bool set_plain(${MODEL_CLASS}* dut, const std::string& name, const std::vector<uint32_t>& w) {
  (void)dut; (void)name; (void)w;
${plainSetters}  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  uint64_t seed = 1, hangCycles = 10000, drainCycles = 100, maxCycles = UINT64_MAX;
  int64_t resetCycles = 5;
  uint32_t stallThresh = 0, bpThresh = 0;
  std::string tracePath;
  int64_t traceFrom = INT64_MIN, traceTo = INT64_MAX;
  InStream in[kNumIn > 0 ? kNumIn : 1];
  OutStream out[kNumOut > 0 ? kNumOut : 1];
${initStreams}  Memory mem[kNumMem > 0 ? kNumMem : 1];
${mem.init}  int64_t memLatMin = 1, memLatMax = 8;
  uint64_t memOutstanding = 64;
  std::vector<std::pair<std::string, std::vector<uint32_t>>> sets;

  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (!a.empty() && a[0] == '+') continue;  // +verilator+... arguments: handled by the context
    if (i + 1 >= argc) die("missing value after " + a);
    const char* v = argv[++i];
    std::string name, value;
    if (a == "--dir") dir = v;
    else if (a == "--seed") seed = parse_u64(a, v);
    else if (a == "--stall") stallThresh = threshold(a, v);
    else if (a == "--backpressure") bpThresh = threshold(a, v);
    else if (a == "--hang") hangCycles = parse_u64(a, v);
    else if (a == "--drain") drainCycles = parse_u64(a, v);
    else if (a == "--max-cycles") maxCycles = parse_u64(a, v);
    else if (a == "--reset-cycles") resetCycles = parse_i64(a, v);
    else if (a == "--trace") tracePath = v;
    else if (a == "--mem-latency") {
      const char* colon = std::strchr(v, ':');
      if (!colon) die("--mem-latency wants MIN:MAX, got '" + std::string(v) + "'");
      memLatMin = parse_i64(a, std::string(v, colon - v).c_str());
      memLatMax = parse_i64(a, colon + 1);
      if (memLatMin < 1 || memLatMax < memLatMin) die("--mem-latency wants 1 <= MIN <= MAX, got '" + std::string(v) + "'");
    } else if (a == "--mem-outstanding") {
      memOutstanding = parse_u64(a, v);
      if (memOutstanding < 1) die("--mem-outstanding must be at least 1");
    }
    else if (a == "--trace-from") traceFrom = parse_i64(a, v);
    else if (a == "--trace-to") traceTo = parse_i64(a, v);
    else if (a == "--count" || a == "--expect") {
      if (!split_eq(v, name, value)) die(a + " wants STREAM=N, got '" + v + "'");
      bool found = false;
      if (a == "--count") {
        for (int k = 0; k < kNumIn; ++k)
          if (name == in[k].name) { in[k].count = parse_u64(a, value.c_str()); in[k].haveCount = true; found = true; }
      } else {
        for (int k = 0; k < kNumOut; ++k)
          if (name == out[k].name) { out[k].expect = static_cast<int64_t>(parse_u64(a, value.c_str())); found = true; }
      }
      if (!found) die(a + ": no such stream '" + name + "'");
    } else if (a == "--set") {
      std::vector<uint32_t> w;
      if (!split_eq(v, name, value) || !parse_hex(value.c_str(), w)) die("--set wants PORT=HEX, got '" + std::string(v) + "'");
      sets.emplace_back(name, w);
    } else die("unknown argument " + a);
  }
  if (resetCycles < 1) die("--reset-cycles must be at least 1");

  // Stimulus: whole files, read in bulk.
  for (int k = 0; k < kNumIn; ++k) {
    InStream& s = in[k];
    const std::string path = dir + "/" + s.name + ".in.bin";
    if (!s.haveCount) s.count = s.stride ? file_words(path) / s.stride : 0;
    read_words(path, s.data, s.count * s.stride);
    s.cycles.reserve(static_cast<size_t>(s.count));
    prefault(s.cycles);
    s.thresh = stallThresh;
    s.rng = Rng(seed * 0x2545f4914f6cdd1dULL + 0x1000u + static_cast<uint64_t>(k));
  }
  for (int k = 0; k < kNumOut; ++k) {
    OutStream& o = out[k];
    o.thresh = bpThresh;
    o.rng = Rng(seed * 0x2545f4914f6cdd1dULL + 0x2000u + static_cast<uint64_t>(k));
    if (o.expect > 0) {
      o.data.reserve(static_cast<size_t>(o.expect + 1) * o.stride);
      o.cycles.reserve(static_cast<size_t>(o.expect + 1));
      o.validCycles.reserve(static_cast<size_t>(o.expect + 1));
      prefault(o.data);
      prefault(o.cycles);
      prefault(o.validCycles);
    }
  }

  for (int k = 0; k < kNumMem; ++k) {
    Memory& mm = mem[k];
    const std::string path = dir + "/" + mm.name + ".mem.bin";
    mm.words = file_words(path) / mm.stride;
    read_words(path, mm.data, mm.words * mm.stride);
    mm.zero.assign(mm.stride, 0u);
    mm.bpThresh = bpThresh;
    mm.stallThresh = stallThresh;
    mm.rng = Rng(seed * 0x2545f4914f6cdd1dULL + 0x3000u + static_cast<uint64_t>(k));
  }

  auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);  // +verilator+seed+N, +verilator+rand+reset+2 (before the model exists)
#if VM_TRACE
  std::unique_ptr<TraceFile> tfp;
  if (!tracePath.empty()) ctx->traceEverOn(true);
#else
  if (!tracePath.empty()) die("--trace: this simulator was built without trace support");
#endif
  auto dut = std::make_unique<${MODEL_CLASS}>(ctx.get(), "TOP");
#if VM_TRACE
  if (!tracePath.empty()) {
    tfp.reset(new TraceFile);
    dut->trace(tfp.get(), 99);
    tfp->open(tracePath.c_str());
    if (!tfp->isOpen()) die("cannot open trace file " + tracePath);
  }
#define DUMP(t) do { if (tfp && cyc >= traceFrom && cyc <= traceTo) tfp->dump(t); } while (0)
#else
#define DUMP(t) do { } while (0)
#endif

  // Plain inputs: 0 unless set.
${plainZero}  for (const auto& s : sets)
    if (!set_plain(dut.get(), s.first, s.second)) die("--set: no plain input port '" + s.first + "'");

  int64_t cyc = -resetCycles;
  const auto t0 = std::chrono::steady_clock::now();

  // Reset: valid low, ready low, reset high.
  ${setClk(0)}
  ${setRst(1)}
${resetDrive}${mem.reset}  for (; cyc < 0; ++cyc) {
    const uint64_t ts = static_cast<uint64_t>(cyc + resetCycles) * 10;
    ${setClk(0)}
    ctx->time(ts);
    dut->eval();
    DUMP(ts);
    ${setClk(1)}
    ctx->time(ts + 5);
    dut->eval();
    DUMP(ts + 5);
  }
  ${setRst(0)}

  const char* status = "done";
  int64_t firstIn = -1, doneAt = -1;
  uint64_t idle = 0;       // cycles without a transfer in which the testbench held nothing back
  int64_t idleSince = 0;   // first cycle after the last transfer
  bool extra = false;
  for (;; ++cyc) {
    if (static_cast<uint64_t>(cyc) >= maxCycles) { status = "max-cycles"; break; }
    const uint64_t ts = static_cast<uint64_t>(cyc + resetCycles) * 10;
    // starved: the testbench held something back this cycle (an input gap, backpressure, a
    // memory's gap): such a cycle does not count towards a hang (a starved design is not hung).
    bool starved = false;
${indent(driveInputs + driveReady + mem.drive)}
    ${setClk(0)}
    ctx->time(ts);
    dut->eval();
    DUMP(ts);

    bool progress = false;
${indent(sampleInputs + sampleOutputs + mem.sample)}
    ${setClk(1)}
    ctx->time(ts + 5);
    dut->eval();
    DUMP(ts + 5);

${indent(acceptInputs)}
    if (ctx->gotFinish()) { status = "finish"; ++cyc; break; }
    if (doneAt < 0) {
      bool allIn = true, allOut = true;
      for (int k = 0; k < kNumIn; ++k) allIn = allIn && in[k].idx >= in[k].count;
      for (int k = 0; k < kNumOut; ++k) {
        if (out[k].expect >= 0 && static_cast<int64_t>(out[k].count) > out[k].expect) extra = true;
        allOut = allOut && (out[k].expect < 0 || static_cast<int64_t>(out[k].count) >= out[k].expect);
      }
      if ((allIn && allOut) || extra) doneAt = cyc;
    } else {
      for (int k = 0; k < kNumOut; ++k)
        if (out[k].expect >= 0 && static_cast<int64_t>(out[k].count) > out[k].expect) extra = true;
    }
    if (doneAt >= 0 && static_cast<uint64_t>(cyc - doneAt) >= drainCycles) { status = extra ? "extra" : "done"; ++cyc; break; }
    if (progress) { idle = 0; idleSince = cyc + 1; }
    else if (!starved) ++idle;
    if (doneAt < 0 && idle >= hangCycles) { status = "hang"; ++cyc; break; }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
#if VM_TRACE
  if (tfp) tfp->close();
#endif
  dut->final();

  for (int k = 0; k < kNumOut; ++k) {
    const OutStream& o = out[k];
    write_bytes(dir + "/" + o.name + ".out.bin", o.data.data(), o.data.size() * 4);
    write_bytes(dir + "/" + o.name + ".out.cycles.bin", o.cycles.data(), o.cycles.size() * 8);
    write_bytes(dir + "/" + o.name + ".out.valid-cycles.bin", o.validCycles.data(), o.validCycles.size() * 8);
  }
  for (int k = 0; k < kNumIn; ++k) {
    const InStream& s = in[k];
    write_bytes(dir + "/" + s.name + ".in.cycles.bin", s.cycles.data(), s.cycles.size() * 8);
  }

  FILE* f = std::fopen((dir + "/result.json").c_str(), "w");
  if (!f) die("cannot write " + dir + "/result.json");
  std::fprintf(f, "{\\n  \\"status\\": \\"%s\\",\\n  \\"cycles\\": %" PRId64 ",\\n  \\"resetCycles\\": %" PRId64 ",\\n", status, cyc,
               resetCycles);
  std::fprintf(f, "  \\"idleCycles\\": %" PRIu64 ",\\n  \\"idleSince\\": %" PRId64 ",\\n  \\"doneAt\\": %" PRId64 ",\\n  \\"firstInput\\": %" PRId64 ",\\n", idle,
               idleSince, doneAt, firstIn);
  std::fprintf(f, "  \\"simSeconds\\": %.6f,\\n  \\"in\\": [", secs);
  for (int k = 0; k < kNumIn; ++k) {
    const InStream& s = in[k];
    std::fprintf(f, "%s\\n    {\\"name\\": \\"%s\\", \\"count\\": %" PRIu64 ", \\"accepted\\": %" PRIu64
                 ", \\"first\\": %" PRId64 ", \\"last\\": %" PRId64 ", \\"valid\\": %d, \\"ready\\": %d}",
                 k ? "," : "", s.name, s.count, s.idx, s.first, s.last, s.offering ? 1 : 0, s.ready ? 1 : 0);
  }
  std::fprintf(f, "\\n  ],\\n  \\"out\\": [");
  for (int k = 0; k < kNumOut; ++k) {
    const OutStream& o = out[k];
    std::fprintf(f, "%s\\n    {\\"name\\": \\"%s\\", \\"expected\\": %" PRId64 ", \\"count\\": %" PRIu64
                 ", \\"first\\": %" PRId64 ", \\"last\\": %" PRId64 ", \\"valid\\": %d, \\"ready\\": %d}",
                 k ? "," : "", o.name, o.expect, o.count, o.first, o.last, o.valid ? 1 : 0, o.ready ? 1 : 0);
  }
  std::fprintf(f, "\\n  ],\\n  \\"memories\\": [");
  for (int k = 0; k < kNumMem; ++k) {
    const Memory& mm = mem[k];
    std::fprintf(f, "%s\\n    {\\"name\\": \\"%s\\", \\"words\\": %" PRIu64 ", \\"requests\\": %" PRIu64 ", \\"responses\\": %" PRIu64
                 ", \\"peakOutstanding\\": %" PRIu64 "}",
                 k ? "," : "", mm.name, mm.words, mm.requests, mm.responses, mm.peak);
  }
  std::fprintf(f, "\\n  ],\\n  \\"plainOutputs\\": {");
  uint32_t pw[kMaxPlainWords] = {};
  (void)pw;
${plainOutJson}  std::fprintf(f, "},\\n  \\"protocolErrorCount\\": %" PRIu64 ",\\n  \\"protocolErrors\\": [", g_errorCount);
  for (size_t k = 0; k < g_errors.size(); ++k) {
    const ProtocolError& e = g_errors[k];
    std::fprintf(f, "%s\\n    {\\"stream\\": \\"%s\\", \\"kind\\": \\"%s\\", \\"cycle\\": %" PRId64
                 ", \\"field\\": \\"%s\\", \\"before\\": \\"%s\\", \\"after\\": \\"%s\\"}",
                 k ? "," : "", e.stream.c_str(), e.kind.c_str(), e.cycle, e.field.c_str(), e.before.c_str(), e.after.c_str());
  }
  std::fprintf(f, "\\n  ]\\n}\\n");
  if (std::fclose(f) != 0) die("cannot write " + dir + "/result.json");
  return 0;
}
`;
}

/** The C++ of the design's memories: initialisation, per-cycle drive, sampling, reset values. */
function memoryCode(design: DesignUnderTest, mems: readonly MemorySpec[]): { init: string; drive: string; sample: string; reset: string } {
  const streamOf = (n: string): StreamSpec => design.streams.find((s) => s.name === n)!;
  let init = '';
  let drive = '';
  let sample = '';
  let reset = '';
  mems.forEach((m, k) => {
    const req = streamOf(m.request);
    const resp = streamOf(m.response);
    const addr = req.fields.find((f) => f.name === m.addressField)!;
    const data = resp.fields.find((f) => f.name === m.dataField)!;
    const stride = Math.ceil(m.wordWidth / 32);
    init += `  mem[${k}].name = ${cstr(m.name)}; mem[${k}].request = ${cstr(m.request)}; mem[${k}].addrField = ${cstr(m.addressField)}; mem[${k}].stride = ${stride};\n`;
    // Other fields of the response stream (none expected) carry random bits.
    const otherResp = resp.fields.filter((f) => f !== data);
    drive +=
      `  {  // memory '${m.name}': request ready, response offer\n` +
      `    Memory& mm = mem[${k}];\n` +
      `    mm.reqReady = mm.queue.size() < memOutstanding && (mm.bpThresh == 0 || mm.rng.u32() >= mm.bpThresh);\n` +
      `    dut->${streamPortName(req, 'ready')} = mm.reqReady;\n` +
      `    if (!mm.reqReady && mm.queue.size() < memOutstanding) starved = true;\n` +
      `    if (!mm.offering && !mm.queue.empty() && mm.queue.front().due <= cyc)\n` +
      `      mm.offering = mm.stallThresh == 0 || mm.rng.u32() >= mm.stallThresh;\n` +
      `    if (!mm.offering && !mm.queue.empty() && mm.queue.front().due <= cyc) starved = true;\n` +
      `    if (mm.offering) {\n` +
      `      const uint32_t* r = mm.word(mm.queue.front());\n` +
      `      dut->${streamPortName(resp, 'valid')} = 1;\n` +
      setPort(streamPortName(resp, data.name), data.width, (w) => `r[${w}]`, '      ') +
      `    } else {\n` +
      `      dut->${streamPortName(resp, 'valid')} = 0;\n` +
      setPortRandom(streamPortName(resp, data.name), data.width, 'mm.rng', '      ') +
      `    }\n` +
      otherResp.map((f) => setPortRandom(streamPortName(resp, f.name), f.width, 'mm.rng', '    ')).join('') +
      `  }\n`;
    sample +=
      `  {  // memory '${m.name}': requests in, responses out\n` +
      `    Memory& mm = mem[${k}];\n` +
      `    const bool rv = dut->${streamPortName(req, 'valid')} != 0;\n` +
      `    const uint64_t a = rv ? static_cast<uint64_t>(dut->${streamPortName(req, addr.name)}) : mm.reqHold;\n` +
      `    if (mm.reqPending) {\n` +
      `      uint32_t hw[2] = {static_cast<uint32_t>(mm.reqHold), static_cast<uint32_t>(mm.reqHold >> 32)};\n` +
      `      uint32_t aw[2] = {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32)};\n` +
      `      if (!rv) protocol_error(mm.request, "valid-dropped", "", cyc, "", "");\n` +
      `      else if (a != mm.reqHold) protocol_error(mm.request, "payload-changed", mm.addrField, cyc, hex(hw, 2), hex(aw, 2));\n` +
      `    }\n` +
      `    if (rv && mm.reqReady) {\n` +
      `      const bool bad = a >= mm.words;\n` +
      `      if (bad) {\n` +
      `        uint32_t nw[2] = {static_cast<uint32_t>(mm.words), static_cast<uint32_t>(mm.words >> 32)};\n` +
      `        uint32_t aw[2] = {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32)};\n` +
      `        protocol_error(mm.request, "address-out-of-range", mm.addrField, cyc, hex(nw, 2), hex(aw, 2));\n` +
      `      }\n` +
      `      const int64_t lat = memLatMin + static_cast<int64_t>(mm.rng.next() % static_cast<uint64_t>(memLatMax - memLatMin + 1));\n` +
      `      mm.queue.push_back({cyc + lat, bad ? 0 : a, bad});\n` +
      `      if (mm.queue.size() > mm.peak) mm.peak = mm.queue.size();\n` +
      `      ++mm.requests;\n` +
      `      progress = true;\n` +
      `    }\n` +
      `    mm.reqPending = rv && !mm.reqReady;\n` +
      `    if (rv) mm.reqHold = a;\n` +
      `    if (mm.offering && dut->${streamPortName(resp, 'ready')} != 0) {\n` +
      `      mm.queue.pop_front();\n` +
      `      mm.offering = false;\n` +
      `      ++mm.responses;\n` +
      `      progress = true;\n` +
      `    }\n` +
      `  }\n`;
    reset +=
      `  dut->${streamPortName(req, 'ready')} = 0;\n  dut->${streamPortName(resp, 'valid')} = 0;\n` +
      resp.fields.map((f) => setPort(streamPortName(resp, f.name), f.width, () => '0u', '  ')).join('');
  });
  return { init, drive, sample, reset };
}
