// kvhdl Verilator testbench runtime: fatal errors and whole-file reads and writes (see io.h).
#include "io.h"

#include <cstdio>
#include <cstdlib>

namespace tb {

void die(const std::string& msg) {
  std::fprintf(stderr, "kvhdl-tb: %s\n", msg.c_str());
  std::exit(2);
}

void read_words(const std::string& path, std::vector<uint32_t>& out, size_t words) {
  out.resize(words);
  if (words == 0) return;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) die("cannot open " + path);
  const size_t got = std::fread(out.data(), 4, words, f);
  std::fclose(f);
  if (got != words) die(path + ": expected " + std::to_string(words) + " words, file has " + std::to_string(got));
}

uint64_t file_words(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return 0;
  std::fseek(f, 0, SEEK_END);
  const long n = std::ftell(f);
  std::fclose(f);
  return n > 0 ? static_cast<uint64_t>(n) / 4 : 0;
}

void write_bytes(const std::string& path, const void* p, size_t n) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) die("cannot write " + path);
  if (n && std::fwrite(p, 1, n, f) != n) die("short write to " + path);
  if (std::fclose(f) != 0) die("cannot write " + path);
}

}  // namespace tb
