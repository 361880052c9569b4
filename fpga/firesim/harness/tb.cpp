// kvhdl FireSim shell harness: the Verilated shell, an AXI4 memory model with random latency and
// stalls on every channel, AXI4 / AXI4-Lite protocol checks, and the MMIO shim through which the
// driver's C code (compiled separately with -Dmain=kvhdl_test_main) programs the shell.
//
// Environment: KVHDL_SEED (random seed, default 1), KVHDL_MAX_CYCLES (default 20000000),
// KVHDL_STALL (0: no random stalls or latency, default 1), KVHDL_FAULTS (1: run the fault test
// kvhdl_faults_main instead of the package's bare-metal test).
// KVHDL_DEBUG=1 prints every read that gets DECERR.
// Exit code: the test's, or 3 on a protocol violation, 4 on a simulation timeout.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>
#include "top.h"  // #include "V<top>.h" + #define VTOP V<top> (written by the build)
#include "verilated.h"
#include "mmio.h"

extern "C" int kvhdl_test_main(void);
extern "C" int kvhdl_faults_main(void);

namespace {

VerilatedContext *ctx;
VTOP *top;
uint64_t cycle = 0;
uint64_t max_cycles = 20000000;
bool stalls = true;
int violations = 0;
uint64_t boundary_cuts = 0;  // bursts shortened to end at a 4 KiB boundary
unsigned inject_rresp = 0;   // > 0: the inject_rresp-th R beat from now is answered SLVERR (with its data)

// xorshift64*
uint64_t rs = 1;
uint32_t rnd() {
  rs ^= rs >> 12; rs ^= rs << 25; rs ^= rs >> 27;
  return (uint32_t)((rs * 2685821657736338717ull) >> 32);
}
bool chance(unsigned pct) { return !stalls || rnd() % 100 < pct; }
unsigned latency(unsigned max) { return stalls ? rnd() % (max + 1) : 0; }

void violation(const char *fmt, const char *a = "", uint64_t b = 0, uint64_t c = 0) {
  if (violations < 20) {
    std::fprintf(stderr, "protocol violation at cycle %llu: ", (unsigned long long)cycle);
    std::fprintf(stderr, fmt, a, (unsigned long long)b, (unsigned long long)c);
    std::fprintf(stderr, "\n");
  }
  violations++;
}

// ---- memory: the host program's own buffers, mapped at BUS_BASE + (ptr - host_base) ----
const uint64_t BUS_BASE = 0x80000000ull;
uintptr_t host_base = 0;
struct Region { uintptr_t lo, hi; };
std::vector<Region> regions;

bool mapped(uint64_t bus, uint64_t bytes, uint8_t **host) {
  if (host_base == 0 || bus < BUS_BASE) return false;
  uintptr_t h = host_base + (uintptr_t)(bus - BUS_BASE);
  for (const Region &r : regions)
    if (h >= r.lo && h + bytes <= r.hi) { *host = (uint8_t *)h; return true; }
  return false;
}

// ---- AXI4 memory model (slave) ----
struct Burst { uint64_t addr; unsigned len; uint64_t ready_at; };
std::deque<Burst> ar_q;          // accepted reads, R beats pending
unsigned r_beat = 0;             // beat index within ar_q.front()
bool r_valid = false; uint64_t r_data = 0; unsigned r_resp = 0; bool r_last = false;
std::deque<Burst> aw_q;          // accepted write bursts waiting for their W beats
std::deque<uint64_t> w_q;        // W beats accepted before/after their AW (in order)
std::deque<bool> w_last_q;
struct BResp { unsigned resp; uint64_t ready_at; };
std::deque<BResp> b_q;
unsigned w_beat_in_burst = 0;    // W beats accepted for the burst at the head (wlast check)
std::deque<unsigned> aw_lens;    // lengths of accepted AWs, for the wlast check of W beats
unsigned w_seen_total = 0;
bool b_valid = false; unsigned b_resp = 0;

// previous-cycle state for stability checks
struct Pending { bool valid = false; uint64_t a = 0, b = 0, c = 0; };
Pending p_ar, p_aw, p_w, p_b, p_r;

void check_stable(Pending &p, bool valid, bool ready, uint64_t a, uint64_t b, uint64_t c, const char *ch) {
  if (p.valid) {
    if (!valid) violation("%s valid dropped before its handshake", ch);
    else if (p.a != a || p.b != b || p.c != c) violation("%s payload changed while valid && !ready", ch);
  }
  p.valid = valid && !ready;
  p.a = a; p.b = b; p.c = c;
}

void check_burst(const char *ch, uint64_t addr, unsigned len, unsigned size, unsigned burst) {
  if (addr % 8) violation("%s address 0x%llx is not 8-byte aligned", ch, addr);
  if (size != 3) violation("%s size %llu, expected 3 (8 bytes)", ch, size);
  if (burst != 1) violation("%s burst type %llu, expected INCR", ch, burst);
  if (len > 15) violation("%s len %llu above 15", ch, len);
  if ((addr & 0xfff) + (uint64_t)(len + 1) * 8 > 4096) violation("%s burst at 0x%llx of %llu beats crosses a 4 KiB boundary", ch, addr, len + 1);
  if (len < 15 && ((addr + (uint64_t)(len + 1) * 8) & 0xfff) == 0) boundary_cuts++;
}

// ---- AXI4-Lite master (the MMIO shim) ----
bool l_aw = false, l_w = false, l_b_ready = false, l_ar = false, l_r_ready = false;
uint8_t l_addr = 0; uint32_t l_wdata = 0;
Pending p_lb, p_lr;
bool l_b_seen = false, l_r_seen = false;
uint32_t l_rdata = 0; unsigned l_resp = 0;
unsigned l_outstanding_w = 0, l_outstanding_r = 0;

void tick() {
  // 1. drive the shell's inputs for this cycle
  // AR/AW/W ready (random stalls)
  top->m_axi_arready = chance(60);
  top->m_axi_awready = chance(60);
  top->m_axi_wready = chance(70);
  // R: the head burst's current beat, after its latency
  if (!r_valid && !ar_q.empty() && cycle >= ar_q.front().ready_at && chance(75)) {
    Burst &bu = ar_q.front();
    uint8_t *h;
    uint64_t a = bu.addr + 8ull * r_beat;
    if (mapped(a, 8, &h)) { std::memcpy(&r_data, h, 8); r_resp = 0; }
    else { r_data = 0; r_resp = 3; if (std::getenv("KVHDL_DEBUG")) std::fprintf(stderr, "DECERR read at 0x%llx (burst 0x%llx len %u)\n", (unsigned long long)a, (unsigned long long)bu.addr, bu.len); }  // DECERR
    if (inject_rresp > 0 && --inject_rresp == 0) r_resp = 2;  // SLVERR, data intact
    r_last = r_beat == bu.len;
    r_valid = true;
  }
  top->m_axi_rvalid = r_valid;
  top->m_axi_rdata = r_data;
  top->m_axi_rresp = r_resp;
  top->m_axi_rlast = r_last;
  if (!b_valid && !b_q.empty() && cycle >= b_q.front().ready_at && chance(75)) {
    b_valid = true;
    b_resp = b_q.front().resp;
  }
  top->m_axi_bvalid = b_valid;
  top->m_axi_bresp = b_resp;
  // AXI4-Lite master
  top->s_axi_awvalid = l_aw;
  top->s_axi_awaddr = l_addr;
  top->s_axi_awprot = 0;
  top->s_axi_wvalid = l_w;
  top->s_axi_wdata = l_wdata;
  top->s_axi_wstrb = 0xf;
  top->s_axi_arvalid = l_ar;
  top->s_axi_araddr = l_addr;
  top->s_axi_arprot = 0;
  top->s_axi_bready = l_b_ready && chance(70);
  top->s_axi_rready = l_r_ready && chance(70);
  top->eval();

  // 2. sample handshakes and check the shell's outputs
  bool ar_fire = top->m_axi_arvalid && top->m_axi_arready;
  bool aw_fire = top->m_axi_awvalid && top->m_axi_awready;
  bool w_fire = top->m_axi_wvalid && top->m_axi_wready;
  bool r_fire = top->m_axi_rvalid && top->m_axi_rready;
  bool b_fire = top->m_axi_bvalid && top->m_axi_bready;
  check_stable(p_ar, top->m_axi_arvalid, top->m_axi_arready, top->m_axi_araddr, top->m_axi_arlen, top->m_axi_arsize * 4 + top->m_axi_arburst, "AR");
  check_stable(p_aw, top->m_axi_awvalid, top->m_axi_awready, top->m_axi_awaddr, top->m_axi_awlen, top->m_axi_awsize * 4 + top->m_axi_awburst, "AW");
  check_stable(p_w, top->m_axi_wvalid, top->m_axi_wready, top->m_axi_wdata, top->m_axi_wlast, top->m_axi_wstrb, "W");
  check_stable(p_lb, top->s_axi_bvalid, top->s_axi_bready, top->s_axi_bresp, 0, 0, "AXI4-Lite B");
  check_stable(p_lr, top->s_axi_rvalid, top->s_axi_rready, top->s_axi_rdata, top->s_axi_rresp, 0, "AXI4-Lite R");
  if (top->s_axi_bvalid && l_outstanding_w == 0 && !l_b_seen) violation("AXI4-Lite BVALID without a complete write request");
  if (top->s_axi_rvalid && l_outstanding_r == 0 && !l_r_seen) violation("AXI4-Lite RVALID without a read request");
  if (top->s_axi_bvalid && (l_aw || l_w)) violation("AXI4-Lite BVALID before both the AW and the W handshake");
  if (top->s_axi_rvalid && l_ar) violation("AXI4-Lite RVALID before the AR handshake");
  if (ar_fire) {
    check_burst("AR", top->m_axi_araddr, top->m_axi_arlen, top->m_axi_arsize, top->m_axi_arburst);
    ar_q.push_back({top->m_axi_araddr, top->m_axi_arlen, cycle + 1 + latency(24)});
  }
  if (aw_fire) {
    check_burst("AW", top->m_axi_awaddr, top->m_axi_awlen, top->m_axi_awsize, top->m_axi_awburst);
    aw_q.push_back({top->m_axi_awaddr, top->m_axi_awlen, 0});
    aw_lens.push_back(top->m_axi_awlen);
  }
  if (w_fire) {
    if (top->m_axi_wstrb != 0xff) violation("W strobe%s 0x%llx, expected 0xff", "", top->m_axi_wstrb);
    w_q.push_back(top->m_axi_wdata);
    w_last_q.push_back(top->m_axi_wlast);
  }
  // pair W beats with AW bursts in order; write memory; schedule B
  while (!aw_q.empty() && !w_q.empty()) {
    Burst &bu = aw_q.front();
    uint64_t a = bu.addr + 8ull * w_beat_in_burst;
    uint8_t *h;
    bool last = w_beat_in_burst == bu.len;
    if (w_last_q.front() != last) violation("W %s on beat %llu of a %llu-beat burst", w_last_q.front() ? "wlast=1" : "wlast=0", w_beat_in_burst, bu.len + 1);
    static unsigned burst_resp = 0;
    if (mapped(a, 8, &h)) std::memcpy(h, &w_q.front(), 8);
    else burst_resp = 3;
    w_q.pop_front();
    w_last_q.pop_front();
    if (last) {
      b_q.push_back({burst_resp, cycle + 1 + latency(16)});
      burst_resp = 0;
      aw_q.pop_front();
      w_beat_in_burst = 0;
    } else {
      w_beat_in_burst++;
    }
  }
  if (r_fire) {
    r_valid = false;
    if (r_beat == ar_q.front().len) { ar_q.pop_front(); r_beat = 0; }
    else r_beat++;
  }
  if (b_fire) { b_valid = false; b_q.pop_front(); }
  if (top->m_axi_bready && !top->m_axi_bvalid) { /* allowed */ }
  // AXI4-Lite handshakes
  if (l_aw && top->s_axi_awready) l_aw = false;
  if (l_w && top->s_axi_wready) l_w = false;
  if (l_ar && top->s_axi_arready) l_ar = false;
  if (top->s_axi_bvalid && top->s_axi_bready) { l_b_seen = true; l_resp = top->s_axi_bresp; l_b_ready = false; }
  if (top->s_axi_rvalid && top->s_axi_rready) { l_r_seen = true; l_resp = top->s_axi_rresp; l_rdata = top->s_axi_rdata; l_r_ready = false; }

  // 3. clock edge
  top->clock = 1;
  top->eval();
  top->clock = 0;
  top->eval();
  cycle++;
  if (cycle >= max_cycles) {
    std::fprintf(stderr, "simulation timeout: %llu cycles\n", (unsigned long long)cycle);
    std::exit(4);
  }
}

void idle(unsigned n) { for (unsigned i = 0; i < n; i++) tick(); }

}  // namespace

