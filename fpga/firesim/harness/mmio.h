/* Host MMIO shim (fpga/firesim/harness): Chipyard's tests/mmio.h interface, implemented by tb.cpp
 * as AXI4-Lite transactions on the Verilated shell. DMA buffers are the host program's own arrays,
 * mapped to bus addresses by KVHDL_BUS_ADDR and served by tb.cpp's AXI4 memory model. */
#ifndef KVHDL_SHIM_MMIO_H
#define KVHDL_SHIM_MMIO_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
void reg_write32(uintptr_t addr, uint32_t data);
uint32_t reg_read32(uintptr_t addr);
uint32_t kvhdl_shim_bus_addr(const void *ptr, uint32_t bytes);
int kvhdl_shim_irq(void); /* the shell's irq output */
#ifdef __cplusplus
}
#endif
#define KVHDL_BUS_ADDR(ptr, bytes) kvhdl_shim_bus_addr((const void *)(ptr), (uint32_t)(bytes))
#endif
