// kvhdl Verilator testbench runtime: output-protocol violations seen by the testbench.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tb {

struct ProtocolError {
  std::string stream, kind, field, before, after;
  int64_t cycle;
};

// The first kMaxProtocolErrors violations are kept; protocol_error_count() counts them all.
const size_t kMaxProtocolErrors = 100;

void protocol_error(const char* stream, const char* kind, const char* field, int64_t cycle, const std::string& before,
                    const std::string& after);
const std::vector<ProtocolError>& protocol_errors();
uint64_t protocol_error_count();

// `0x...` of the n little-endian words at w, without leading zeros.
std::string hex(const uint32_t* w, int n);

}  // namespace tb