extern "C" uint32_t kvhdl_shim_bus_addr(const void *ptr, uint32_t bytes) {
  uintptr_t p = (uintptr_t)ptr;
  if (host_base == 0) host_base = (p & ~(uintptr_t)0xffff) - 0x10000000u;
  if (bytes > 0 && bytes <= (64u << 20)) regions.push_back({p, p + bytes});
  uint64_t bus = BUS_BASE + (uint64_t)(p - host_base);
  if (p < host_base || bus > 0xffffffffull) { std::fprintf(stderr, "shim: buffer %p is outside the 2 GiB bus window\n", ptr); std::exit(5); }
  return (uint32_t)bus;
}

extern "C" int kvhdl_shim_irq(void) { return top->irq; }

// Fault injection: the beat-th read beat from now (1 = the next) is answered SLVERR with its data.
extern "C" void kvhdl_shim_inject_rresp(unsigned beat) { inject_rresp = beat; }

extern "C" void reg_write32(uintptr_t addr, uint32_t data) {
  idle(latency(3));
  l_addr = (uint8_t)(addr & 0xff);
  l_wdata = data;
  // AW and W in random order
  if (rnd() & 1) { l_aw = true; idle(latency(2)); l_w = true; }
  else { l_w = true; idle(latency(2)); l_aw = true; }
  l_outstanding_w = 1;
  l_b_seen = false;
  while (l_aw || l_w) tick();
  l_b_ready = true;
  while (!l_b_seen) tick();
  l_outstanding_w = 0;
  l_b_seen = false;
  if (l_resp != 0) { std::fprintf(stderr, "shim: write of 0x%08x to offset 0x%02x got BRESP %u\n", data, (unsigned)(addr & 0xff), l_resp); violations++; }
}

