/**
 * Golden model of a shell job at the memory level: the input records (random data from the unit's
 * own stimulus generator, side-band fields as the shell generates them) and, from the unit's golden
 * model, the exact 64-bit words the shell must write to every output buffer.
 */
import type { AnyUnit } from '../../gen/unit.ts';
import { TxnTable } from '../../cosim/transactions.ts';
import { rng } from '../../cosim/rng.ts';
import type { FiresimDesign } from './design.ts';
import { recordsToWords } from './layout.ts';

export interface ShellJob {
  rows: number;
  cols: number;
  /** The unit's input stream records (side-band fields included). */
  unitInput: TxnTable;
  /** Memory image of the input (rows*cols*in_words words). */
  inputWords: bigint[];
  /** Per output stream (register order): the records' memory image and the record count. */
  outputs: { name: string; records: number; words: bigint[] }[];
}

/** Builds a job of rows x cols records with seeded data and computes the expected output memory. */
export function shellJob(unit: AnyUnit, d: FiresimDesign, rows: number, cols: number, seed: number): ShellJob {
  const cfg = d.config;
  const inS = d.layout.input;
  const n = rows * cols;
  const stim = unit.randomStimulus(cfg, seed, n)[inS.name];
  const r = rng(seed ^ 0x5eed);
  const t = new TxnTable(inS.unitFields, n);
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
  const outs = unit.golden(cfg, { [inS.name]: t });
  const expected = d.profile.outCounts(cfg, rows, cols);
  const outputs = d.layout.outputs.map((s) => {
    const o = outs[s.name];
    if (!o) throw new Error(`internal: golden model of ${unit.name} gave no '${s.name}' stream`);
    if (o.count !== expected[s.name]) {
      throw new Error(`profile of ${unit.name}: outCounts says ${expected[s.name]} '${s.name}' records for ${rows}x${cols}, the golden model gives ${o.count}`);
    }
    return { name: s.name, records: o.count, words: recordsToWords(s, o) };
  });
  return { rows, cols, unitInput: t, inputWords: recordsToWords(inS, t), outputs };
}
