// kvhdl Verilator testbench runtime: memory set-up (see memory.h).
#include "memory.h"

#include "io.h"

namespace tb {

void load_memory(Memory& mm, const std::string& dir, int k, uint64_t seed, uint32_t bpThresh, uint32_t stallThresh, int64_t latMin,
                 int64_t latMax, uint64_t outstanding) {
  const std::string path = dir + "/" + mm.name + ".mem.bin";
  mm.words = file_words(path) / mm.stride;
  read_words(path, mm.data, mm.words * mm.stride);
  mm.zero.assign(mm.stride, 0u);
  mm.bpThresh = bpThresh;
  mm.stallThresh = stallThresh;
  mm.latMin = latMin;
  mm.latMax = latMax;
  mm.outstanding = outstanding;
  mm.rng = stream_rng(seed, 0x3000u, k);
}

}  // namespace tb
