// kvhdl Verilator testbench runtime: the files a run leaves in --dir (see result.h).
#include "result.h"

#include <cinttypes>

#include "io.h"
#include "protocol.h"

namespace tb {

void write_results(const std::string& dir, const RunEnd& end, const InStream* in, int nIn, const OutStream* out, int nOut, const Memory* mem,
                   int nMem, const std::function<void(FILE*)>& plainOutputs) {
  for (int k = 0; k < nOut; ++k) {
    const OutStream& o = out[k];
    write_bytes(dir + "/" + o.name + ".out.bin", o.data.data(), o.data.size() * 4);
    write_bytes(dir + "/" + o.name + ".out.cycles.bin", o.cycles.data(), o.cycles.size() * 8);
    write_bytes(dir + "/" + o.name + ".out.valid-cycles.bin", o.validCycles.data(), o.validCycles.size() * 8);
  }
  for (int k = 0; k < nIn; ++k) {
    const InStream& s = in[k];
    write_bytes(dir + "/" + s.name + ".in.cycles.bin", s.cycles.data(), s.cycles.size() * 8);
  }

  FILE* f = std::fopen((dir + "/result.json").c_str(), "w");
  if (!f) die("cannot write " + dir + "/result.json");
  std::fprintf(f, "{\n  \"status\": \"%s\",\n  \"cycles\": %" PRId64 ",\n  \"resetCycles\": %" PRId64 ",\n", end.status, end.cycles,
               end.resetCycles);
  std::fprintf(f, "  \"idleCycles\": %" PRIu64 ",\n  \"idleSince\": %" PRId64 ",\n  \"doneAt\": %" PRId64 ",\n  \"firstInput\": %" PRId64 ",\n",
               end.idle, end.idleSince, end.doneAt, end.firstIn);
  std::fprintf(f, "  \"assertionAt\": %" PRId64 ",\n", end.assertionAt);
  std::fprintf(f, "  \"simSeconds\": %.6f,\n  \"in\": [", end.seconds);
  for (int k = 0; k < nIn; ++k) {
    const InStream& s = in[k];
    std::fprintf(f, "%s\n    {\"name\": \"%s\", \"count\": %" PRIu64 ", \"accepted\": %" PRIu64
                 ", \"first\": %" PRId64 ", \"last\": %" PRId64 ", \"valid\": %d, \"ready\": %d}",
                 k ? "," : "", s.name, s.count, s.idx, s.first, s.last, s.offering ? 1 : 0, s.ready ? 1 : 0);
  }
  std::fprintf(f, "\n  ],\n  \"out\": [");
  for (int k = 0; k < nOut; ++k) {
    const OutStream& o = out[k];
    std::fprintf(f, "%s\n    {\"name\": \"%s\", \"expected\": %" PRId64 ", \"count\": %" PRIu64
                 ", \"first\": %" PRId64 ", \"last\": %" PRId64 ", \"valid\": %d, \"ready\": %d}",
                 k ? "," : "", o.name, o.expect, o.count, o.first, o.last, o.valid ? 1 : 0, o.ready ? 1 : 0);
  }
  std::fprintf(f, "\n  ],\n  \"memories\": [");
  for (int k = 0; k < nMem; ++k) {
    const Memory& mm = mem[k];
    std::fprintf(f, "%s\n    {\"name\": \"%s\", \"words\": %" PRIu64 ", \"requests\": %" PRIu64 ", \"responses\": %" PRIu64
                 ", \"peakOutstanding\": %" PRIu64 "}",
                 k ? "," : "", mm.name, mm.words, mm.requests, mm.responses, mm.peak);
  }
  std::fprintf(f, "\n  ],\n  \"plainOutputs\": {");
  plainOutputs(f);
  std::fprintf(f, "},\n  \"protocolErrorCount\": %" PRIu64 ",\n  \"protocolErrors\": [", protocol_error_count());
  const std::vector<ProtocolError>& errors = protocol_errors();
  for (size_t k = 0; k < errors.size(); ++k) {
    const ProtocolError& e = errors[k];
    std::fprintf(f, "%s\n    {\"stream\": \"%s\", \"kind\": \"%s\", \"cycle\": %" PRId64
                 ", \"field\": \"%s\", \"before\": \"%s\", \"after\": \"%s\"}",
                 k ? "," : "", e.stream.c_str(), e.kind.c_str(), e.cycle, e.field.c_str(), e.before.c_str(), e.after.c_str());
  }
  std::fprintf(f, "\n  ]\n}\n");
  if (std::fclose(f) != 0) die("cannot write " + dir + "/result.json");
}

}  // namespace tb
