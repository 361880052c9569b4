/**
 * Reconstruction error of the quantizer (golden): per input sequence (ended by in_eos), the first
 * Tq tokens against their dequantized x̂ (README step 7), over the elements whose input and x̂ are
 * both finite (NaN/Inf inputs and invalid groups carry no error figure). relMse = Σ(x̂ − x)² / Σx²;
 * maxAbsErr = max |x̂ − x|. Residual tokens are exact and not counted.
 */
import type { TxnTable } from '../../data/transactions.ts';
import { fpIsInf, fpIsNaN, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { quantizerFormat, type QuantizerConfig } from './config.ts';
import { quantizeTensor } from './golden.ts';

export interface QuantizerQuality {
  /** Quantized elements with a finite input and x̂. */
  elements: number;
  relMse: number | null;
  maxAbsErr: number | null;
}

/** The input stream split back into sequences (row-major [T, D] values each). */
function sequences(cfg: QuantizerConfig, inp: TxnTable): Uint16Array[] {
  const out: Uint16Array[] = [];
  let cur: number[] = [];
  for (let k = 0; k < inp.count; k++) {
    for (let l = 0; l < cfg.lanes; l++) cur.push(inp.lane(k, 'data', 16, l, false));
    if (inp.lane(k, 'eos', 1, 0, false)) {
      out.push(Uint16Array.from(cur));
      cur = [];
    }
  }
  return out;
}

export function quantizerQuality(cfg: QuantizerConfig, inp: TxnTable): QuantizerQuality {
  const f = quantizerFormat(cfg);
  const finite = (b: number) => !fpIsNaN(f, b) && !fpIsInf(f, b);
  let num = 0, den = 0, n = 0, max = 0;
  for (const x of sequences(cfg, inp)) {
    const q = quantizeTensor(cfg, x);
    for (let i = 0; i < q.Tq * cfg.channels; i++) {
      if (!finite(x[i]) || !finite(q.dequant[i])) continue;
      const v = fpToNumber(f, x[i]);
      const e = fpToNumber(f, q.dequant[i]) - v;
      num += e * e;
      den += v * v;
      max = Math.max(max, Math.abs(e));
      n++;
    }
  }
  return { elements: n, relMse: den > 0 ? num / den : null, maxAbsErr: n ? max : null };
}
