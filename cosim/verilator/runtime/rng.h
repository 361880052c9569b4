// kvhdl Verilator testbench runtime: the random number generator.
#pragma once
#include <cstdint>

namespace tb {

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

// The generator of stream/memory k of a kind (0x1000 inputs, 0x2000 outputs, 0x3000 memories).
inline Rng stream_rng(uint64_t seed, uint64_t kind, int k) {
  return Rng(seed * 0x2545f4914f6cdd1dULL + kind + static_cast<uint64_t>(k));
}

}  // namespace tb
