/* Stand-in for Chipyard's tests/mmio.h when kvhdl cross-compiles the bare-metal test on its own:
 * the same accessor names and signatures, as volatile loads and stores. In a Chipyard checkout the
 * test includes Chipyard's tests/mmio.h instead. */
#ifndef KVHDL_RISCV_MMIO_H
#define KVHDL_RISCV_MMIO_H
#include <stdint.h>
static inline void reg_write32(uintptr_t addr, uint32_t data) { *(volatile uint32_t *)addr = data; }
static inline uint32_t reg_read32(uintptr_t addr) { return *(volatile uint32_t *)addr; }
#endif
