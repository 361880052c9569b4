/**
 * AXI ordering checks over a Verilator co-simulation run directory (keep it: `runDir` or
 * `keepRunDir` in the cosim options). The harness already checks, per output channel, that valid
 * stays high until the handshake and the payload is stable meanwhile; these checks add the rules
 * that relate channels, from the cycle files the testbench writes (uint64 LE per record):
 *
 *   `<s>.in.cycles.bin`          cycle of each accepted input record (AW, W, AR)
 *   `<s>.out.cycles.bin`         cycle of each output transfer (B, R)
 *   `<s>.out.valid-cycles.bin`   cycle at which valid rose for each output record
 *
 * A handshake "at cycle c" happens on the rising edge that ends cycle c, so a response to it may be
 * valid from cycle c + 1 on. AXI4-Lite rules checked (one response per request, in order):
 *   - BVALID of write i only after both the AW and the W handshake of write i (W may come first);
 *   - RVALID of read i only after the AR handshake of read i;
 *   - no response without its request.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export type CycleFile = 'in' | 'out' | 'out-valid';

const fileName = (stream: string, kind: CycleFile): string =>
  kind === 'in' ? `${stream}.in.cycles.bin` : kind === 'out' ? `${stream}.out.cycles.bin` : `${stream}.out.valid-cycles.bin`;

/** The cycles of one stream's records from a run directory (empty when the file is missing). */
export async function readStreamCycles(runDir: string, stream: string, kind: CycleFile): Promise<number[]> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(path.join(runDir, fileName(stream, kind)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: number[] = [];
  for (let i = 0; i + 8 <= buf.byteLength; i += 8) out.push(buf.readUInt32LE(i) + buf.readUInt32LE(i + 4) * 4294967296);
  return out;
}

/** Harness stream names of the five AXI4-Lite channels (as in `axilDesign`). */
export interface AxiLiteChannels {
  aw: string;
  w: string;
  b: string;
  ar: string;
  r: string;
}
export const AXIL_CHANNELS: AxiLiteChannels = { aw: 'aw', w: 'w', b: 'b', ar: 'ar', r: 'r' };

export interface AxiLiteCycles {
  aw: number[];
  w: number[];
  ar: number[];
  /** B / R transfer cycles and the cycles at which their valid rose. */
  b: number[];
  bValid: number[];
  r: number[];
  rValid: number[];
}

export type AxiViolationKind = 'bvalid-before-aw' | 'bvalid-before-w' | 'rvalid-before-ar' | 'b-without-write' | 'r-without-read';

export interface AxiViolation {
  kind: AxiViolationKind;
  /** Index of the response (write i / read i). */
  index: number;
  /** Cycle at which the response's valid rose. */
  cycle: number;
  message: string;
}

/** Checks the cross-channel ordering rules on recorded cycles. */
export function checkAxiLiteOrdering(c: AxiLiteCycles): AxiViolation[] {
  const v: AxiViolation[] = [];
  c.bValid.forEach((bv, i) => {
    if (i >= c.aw.length && i >= c.w.length) {
      v.push({ kind: 'b-without-write', index: i, cycle: bv, message: `B response ${i} (BVALID at cycle ${bv}) has neither an AW nor a W handshake` });
      return;
    }
    if (i >= c.aw.length || bv <= c.aw[i]) {
      const aw = i < c.aw.length ? `at cycle ${c.aw[i]}` : 'never';
      v.push({ kind: 'bvalid-before-aw', index: i, cycle: bv, message: `B response ${i}: BVALID rose at cycle ${bv}, its AW handshake was ${aw}` });
    }
    if (i >= c.w.length || bv <= c.w[i]) {
      const w = i < c.w.length ? `at cycle ${c.w[i]}` : 'never';
      v.push({ kind: 'bvalid-before-w', index: i, cycle: bv, message: `B response ${i}: BVALID rose at cycle ${bv}, its W handshake was ${w}` });
    }
  });
  c.rValid.forEach((rv, i) => {
    if (i >= c.ar.length) {
      v.push({ kind: 'r-without-read', index: i, cycle: rv, message: `R response ${i} (RVALID at cycle ${rv}) has no AR handshake` });
    } else if (rv <= c.ar[i]) {
      v.push({ kind: 'rvalid-before-ar', index: i, cycle: rv, message: `R response ${i}: RVALID rose at cycle ${rv}, its AR handshake was at cycle ${c.ar[i]}` });
    }
  });
  return v;
}

/** Reads a run directory's cycle files and checks the AXI4-Lite ordering rules. */
export async function checkAxiLiteRun(runDir: string, ch: AxiLiteChannels = AXIL_CHANNELS): Promise<AxiViolation[]> {
  const [aw, w, ar, b, bValid, r, rValid] = await Promise.all([
    readStreamCycles(runDir, ch.aw, 'in'),
    readStreamCycles(runDir, ch.w, 'in'),
    readStreamCycles(runDir, ch.ar, 'in'),
    readStreamCycles(runDir, ch.b, 'out'),
    readStreamCycles(runDir, ch.b, 'out-valid'),
    readStreamCycles(runDir, ch.r, 'out'),
    readStreamCycles(runDir, ch.r, 'out-valid'),
  ]);
  return checkAxiLiteOrdering({ aw, w, ar, b, bValid, r, rValid });
}
