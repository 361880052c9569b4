/** The shell's fixed sizes (README.md, "The shell"). */
export const MAX_BURST = 16;
/** Write bursts that may wait for their B response at once. */
export const MAX_B_PENDING = 4;
export const WORD_FIFO_DEPTH = 32;
export const AXI_ADDR_BITS = 32;
/** Memory-port words buffered (64-bit words; units with a memory port). */
export const MEM_FIFO_DEPTH = 32;
/** Read bursts in flight at once (units with a memory port). */
export const TAG_DEPTH = 16;
/** Largest `<s>_len` (records); larger is a SHAPE error. */
export const MAX_LEN = 0x0fffffff;
