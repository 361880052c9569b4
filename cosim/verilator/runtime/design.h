// kvhdl Verilator testbench runtime: what the generated design header provides.
//
// cosim/verilator/tbgen.ts writes `tb_design.h` for each design: everything that depends on the
// design's ports and streams, and nothing else. It includes this file and then defines, in
// namespace tb:
//
//   using Model = Vdut;                  the Verilated model (built with --prefix Vdut)
//   constexpr int kNumIn, kNumOut;       input and output streams (memory streams excluded)
//   constexpr int kNumMem;               memories behind request/response stream pairs
//   constexpr int kMaxPlainWords;        32-bit words of the widest plain port (at least 1)
//
// and the functions declared below. tb.cpp is the fixed driver that calls them.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "memory.h"
#include "protocol.h"
#include "streams.h"

class Vdut;

namespace tb {

// Names and record strides of the streams, names of the memories (before arguments are parsed).
inline void init_streams(InStream* in, OutStream* out, Memory* mem);

// The clock and reset ports (no-ops for a design without them).
inline void set_clock(Vdut* dut, int v);
inline void set_reset(Vdut* dut, int v);

// During reset: every valid and ready low, every payload 0.
inline void drive_reset(Vdut* dut);

// Plain inputs: all 0, then `--set PORT=HEX` (false: no such plain input).
inline void drive_plain_zero(Vdut* dut);
inline bool set_plain(Vdut* dut, const std::string& name, const std::vector<uint32_t>& w);

// Before the falling-edge eval of cycle `cyc`: offer input records (or random idle payloads),
// output readies, memory request readies and responses. Sets `starved` when the testbench held
// something back (a random gap or backpressure).
inline void drive(Vdut* dut, InStream* in, OutStream* out, Memory* mem, int64_t cyc, bool& starved);

// After the falling-edge eval: input readies (an offered record with ready high is accepted on this
// rising edge), output transfers and protocol checks, memory requests and answered responses.
// Sets `progress` on any transfer.
inline void sample(Vdut* dut, InStream* in, OutStream* out, Memory* mem, int64_t cyc, bool& progress);

// The members of result.json's plainOutputs object.
inline void write_plain_outputs(Vdut* dut, FILE* f);

}  // namespace tb
