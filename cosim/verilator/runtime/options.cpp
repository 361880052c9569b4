// kvhdl Verilator testbench runtime: the simulator's command line (see options.h).
#include "options.h"

#include <cstdlib>
#include <cstring>

#include "io.h"

namespace tb {

namespace {

bool parse_hex(const char* s, std::vector<uint32_t>& w, int plainWords) {
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
  const size_t n = std::strlen(s);
  if (n == 0) return false;
  w.assign((n + 7) / 8 + plainWords, 0u);
  for (size_t i = 0; i < n; ++i) {
    const char c = s[n - 1 - i];
    uint32_t d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    w[i / 8] |= d << (4 * (i % 8));
  }
  return true;
}

uint64_t parse_u64(const std::string& what, const char* s) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (!*s || *end) die("bad number for " + what + ": '" + s + "'");
  return v;
}

int64_t parse_i64(const std::string& what, const char* s) {
  char* end = nullptr;
  const long long v = std::strtoll(s, &end, 10);
  if (!*s || *end) die("bad number for " + what + ": '" + s + "'");
  return v;
}

uint32_t threshold(const std::string& what, const char* s) {
  char* end = nullptr;
  const double p = std::strtod(s, &end);
  if (!*s || *end || !(p >= 0.0) || !(p < 1.0)) die("bad probability for " + what + ": '" + s + "' (want 0 <= p < 1)");
  return static_cast<uint32_t>(p * 4294967296.0);
}

bool split_eq(const char* arg, std::string& name, std::string& value) {
  const char* eq = std::strchr(arg, '=');
  if (!eq) return false;
  name.assign(arg, eq - arg);
  value.assign(eq + 1);
  return true;
}

}  // namespace

Options parse_options(int argc, char** argv, InStream* in, int nIn, OutStream* out, int nOut, int plainWords) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (!a.empty() && a[0] == '+') continue;  // +verilator+... arguments: handled by the context
    if (i + 1 >= argc) die("missing value after " + a);
    const char* v = argv[++i];
    std::string name, value;
    if (a == "--dir") o.dir = v;
    else if (a == "--seed") o.seed = parse_u64(a, v);
    else if (a == "--stall") o.stallThresh = threshold(a, v);
    else if (a == "--backpressure") o.bpThresh = threshold(a, v);
    else if (a == "--hang") o.hangCycles = parse_u64(a, v);
    else if (a == "--drain") o.drainCycles = parse_u64(a, v);
    else if (a == "--max-cycles") o.maxCycles = parse_u64(a, v);
    else if (a == "--reset-cycles") o.resetCycles = parse_i64(a, v);
    else if (a == "--trace") o.tracePath = v;
    else if (a == "--mem-latency") {
      const char* colon = std::strchr(v, ':');
      if (!colon) die("--mem-latency wants MIN:MAX, got '" + std::string(v) + "'");
      o.memLatMin = parse_i64(a, std::string(v, colon - v).c_str());
      o.memLatMax = parse_i64(a, colon + 1);
      if (o.memLatMin < 1 || o.memLatMax < o.memLatMin) die("--mem-latency wants 1 <= MIN <= MAX, got '" + std::string(v) + "'");
    } else if (a == "--mem-outstanding") {
      o.memOutstanding = parse_u64(a, v);
      if (o.memOutstanding < 1) die("--mem-outstanding must be at least 1");
    } else if (a == "--trace-from") o.traceFrom = parse_i64(a, v);
    else if (a == "--trace-to") o.traceTo = parse_i64(a, v);
    else if (a == "--count" || a == "--expect") {
      if (!split_eq(v, name, value)) die(a + " wants STREAM=N, got '" + v + "'");
      bool found = false;
      if (a == "--count") {
        for (int k = 0; k < nIn; ++k)
          if (name == in[k].name) { in[k].count = parse_u64(a, value.c_str()); in[k].haveCount = true; found = true; }
      } else {
        for (int k = 0; k < nOut; ++k)
          if (name == out[k].name) { out[k].expect = static_cast<int64_t>(parse_u64(a, value.c_str())); found = true; }
      }
      if (!found) die(a + ": no such stream '" + name + "'");
    } else if (a == "--set") {
      std::vector<uint32_t> w;
      if (!split_eq(v, name, value) || !parse_hex(value.c_str(), w, plainWords)) die("--set wants PORT=HEX, got '" + std::string(v) + "'");
      o.sets.emplace_back(name, w);
    } else die("unknown argument " + a);
  }
  if (o.resetCycles < 1) die("--reset-cycles must be at least 1");
  return o;
}

}  // namespace tb
