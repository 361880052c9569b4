/**
 * A formal property that failed during a Verilator run: Verilator prints
 * `[time] %Error: <file>:<line>: Assertion failed in <instance>: 'assert' failed.` on stdout; the
 * emitted line carries `// <source file:line>: <message>` (hdl/emit/formal.ts), read back here.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { propertiesOfVerilog } from '../../hdl/index.ts';

export interface AssertionFailure {
  /** Cycle whose rising edge failed the check (the testbench's cycle count; 0 = first after reset). */
  cycle: number;
  /** The property's message and the builder line that declared it. */
  message: string;
  loc: string;
  /** The Verilog line and the instance path. */
  file: string;
  line: number;
  instance: string;
  kind: string;
}

export function assertionFailure(output: string, designFiles: readonly string[], cycle: number): AssertionFailure | null {
  const m = /%Error: ([^:\s]+):(\d+): Assertion failed in (\S+?):/.exec(output);
  if (!m) return null;
  const base = path.basename(m[1]);
  const line = Number(m[2]);
  const file = designFiles.find((f) => path.basename(f) === base);
  let found: { kind: string; message: string; loc: string } | undefined;
  if (file) {
    try {
      found = propertiesOfVerilog(readFileSync(file, 'utf8')).find((p) => p.line === line);
    } catch {
      found = undefined;
    }
  }
  return {
    cycle,
    message: found?.message ?? '(a property without a kvhdl message)',
    loc: found?.loc ?? `${base}:${line}`,
    file: base,
    line,
    instance: m[3],
    kind: found?.kind ?? 'assert',
  };
}