extern "C" uint32_t reg_read32(uintptr_t addr) {
  idle(latency(3));
  l_addr = (uint8_t)(addr & 0xff);
  l_ar = true;
  l_outstanding_r = 1;
  l_r_seen = false;
  while (l_ar) tick();
  l_r_ready = true;
  while (!l_r_seen) tick();
  l_outstanding_r = 0;
  l_r_seen = false;
  if (l_resp != 0) { std::fprintf(stderr, "shim: read of offset 0x%02x got RRESP %u\n", (unsigned)(addr & 0xff), l_resp); violations++; }
  return l_rdata;
}

int main(int argc, char **argv) {
  ctx = new VerilatedContext;
  ctx->commandArgs(argc, argv);
  top = new VTOP{ctx};
  if (const char *s = std::getenv("KVHDL_SEED")) rs = std::strtoull(s, nullptr, 0) * 0x9e3779b97f4a7c15ull + 1;
  if (const char *s = std::getenv("KVHDL_MAX_CYCLES")) max_cycles = std::strtoull(s, nullptr, 0);
  if (const char *s = std::getenv("KVHDL_STALL")) stalls = std::atoi(s) != 0;
  top->clock = 0;
  top->reset = 1;
  for (int i = 0; i < 4; i++) tick();
  top->reset = 0;
  const char *faults = std::getenv("KVHDL_FAULTS");
  int rc = faults && std::atoi(faults) ? kvhdl_faults_main() : kvhdl_test_main();
  idle(8);
  // every DMA transaction finished: nothing requested and unanswered, no stray W beats
  if (!ar_q.empty() || r_valid) violation("%s read bursts still outstanding at the end", "", ar_q.size());
  if (!aw_q.empty() || !w_q.empty()) violation("%s unfinished write bursts or unmatched W beats at the end", "", aw_q.size(), w_q.size());
  if (!b_q.empty() || b_valid) violation("%s write responses never taken at the end", "", b_q.size());
  std::fflush(stdout);
  std::fprintf(stderr, "harness: %llu cycles, %d protocol violations, %llu bursts cut at a 4 KiB boundary\n", (unsigned long long)cycle, violations, (unsigned long long)boundary_cuts);
  top->final();
  delete top;
  delete ctx;
  if (violations) return 3;
  return rc;
}
