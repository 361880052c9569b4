// kvhdl Verilator testbench runtime: a memory behind a request/response stream pair.
//
// The image is read from `<name>.mem.bin`; requests are answered in order, each no earlier than a
// random latency in [latMin, latMax] cycles after its transfer. The generated design header moves
// the words between this model and the ports.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "rng.h"

namespace tb {

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
  int64_t latMin = 1, latMax = 8;  // response latency range (cycles)
  uint64_t outstanding = 64;       // requests accepted but unanswered before the request ready drops
  Rng rng;
  const uint32_t* word(const MemRequest& r) const { return r.bad ? zero.data() : data.data() + r.addr * stride; }
};

// Loads memory k's image from `dir` and sets its random schedule.
void load_memory(Memory& mm, const std::string& dir, int k, uint64_t seed, uint32_t bpThresh, uint32_t stallThresh, int64_t latMin,
                 int64_t latMax, uint64_t outstanding);

}  // namespace tb
