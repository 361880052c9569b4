// kvhdl co-simulation testbench: the fixed driver around a Verilated model.
//
// The design-dependent part is the generated `tb_design.h` (see design.h for what it provides);
// the command line is described in options.h, the files a run leaves in result.h.
//
// Per cycle (after --reset-cycles cycles with reset high):
//   1. each input stream offers its next record (valid high, fields from `<s>.in.bin`) unless a
//      seeded random gap (probability --stall) keeps it idle; once offered, a record stays
//      offered until accepted (valid never waits for ready; fields are random while valid is low);
//   2. each output stream's ready is high unless seeded random backpressure (--backpressure);
//   3. clock low, eval: sample handshakes and output payloads; check output protocol (valid kept
//      and payload stable while valid && !ready); record output transfers;
//   4. clock high, eval (the rising edge where the sampled transfers happen).
// The run ends --drain cycles after every input is accepted and every output stream has its
// --expect'ed count (or got more), or when nothing moved for --hang cycles while work remained;
// only cycles in which the testbench held nothing back count towards --hang (every input stream
// with records left offering one, every output ready, every due memory word offered), so a design
// starved by a high --stall/--backpressure is not reported as hung. A transfer "at cycle c"
// happens on the rising edge that ends cycle c.
//
// Memories: each memory's request stream's ready is low with probability --backpressure (and while
// --mem-outstanding requests are unanswered); each accepted request is answered in order, no
// earlier than a seeded random --mem-latency MIN:MAX cycles after its transfer, on the response
// stream (valid low with probability --stall in a cycle once the word is due). An address outside
// the image is a protocol error (`address-out-of-range`) and is answered with 0.
#include <chrono>
#include <cstdint>
#include <memory>

#include "design.h"
#include "io.h"
#include "options.h"
#include "result.h"
#include "tb_design.h"
#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
typedef VerilatedFstC TraceFile;
#elif VM_TRACE
#include "verilated_vcd_c.h"
typedef VerilatedVcdC TraceFile;
#endif

using namespace tb;

int main(int argc, char** argv) {
  InStream in[kNumIn > 0 ? kNumIn : 1];
  OutStream out[kNumOut > 0 ? kNumOut : 1];
  Memory mem[kNumMem > 0 ? kNumMem : 1];
  init_streams(in, out, mem);
  const Options opt = parse_options(argc, argv, in, kNumIn, out, kNumOut, kMaxPlainWords);

  // Stimulus and memory images: whole files, read in bulk.
  for (int k = 0; k < kNumIn; ++k) load_input(in[k], opt.dir, k, opt.seed, opt.stallThresh);
  for (int k = 0; k < kNumOut; ++k) prepare_output(out[k], k, opt.seed, opt.bpThresh);
  for (int k = 0; k < kNumMem; ++k)
    load_memory(mem[k], opt.dir, k, opt.seed, opt.bpThresh, opt.stallThresh, opt.memLatMin, opt.memLatMax, opt.memOutstanding);

  auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);  // +verilator+seed+N, +verilator+rand+reset+2 (before the model exists)
#if VM_TRACE
  std::unique_ptr<TraceFile> tfp;
  if (!opt.tracePath.empty()) ctx->traceEverOn(true);
#else
  if (!opt.tracePath.empty()) die("--trace: this simulator was built without trace support");
#endif
  // A failing assertion (the design's `ifdef FORMAL properties, built with -DFORMAL --assert) ends the
  // run with status "assertion" and its cycle instead of aborting the process; Verilator prints the
  // assertion's file:line on stdout.
  ctx->fatalOnError(false);
  const std::unique_ptr<Model> model = std::make_unique<Model>(ctx.get(), "TOP");
  // A plain pointer whose address is never taken: it stays in a register across eval() calls.
  Model* const dut = model.get();
#if VM_TRACE
  if (!opt.tracePath.empty()) {
    tfp.reset(new TraceFile);
    dut->trace(tfp.get(), 99);
    tfp->open(opt.tracePath.c_str());
    if (!tfp->isOpen()) die("cannot open trace file " + opt.tracePath);
  }
#define DUMP(t) do { if (tfp && cyc >= opt.traceFrom && cyc <= opt.traceTo) tfp->dump(t); } while (0)
#else
#define DUMP(t) do { } while (0)
#endif

  // Plain inputs: 0 unless set.
  drive_plain_zero(dut);
  for (const auto& s : opt.sets)
    if (!set_plain(dut, s.first, s.second)) die("--set: no plain input port '" + s.first + "'");

  // Loop bounds as locals (registers), not loads from `opt` after every eval().
  const int64_t resetCycles = opt.resetCycles;
  const uint64_t maxCycles = opt.maxCycles, drainCycles = opt.drainCycles, hangCycles = opt.hangCycles;
  int64_t cyc = -resetCycles;
  const auto t0 = std::chrono::steady_clock::now();

  // Reset: valid low, ready low, reset high.
  set_clock(dut, 0);
  set_reset(dut, 1);
  drive_reset(dut);
  for (; cyc < 0; ++cyc) {
    const uint64_t ts = static_cast<uint64_t>(cyc + resetCycles) * 10;
    set_clock(dut, 0);
    ctx->time(ts);
    dut->eval();
    DUMP(ts);
    set_clock(dut, 1);
    ctx->time(ts + 5);
    dut->eval();
    DUMP(ts + 5);
  }
  set_reset(dut, 0);

  const char* status = "done";
  int64_t firstIn = -1, doneAt = -1, assertionAt = -1;
  uint64_t idle = 0;       // cycles without a transfer in which the testbench held nothing back
  int64_t idleSince = 0;   // first cycle after the last transfer
  bool extra = false;
  for (;; ++cyc) {
    if (static_cast<uint64_t>(cyc) >= maxCycles) { status = "max-cycles"; break; }
    const uint64_t ts = static_cast<uint64_t>(cyc + resetCycles) * 10;
    // starved: the testbench held something back this cycle (an input gap, backpressure, a
    // memory's gap): such a cycle does not count towards a hang (a starved design is not hung).
    bool starved = false;
    drive(dut, in, out, mem, cyc, starved);

    set_clock(dut, 0);
    ctx->time(ts);
    dut->eval();
    DUMP(ts);

    bool progress = false;
    sample(dut, in, out, mem, cyc, progress);

    set_clock(dut, 1);
    ctx->time(ts + 5);
    dut->eval();
    DUMP(ts + 5);

    for (int k = 0; k < kNumIn; ++k) {
      InStream& s = in[k];
      if (!(s.offering && s.ready)) continue;  // accepted on this rising edge
      if (s.idx++ == 0) s.first = cyc;
      s.cycles.push_back(static_cast<uint64_t>(cyc));
      s.last = cyc;
      s.offering = false;
      if (firstIn < 0) firstIn = cyc;
      progress = true;
    }
    if (ctx->gotError()) { status = "assertion"; assertionAt = cyc; ++cyc; break; }
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

  const RunEnd end{status, cyc, resetCycles, idle, idleSince, doneAt, firstIn, secs, assertionAt};
  write_results(opt.dir, end, in, kNumIn, out, kNumOut, mem, kNumMem, [dut](FILE* f) { write_plain_outputs(dut, f); });
  return 0;
}
