/**
 * dequantizer golden model, from README.md's arithmetic: x̂ = fl(fl(float(q) · scale) + mn) per
 * lane, with the float library's bit-exact golden functions (RNE, subnormals kept, canonical NaN).
 */
import { TxnTable } from '../../data/transactions.ts';
import type { FieldSpec } from '../../hdl/ports/design.ts';
import { fpAdd, fpFromUInt, fpMul } from '../../hdl/lib/float/golden/index.ts';
import type { FloatFormat } from '../../hdl/lib/float/format.ts';
import type { StreamData } from '../unit.ts';
import { formatOf, type DequantizerConfig } from './config.ts';

export function inFields(cfg: DequantizerConfig): FieldSpec[] {
  return [
    { name: 'codes', width: cfg.lanes * cfg.bits, signed: false },
    { name: 'scale', width: 16, signed: false },
    { name: 'min', width: 16, signed: false },
    { name: 'last', width: 1, signed: false },
  ];
}

export function outFields(cfg: DequantizerConfig): FieldSpec[] {
  return [
    { name: 'values', width: cfg.lanes * 16, signed: false },
    { name: 'last', width: 1, signed: false },
  ];
}

/** One element: fl(fl(float(q) · scale) + mn), all 16-bit patterns of `f`. */
export function dequantizeElement(f: FloatFormat, q: number, scale: number, mn: number): number {
  return fpAdd(f, fpMul(f, fpFromUInt(f, q), scale), mn);
}

export function dequantizerGolden(cfg: DequantizerConfig, inputs: StreamData): StreamData {
  const inp = inputs.in;
  const f = formatOf(cfg);
  const { lanes: P, bits: b } = cfg;
  const out = new TxnTable(outFields(cfg), inp.count);
  const codeOff = inp.wordIndex(0, 'codes');
  const scaleOff = inp.wordIndex(0, 'scale');
  const minOff = inp.wordIndex(0, 'min');
  const lastOff = inp.wordIndex(0, 'last');
  // Per (scale, min) pair the result depends only on the code: a 2^b-entry table, rebuilt when
  // the pair changes (it stays the same over a group), filled lazily.
  const table = new Int32Array(1 << b);
  let key = -1;
  for (let t = 0; t < inp.count; t++) {
    const base = t * inp.stride;
    const scale = inp.words[base + scaleOff];
    const mn = inp.words[base + minOff];
    const k = scale * 65536 + mn;
    if (k !== key) {
      table.fill(-1);
      key = k;
    }
    for (let i = 0; i < P; i++) {
      const q = inp.laneAt(base + codeOff, b, i, false);
      let v = table[q];
      if (v < 0) v = table[q] = dequantizeElement(f, q, scale, mn);
      out.setLane(t, 'values', 16, i, v);
    }
    out.setLane(t, 'last', 1, 0, inp.words[base + lastOff]);
  }
  return { out };
}
