// Exhaustive / sliced check of the combinational float operators (one format per build) against an
// independent C++ reference written from hdl/lib/float/golden/README.md (not from the RTL, not from
// the TS golden): every operation is computed in double and rounded once to the format with round
// to nearest even, subnormals kept, overflow to inf, every NaN result the canonical quiet NaN.
// Double rounding is harmless: double's 53 bits are at least 2p + 2 for p = 11 (fp16) and 8 (bf16)
// (Figueroa's theorem for +, -, *, /), and double's range holds every exact fp16/bf16 result.
//
// The design (module built by test/float/exhaustive.test.ts) has inputs a, b (16 bits) and outputs
// add, sub, mul, div, mn, mx (16 bits) and cmp = {lt, le, eq}.
//
// usage: sim --exp E --man M (--a-from X --a-to Y | --a-list x,y,...) [--fault A,B] [--report N]
//   checks every b in 0..65535 for each a; --fault corrupts the reference of `add` at (A, B) so a
//   test can see that a wrong result is reported. Prints one summary line
//   `checked <pairs> pairs, <n> mismatches` after the mismatch lines
//   `mismatch <op> a=0x.... b=0x.... want=0x.... got=0x....`; exit 1 on any mismatch.
#include "Vdut.h"
#include "verilated.h"
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

struct Fmt {
  int E, M, bias;
  uint32_t inf, qnan;
};

static double decode(const Fmt &f, uint32_t p) {
  const uint32_t s = (p >> 15) & 1, e = (p >> f.M) & ((1u << f.E) - 1), m = p & ((1u << f.M) - 1);
  double v;
  if (e == (1u << f.E) - 1) v = m ? NAN : INFINITY;
  else if (e == 0) v = std::ldexp((double)m, 1 - f.bias - f.M);
  else v = std::ldexp((double)(m | (1u << f.M)), (int)e - f.bias - f.M);
  return s ? -v : v;
}

// One rounding of a double to the format: round to nearest, ties to even.
static uint32_t encode(const Fmt &f, double x) {
  if (std::isnan(x)) return f.qnan;
  const uint32_t s = std::signbit(x) ? 0x8000u : 0u;
  const double a = std::fabs(x);
  if (std::isinf(a)) return s | f.inf;
  if (a == 0) return s;
  int e;
  std::frexp(a, &e);  // a in [2^(e-1), 2^e)
  int ue = e - 1;
  const int emin = 1 - f.bias;
  if (ue < emin) ue = emin;
  const double q = std::ldexp(a, f.M - ue);  // a in units of the result's last place (exact)
  uint64_t r = (uint64_t)std::nearbyint(q);  // default rounding mode: to nearest, ties to even
  if (r == 0) return s;
  if (r >= (1ull << (f.M + 1))) {  // rounded up to the next binade
    r >>= 1;
    ue += 1;
  }
  if (r < (1ull << f.M)) return s | (uint32_t)r;  // subnormal
  const int ef = ue + f.bias;
  if (ef >= (1 << f.E) - 1) return s | f.inf;
  return s | ((uint32_t)ef << f.M) | (uint32_t)(r - (1ull << f.M));
}

static std::vector<uint32_t> parseList(const char *s) {
  std::vector<uint32_t> v;
  for (const char *p = s; *p;) {
    char *end;
    v.push_back((uint32_t)std::strtoul(p, &end, 0));
    p = *end == ',' ? end + 1 : end;
    if (end == p && *p) { std::fprintf(stderr, "bad list '%s'\n", s); std::exit(2); }
  }
  return v;
}

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  Fmt f{0, 0, 0, 0, 0};
  std::vector<uint32_t> as;
  long fa = -1, fb = -1, maxReport = 20, from = -1, to = -1;
  for (int i = 1; i < argc; i++) {
    const std::string k = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : "";
    if (k == "--exp") f.E = std::atoi(v), i++;
    else if (k == "--man") f.M = std::atoi(v), i++;
    else if (k == "--a-from") from = std::strtol(v, nullptr, 0), i++;
    else if (k == "--a-to") to = std::strtol(v, nullptr, 0), i++;
    else if (k == "--a-list") as = parseList(v), i++;
    else if (k == "--fault") { std::vector<uint32_t> p = parseList(v); fa = p.at(0); fb = p.at(1); i++; }
    else if (k == "--report") maxReport = std::atol(v), i++;
    else if (k.rfind("+verilator", 0) == 0) continue;
    else { std::fprintf(stderr, "unknown argument %s\n", k.c_str()); return 2; }
  }
  if (from >= 0 && to <= 0x10000)
    for (long a = from; a < to; a++) as.push_back((uint32_t)a);
  if (f.E + f.M != 15 || as.empty()) { std::fprintf(stderr, "need --exp E --man M with E + M = 15 and operands\n"); return 2; }
  f.bias = (1 << (f.E - 1)) - 1;
  f.inf = ((1u << f.E) - 1) << f.M;
  f.qnan = f.inf | (1u << (f.M - 1));

  Vdut *top = new Vdut;
  uint64_t pairs = 0, bad = 0;
  auto report = [&](const char *op, uint32_t a, uint32_t b, uint32_t want, uint32_t got) {
    if (bad++ < (uint64_t)maxReport) std::printf("mismatch %s a=0x%04x b=0x%04x want=0x%04x got=0x%04x\n", op, a, b, want, got);
  };
  for (uint32_t a : as) {
    const double da = decode(f, a);
    top->a = a;
    for (uint32_t b = 0; b < 0x10000; b++) {
      top->b = b;
      top->eval();
      const double db = decode(f, b);
      uint32_t w = encode(f, da + db);
      if ((long)a == fa && (long)b == fb) w ^= 1;
      if (top->add != w) report("add", a, b, w, top->add);
      if ((w = encode(f, da - db)) != top->sub) report("sub", a, b, w, top->sub);
      if ((w = encode(f, da * db)) != top->mul) report("mul", a, b, w, top->mul);
      if ((w = encode(f, da / db)) != top->div) report("div", a, b, w, top->div);
      const bool nan = std::isnan(da) || std::isnan(db);
      if ((w = nan ? f.qnan : db < da ? b : a) != top->mn) report("min", a, b, w, top->mn);
      if ((w = nan ? f.qnan : db > da ? b : a) != top->mx) report("max", a, b, w, top->mx);
      if ((w = ((da < db) << 2) | ((da <= db) << 1) | (da == db)) != top->cmp) report("lt/le/eq", a, b, w, top->cmp);
      pairs++;
    }
  }
  std::printf("checked %llu pairs, %llu mismatches\n", (unsigned long long)pairs, (unsigned long long)bad);
  top->final();
  delete top;
  return bad ? 1 : 0;
}
