// kvhdl Verilator testbench runtime: the state of an input and an output stream.
//
// The generated design header (tb_design.h) drives and samples the ports; these structs hold what
// the testbench knows about each stream between cycles.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "rng.h"

namespace tb {

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
  std::vector<uint32_t> hold;  // the payload offered while valid && !ready (stride words)
};

// Writes every page behind a reserved vector before the timed loop, so that first-touch page faults
// are not counted as (or interleaved with) simulation time.
template <class V>
void prefault(V& v) {
  v.resize(v.capacity());
  v.clear();
}

// Reads input stream k's records (`<dir>/<name>.in.bin`; all of them unless --count set a count)
// and seeds its random gaps.
void load_input(InStream& s, const std::string& dir, int k, uint64_t seed, uint32_t stallThresh);

// Seeds output stream k's backpressure and reserves room for its expected records.
void prepare_output(OutStream& o, int k, uint64_t seed, uint32_t bpThresh);

}  // namespace tb
