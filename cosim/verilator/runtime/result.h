// kvhdl Verilator testbench runtime: the files a run leaves in --dir.
//
// `<s>.out.bin`, `<s>.out.cycles.bin`, `<s>.out.valid-cycles.bin`, `<s>.in.cycles.bin` and
// `result.json` (status, cycles, per-stream counts and final handshakes, memories, plain outputs,
// protocol errors); cosim/report.ts reads them.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "memory.h"
#include "streams.h"

namespace tb {

// How the cycle loop ended.
struct RunEnd {
  const char* status;  // done, extra, hang, max-cycles, finish, assertion
  int64_t cycles;
  int64_t resetCycles;
  uint64_t idle;       // hang-counting idle cycles at the end
  int64_t idleSince;   // first cycle after the last transfer
  int64_t doneAt;
  int64_t firstIn;
  double seconds;      // wall time of the loop
  int64_t assertionAt; // cycle whose rising edge failed an assertion (status "assertion"), else -1
};

// Writes every stream's record and cycle files and result.json; `plainOutputs` prints the
// `"port": "0x..."` members of the plainOutputs object.
void write_results(const std::string& dir, const RunEnd& end, const InStream* in, int nIn, const OutStream* out, int nOut, const Memory* mem,
                   int nMem, const std::function<void(FILE*)>& plainOutputs);

}  // namespace tb
