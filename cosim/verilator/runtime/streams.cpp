// kvhdl Verilator testbench runtime: stream set-up before the timed loop (see streams.h).
#include "streams.h"

#include "io.h"

namespace tb {

void load_input(InStream& s, const std::string& dir, int k, uint64_t seed, uint32_t stallThresh) {
  const std::string path = dir + "/" + s.name + ".in.bin";
  if (!s.haveCount) s.count = s.stride ? file_words(path) / s.stride : 0;
  read_words(path, s.data, s.count * s.stride);
  s.cycles.reserve(static_cast<size_t>(s.count));
  prefault(s.cycles);
  s.thresh = stallThresh;
  s.rng = stream_rng(seed, 0x1000u, k);
}

void prepare_output(OutStream& o, int k, uint64_t seed, uint32_t bpThresh) {
  o.thresh = bpThresh;
  o.rng = stream_rng(seed, 0x2000u, k);
  o.hold.assign(o.stride, 0u);
  if (o.expect > 0) {
    o.data.reserve(static_cast<size_t>(o.expect + 1) * o.stride);
    o.cycles.reserve(static_cast<size_t>(o.expect + 1));
    o.validCycles.reserve(static_cast<size_t>(o.expect + 1));
    prefault(o.data);
    prefault(o.cycles);
    prefault(o.validCycles);
  }
}

}  // namespace tb
