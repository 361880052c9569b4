// kvhdl Verilator testbench runtime: the simulator's command line.
//
// Usage: sim --dir DIR [--seed N] [--stall P] [--backpressure P] [--hang N] [--drain N]
//            [--max-cycles N] [--reset-cycles N] [--count STREAM=N] [--expect STREAM=N]
//            [--set PORT=HEX] [--trace FILE] [--trace-from CYCLE] [--trace-to CYCLE]
//            [--mem-latency MIN:MAX] [--mem-outstanding N]
//            [+verilator+seed+N] [+verilator+rand+reset+2]
// Everything that changes between runs of one design is an argument, so one build serves them all.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "streams.h"

namespace tb {

struct Options {
  std::string dir = ".";
  uint64_t seed = 1, hangCycles = 10000, drainCycles = 100, maxCycles = UINT64_MAX;
  int64_t resetCycles = 5;
  uint32_t stallThresh = 0, bpThresh = 0;  // probabilities scaled to 2^32
  std::string tracePath;
  int64_t traceFrom = INT64_MIN, traceTo = INT64_MAX;
  int64_t memLatMin = 1, memLatMax = 8;
  uint64_t memOutstanding = 64;
  std::vector<std::pair<std::string, std::vector<uint32_t>>> sets;  // --set PORT=HEX, as words
};

// Parses argv (dies with a message on a bad argument). `--count` sets in[k].count, `--expect`
// sets out[k].expect; `--set` values are parsed into words padded by `plainWords` zero words.
Options parse_options(int argc, char** argv, InStream* in, int nIn, OutStream* out, int nOut, int plainWords);

}  // namespace tb
