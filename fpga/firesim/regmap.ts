/**
 * The shell's control/status registers: ONE description from which the AXI4-Lite register file
 * (fpga/axi/axil-regfile.ts, through `regfileMap`) and the C header (c-header.ts) are both
 * generated, so the two cannot drift.
 */
import type { RegMapInput } from '../axi/axil-regfile.ts';
import type { ShellLayout } from './layout.ts';

export interface CsrField {
  /** C name suffix (KVHDL_<UNIT>_<REG>_<FIELD>). */
  name: string;
  bit: number;
  doc: string;
}

export interface CsrReg {
  /** Register name: the register file's port name and the C name (upper-cased). */
  name: string;
  offset: number;
  access: 'rw' | 'ro' | 'w1c';
  width: number;
  doc: string;
  fields?: CsrField[];
  /** ro registers holding a build-time constant (parameters). */
  constant?: number;
}

/** Error bits (register `error`, write 1 to clear). */
export const ERR = {
  MISALIGNED: { bit: 0, doc: 'src_addr or an output address is not a multiple of 8, or mem_addr not a multiple of 8 * mem_stride (the job did not start)' },
  ZERO_LEN: { bit: 1, doc: 'rows or cols is 0 (the job did not start)' },
  SHAPE: { bit: 2, doc: 'rows > max_rows, cols > max_cols, or cols differs from the fixed cols of the unit (the job did not start)' },
  OVERFLOW: { bit: 3, doc: 'an output stream produced more records than its <s>_len; the extra records were dropped' },
  RRESP: { bit: 4, doc: 'a read response was SLVERR or DECERR' },
  BRESP: { bit: 5, doc: 'a write response was SLVERR or DECERR' },
  BUSY: { bit: 6, doc: 'START rose while a job was running (ignored)' },
  MEM_RANGE: { bit: 7, doc: 'units with a memory port: the unit asked for a memory word at or above mem_len (answered with a zero word, memory not read)' },
} as const;
export type ErrName = keyof typeof ERR;
export const ERR_WIDTH = 8;

export const CTRL_START = 0;
export const CTRL_IRQ_EN = 1;

export const OUT_BASE = 0x40;
export const OUT_STRIDE = 0x10;
/** Memory port (units with one) and variable-stream registers. */
export const EXT_BASE = 0x80;
export const ENDS_BASE = 0x90;
export const PARAM_BASE = 0xc0;
export const MAX_PARAMS = 16;
export const REG_ADDR_WIDTH = 8;

export interface ShellLimits {
  maxRows: number;
  maxCols: number;
  /** cols required by the configuration, or 0 when cols is free. */
  fixedCols: number;
}

