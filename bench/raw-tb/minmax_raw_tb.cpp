// Hand-written Verilator testbench for the minmax unit in its default configuration (8 lanes x 16
// bits: in_data is 128 bits), the raw baseline of bench/cosim.ts. Not generated.
//
// It does the least a testbench can do for the same simulation as the kvhdl harness with no
// stalls and no backpressure: read the stimulus record file into memory, reset, then per cycle
// drive in_valid/in_data/in_last from the next record, out_ready = 1, clock low + eval (sample the
// handshakes), clock high + eval. Outputs are counted and folded into a checksum (so the reads are
// not optimised away); nothing is recorded or checked.
//
// Built by bench/cosim.ts with the harness's Verilator flags (cosim/verilator/build.ts:
// `-O3 --x-assign unique --x-initial unique --MAKEFLAGS OPT_FAST=-O2`, `--prefix Vdut`).
//
// Usage: minmax_raw_tb IN_BIN [DRAIN_CYCLES]
//   IN_BIN: records of 5 little-endian uint32 words (in_data least significant word first, then
//           in_last), the TxnTable layout of cosim/transactions.ts (`in.in.bin` of a run dir).
// Prints one JSON line: {"beats", "cycles", "outputs", "checksum", "seconds"}. `cycles` counts
// cycles after reset (as the harness's report does); `seconds` is the loop time (reset included,
// file reading excluded), measured like the harness's simSeconds.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "Vdut.h"
#include "verilated.h"

namespace {
const unsigned kStride = 5;  // 4 data words + 1 last word
const int kResetCycles = 5;  // as the harness's default

[[noreturn]] void die(const char* msg, const char* arg) {
  std::fprintf(stderr, "minmax_raw_tb: %s%s\n", msg, arg);
  std::exit(2);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: minmax_raw_tb IN_BIN [DRAIN_CYCLES]", "");
  const uint64_t drain = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100;

  FILE* f = std::fopen(argv[1], "rb");
  if (!f) die("cannot open ", argv[1]);
  std::fseek(f, 0, SEEK_END);
  const long bytes = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  if (bytes < 0 || bytes % (4 * kStride) != 0) die("file size is not a multiple of 20 bytes: ", argv[1]);
  const uint64_t beats = static_cast<uint64_t>(bytes) / (4 * kStride);
  std::vector<uint32_t> rec(beats * kStride);
  if (beats && std::fread(rec.data(), 4, rec.size(), f) != rec.size()) die("short read: ", argv[1]);
  std::fclose(f);

  auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  auto dut = std::make_unique<Vdut>(ctx.get(), "TOP");

  const auto t0 = std::chrono::steady_clock::now();

  // Reset: valid and ready low, data zero.
  dut->reset = 1;
  dut->in_valid = 0;
  dut->in_last = 0;
  for (int k = 0; k < 4; ++k) dut->in_data[k] = 0;
  dut->out_ready = 0;
  for (int c = 0; c < kResetCycles; ++c) {
    dut->clock = 0;
    dut->eval();
    dut->clock = 1;
    dut->eval();
  }
  dut->reset = 0;
  dut->out_ready = 1;

  uint64_t idx = 0, cycles = 0, outputs = 0, idleAfter = 0;
  uint32_t checksum = 2166136261u;  // FNV-1a over (uint16 min | uint16 max << 16) per output
  for (;; ++cycles) {
    const bool offer = idx < beats;
    if (offer) {
      const uint32_t* r = &rec[idx * kStride];
      dut->in_valid = 1;
      dut->in_data[0] = r[0];
      dut->in_data[1] = r[1];
      dut->in_data[2] = r[2];
      dut->in_data[3] = r[3];
      dut->in_last = r[4] & 1u;
    } else {
      dut->in_valid = 0;
    }
    dut->clock = 0;
    dut->eval();
    const bool fireIn = offer && dut->in_ready;
    if (dut->out_valid) {  // out_ready is 1: every offered output transfers on this edge
      const uint32_t w = (static_cast<uint32_t>(dut->out_min) & 0xffffu) | ((static_cast<uint32_t>(dut->out_max) & 0xffffu) << 16);
      checksum = (checksum ^ w) * 16777619u;
      ++outputs;
    }
    dut->clock = 1;
    dut->eval();
    if (fireIn) ++idx;
    if (idx >= beats && ++idleAfter > drain) {
      ++cycles;
      break;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  dut->final();

  std::printf("{\"beats\": %" PRIu64 ", \"cycles\": %" PRIu64 ", \"outputs\": %" PRIu64 ", \"checksum\": %" PRIu32
              ", \"seconds\": %.6f}\n",
              beats, cycles, outputs, checksum, secs);
  return 0;
}
