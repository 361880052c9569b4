// kvhdl Verilator testbench runtime: fatal errors and whole-file reads and writes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tb {

// Prints `kvhdl-tb: <msg>` and exits with status 2 (the harness itself failed).
[[noreturn]] void die(const std::string& msg);

// Reads exactly `words` little-endian uint32 words of `path` into `out`.
void read_words(const std::string& path, std::vector<uint32_t>& out, size_t words);

// The number of whole uint32 words in `path` (0 when it cannot be opened).
uint64_t file_words(const std::string& path);

void write_bytes(const std::string& path, const void* p, size_t n);

}  // namespace tb