/** The register list for a shell. */
export function shellRegisters(layout: ShellLayout, limits: ShellLimits, hwId: number, params: Record<string, number>, dataFramed = false): CsrReg[] {
  const from = dataFramed ? 'the input records' : 'rows and cols';
  const regs: CsrReg[] = [
    {
      name: 'ctrl', offset: 0x00, access: 'rw', width: 2, doc: 'control',
      fields: [
        { name: 'START', bit: CTRL_START, doc: 'a 0 -> 1 transition starts a job (the driver writes 0, then START)' },
        { name: 'IRQ_EN', bit: CTRL_IRQ_EN, doc: 'drive the interrupt output while DONE is set' },
      ],
    },
    { name: 'status', offset: 0x04, access: 'ro', width: 1, doc: 'status', fields: [{ name: 'BUSY', bit: 0, doc: 'a job is running' }] },
    { name: 'done', offset: 0x08, access: 'w1c', width: 1, doc: 'set when a job ends (also a job refused with an error); write 1 to clear', fields: [{ name: 'DONE', bit: 0, doc: 'job ended' }] },
    {
      name: 'error', offset: 0x0c, access: 'w1c', width: ERR_WIDTH, doc: 'sticky error bits; write 1 to clear',
      fields: (Object.keys(ERR) as ErrName[]).map((k) => ({ name: k, bit: ERR[k].bit, doc: ERR[k].doc })),
    },
    { name: 'src_addr', offset: 0x10, access: 'rw', width: 32, doc: 'byte address of the input records (multiple of 8)' },
    { name: 'rows', offset: 0x14, access: 'rw', width: 32, doc: 'rows of the job (1..max_rows)' },
    { name: 'cols', offset: 0x18, access: 'rw', width: 32, doc: 'input records per row (1..max_cols, or exactly fixed_cols when that is not 0)' },
    { name: 'cycles', offset: 0x1c, access: 'ro', width: 32, doc: 'clock cycles of the last job (counts while BUSY)' },
    { name: 'words_read', offset: 0x20, access: 'ro', width: 32, doc: '64-bit words read by the DMA in the last job' },
    { name: 'words_written', offset: 0x24, access: 'ro', width: 32, doc: '64-bit words written by the DMA in the last job' },
    { name: 'hw_id', offset: 0x28, access: 'ro', width: 32, doc: 'build identifier (the tag hash); the header has the same value', constant: hwId },
    { name: 'max_rows', offset: 0x2c, access: 'ro', width: 32, doc: 'largest rows', constant: limits.maxRows },
    { name: 'max_cols', offset: 0x30, access: 'ro', width: 32, doc: 'largest cols', constant: limits.maxCols },
    { name: 'fixed_cols', offset: 0x34, access: 'ro', width: 32, doc: 'required cols (0: any 1..max_cols)', constant: limits.fixedCols },
    { name: 'in_words', offset: 0x38, access: 'ro', width: 32, doc: '64-bit words per input record', constant: layout.input.words },
  ];
  layout.outputs.forEach((s, i) => {
    const base = OUT_BASE + OUT_STRIDE * i;
    regs.push(
      { name: `${s.name}_addr`, offset: base, access: 'rw', width: 32, doc: `byte address of output stream '${s.name}' (multiple of 8)` },
      {
        name: `${s.name}_len`, offset: base + 4, access: 'rw', width: 32,
        doc: layout.variable.includes(s.name)
          ? `capacity of the '${s.name}' buffer in records: the most the job may write (its count depends on the data; the driver computes a bound from ${from})`
          : `records of '${s.name}' the job writes (the driver computes it from ${from})`,
      },
      { name: `${s.name}_count`, offset: base + 8, access: 'ro', width: 32, doc: `records of '${s.name}' written so far` },
      { name: `${s.name}_words`, offset: base + 12, access: 'ro', width: 32, doc: `64-bit words per '${s.name}' record`, constant: s.words },
    );
  });
  if (layout.memory) {
    const mm = layout.memory;
    regs.push(
      { name: 'mem_addr', offset: EXT_BASE, access: 'rw', width: 32, doc: `byte address of the image of memory '${mm.name}' (multiple of ${8 * mm.stride})` },
      { name: 'mem_len', offset: EXT_BASE + 4, access: 'rw', width: 32, doc: `words in the image of '${mm.name}'; a request at or above it sets MEM_RANGE and gets a zero word` },
      { name: 'mem_stride', offset: EXT_BASE + 8, access: 'ro', width: 32, doc: `64-bit words per '${mm.name}' word in the image (its ${mm.wordWidth} bits LSB-first, the rest 0)`, constant: mm.stride },
      { name: 'mem_reads', offset: EXT_BASE + 12, access: 'ro', width: 32, doc: `'${mm.name}' words the unit requested in the last job` },
    );
  }
  layout.outputs.forEach((s, i) => {
    if (!layout.variable.includes(s.name)) return;
    regs.push({ name: `${s.name}_ends`, offset: ENDS_BASE + 4 * i, access: 'rw', width: 32, doc: `records of '${s.name}' with last set that end the stream (its length depends on the data; ${s.name}_len is the buffer's capacity)` });
  });
  const np = Object.keys(params).length;
  if (np > MAX_PARAMS) throw new Error(`handoff firesim: ${np} parameter registers, at most ${MAX_PARAMS}`);
  Object.entries(params).forEach(([k, v], i) => {
    regs.push({ name: `param_${k}`, offset: PARAM_BASE + 4 * i, access: 'ro', width: 32, doc: `unit configuration '${k}'`, constant: v });
  });
  return regs;
}

/** The AXI4-Lite register file's map for these registers. */
export function regfileMap(name: string, regs: readonly CsrReg[]): RegMapInput {
  return {
    name,
    addrWidth: REG_ADDR_WIDTH,
    registers: regs.map((r) => ({ name: r.name, offset: r.offset, access: r.access, width: r.width, reset: 0, doc: r.doc })),
  };
}
