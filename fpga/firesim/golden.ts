/**
 * Golden model of a shell job at the memory level: the input records (random data from the unit's
 * own stimulus generator, side-band fields as the shell generates them) and, from the unit's golden
 * model, the exact 64-bit words the shell must write to every output buffer.
 */
import type { AnyUnit } from '../../gen/unit.ts';
import { TxnTable } from '../../data/transactions.ts';
import { rng } from '../../data/rng.ts';
import type { FiresimDesign } from './design.ts';
import { memoryToWords, recordsToWords } from './layout.ts';

export interface ShellJob {
  rows: number;
  cols: number;
  /** The unit's input stream records (side-band fields included). */
  unitInput: TxnTable;
  /** Memory image of the input (rows*cols*in_words words). */
  inputWords: bigint[];
  /** Per output stream (register order): the records' memory image and the record count. */
  outputs: { name: string; records: number; words: bigint[] }[];
  /** What the driver programs per output stream: `<s>_len` (the capacity for variable streams) and `<s>_ends` (variable streams; 0 otherwise). */
  lens: number[];
  ends: number[];
  /** The unit memory's DMA image (units with a memory port): words and memory words. */
  memory?: { name: string; words: bigint[]; length: number };
  /** Memory words the unit requests in this job (profile.memReads; 0 without a memory port). */
  memReads: number;
}

/**
 * Builds a job with seeded data and computes the expected output memory: rows x cols records
 * (side-band fields generated as the shell does), or for data-framed profiles the unit's own
 * stimulus (rows = its records, cols = 1; `rows`/`cols` are ignored).
 */
export function shellJob(unit: AnyUnit, d: FiresimDesign, rows: number, cols: number, seed: number): ShellJob {
  const cfg = d.config;
  const inS = d.layout.input;
  let t: TxnTable;
  let stimulus: Record<string, TxnTable> = {};
  if (d.profile.testStimulus) {
    stimulus = d.profile.testStimulus(unit, cfg, seed);
    t = stimulus[inS.name];
    if (!t) throw new Error(`internal: stimulus of ${unit.name} has no '${inS.name}' stream`);
    rows = t.count;
    cols = 1;
  } else {
    const n = rows * cols;
    const stim = unit.randomStimulus(cfg, seed, n)[inS.name];
    const r = rng(seed ^ 0x5eed);
    t = new TxnTable(inS.unitFields, n);
    for (let i = 0; i < n; i++) {
      const row = Math.floor(i / cols);
      const col = i % cols;
      for (const f of inS.unitFields) {
        const rule = inS.sideband[f.name];
        let v: bigint;
        if (rule === 'row') v = col === cols - 1 ? 1n : 0n;
        else if (rule === 'end') v = col === cols - 1 && row === rows - 1 ? 1n : 0n;
        else if (stim && i < stim.count) v = stim.get(i, f.name);
        else {
          v = 0n;
          for (let b = 0; b < f.width; b += 32) v |= BigInt(r.u32()) << BigInt(b);
          v = f.signed ? BigInt.asIntN(f.width, v) : BigInt.asUintN(f.width, v);
        }
        t.set(i, f.name, v);
      }
    }
  }
  const mem = d.layout.memory;
  const inputs: Record<string, TxnTable> = { [inS.name]: t };
  let memory: ShellJob['memory'];
  if (mem) {
    const image = stimulus[mem.name];
    if (!image) throw new Error(`internal: stimulus of ${unit.name} has no image of memory '${mem.name}'`);
    inputs[mem.name] = image;
    memory = { name: mem.name, words: memoryToWords(mem, image), length: image.count };
  }
  const outs = unit.golden(cfg, inputs);
  const counts = d.profile.outCounts(cfg, rows, cols, t);
  const endsOf = d.profile.outEnds?.(cfg, rows, cols, t) ?? {};
  const outputs = d.layout.outputs.map((s) => {
    const o = outs[s.name];
    if (!o) throw new Error(`internal: golden model of ${unit.name} gave no '${s.name}' stream`);
    if (d.layout.variable.includes(s.name)) {
      let lasts = 0;
      for (let i = 0; i < o.count; i++) if (o.get(i, 'last') === 1n) lasts++;
      if (o.count > counts[s.name] || lasts !== endsOf[s.name]) {
        throw new Error(`profile of ${unit.name}: '${s.name}' capacity ${counts[s.name]} and ends ${endsOf[s.name]}, the golden model gives ${o.count} records with ${lasts} ends`);
      }
    } else if (o.count !== counts[s.name]) {
      throw new Error(`profile of ${unit.name}: outCounts says ${counts[s.name]} '${s.name}' records for ${rows}x${cols}, the golden model gives ${o.count}`);
    }
    return { name: s.name, records: o.count, words: recordsToWords(s, o) };
  });
  const lens = d.layout.outputs.map((s) => counts[s.name]);
  const ends = d.layout.outputs.map((s) => (d.layout.variable.includes(s.name) ? endsOf[s.name] : 0));
  if (mem && !d.profile.memReads) throw new Error(`internal: profile of ${unit.name} has a memory port but no memReads`);
  const memReads = mem ? d.profile.memReads!(cfg, outs) : 0;
  return { rows, cols, unitInput: t, inputWords: recordsToWords(inS, t), outputs, lens, ends, memory, memReads };
}
