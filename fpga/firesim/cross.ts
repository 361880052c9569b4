/**
 * Cross-compiles a package's bare-metal test for rv64gc with Debian's riscv64-unknown-elf-gcc and
 * picolibc (semihosting stdio for the link; in Chipyard the test is linked with Chipyard's own
 * htif specs instead). harness/riscv/mmio.h stands in for Chipyard's tests/mmio.h.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runTool, ToolError } from '../../toolchain/run-tool.ts';
import { ensureTools } from '../../toolchain/tools.ts';
import { HARNESS_DIR } from './harness.ts';

export const RISCV_FLAGS = ['-march=rv64gc', '-mabi=lp64d', '-mcmodel=medany', '--specs=picolibc.specs', '--oslib=semihost', '-O2', '-std=c11', '-Wall', '-Wextra', '-Werror'];

export interface ElfInfo {
  elf64: boolean;
  machine: number;
  flags: number;
}

/** ELF header facts: class, e_machine (243 = RISC-V), e_flags (0x5 = RVC + double-float ABI). */
export function elfInfo(file: string): ElfInfo {
  const b = readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file}: not an ELF file`);
  return { elf64: b[4] === 2, machine: b.readUInt16LE(18), flags: b.readUInt32LE(48) };
}

/** Compiles and links `testC` (headers in `includeDir`) into `outElf`; throws ToolError with gcc's messages. */
export async function crossCompileTest(testC: string, includeDir: string, outElf: string): Promise<ElfInfo> {
  await ensureTools(['riscv64-picolibc']);
  const r = await runTool('riscv64-unknown-elf-gcc', [...RISCV_FLAGS, '-I', path.join(HARNESS_DIR, 'riscv'), '-I', includeDir, testC, '-o', outElf], { timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new ToolError(r);
  return elfInfo(outElf);
}
