// kvhdl Verilator testbench runtime: output-protocol violations (see protocol.h).
#include "protocol.h"

#include <cstdio>

namespace tb {

namespace {
std::vector<ProtocolError> g_errors;
uint64_t g_errorCount = 0;
}  // namespace

void protocol_error(const char* stream, const char* kind, const char* field, int64_t cycle, const std::string& before,
                    const std::string& after) {
  ++g_errorCount;
  if (g_errors.size() < kMaxProtocolErrors) g_errors.push_back({stream, kind, field, before, after, cycle});
}

const std::vector<ProtocolError>& protocol_errors() { return g_errors; }

uint64_t protocol_error_count() { return g_errorCount; }

std::string hex(const uint32_t* w, int n) {
  int top = n - 1;
  while (top > 0 && w[top] == 0) --top;
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", w[top]);
  std::string s = buf;
  for (int k = top - 1; k >= 0; --k) {
    std::snprintf(buf, sizeof buf, "%08x", w[k]);
    s += buf;
  }
  return s;
}

}  // namespace tb
