/** Random stimulus for the nuq unit: calibrated tables and heavy-tailed keys with special values. */
import { Rng } from '../../data/rng.ts';
import type { StreamData } from '../unit.ts';
import { nuqFormat, tableBeats, type NuqConfig } from './config.ts';
import { calibrateNuq, calibrateNuqPerToken } from './calibrate.ts';
import { heavyTailedKeys } from './synthetic.ts';
import { inputTransactions, type InputItem } from './stream-model.ts';

/** x with a few specials (NaN with payload, +-Inf, -0, subnormal, far outliers) at random places. */
export function sprinkle(cfg: NuqConfig, x: Uint16Array, r: Rng, rate: number): Uint16Array {
  const fp16 = cfg.format === 'fp16';
  const specials = fp16 ? [0x7e00, 0xfd01, 0x7c00, 0xfc00, 0x8000, 0x0001, 0x7bff, 0xfbff] : [0x7fc0, 0xff81, 0x7f80, 0xff80, 0x8000, 0x0001, 0x7f7f, 0xff7f];
  const y = Uint16Array.from(x);
  for (let i = 0; i < y.length; i++) if (r.chance(rate)) y[i] = specials[r.int(0, specials.length - 1)];
  return y;
}

/**
 * About `n` input beats: a table calibrated (per-channel codebooks, f = 5 %) on one key tensor,
 * a sequence of keys, then a second table (shared codebook, f = 1 %) and two more sequences.
 * Outliers: the calibration fraction plus ~1 % specials, well under one per beat on average.
 * Per-token mode: the same with per-token calibration at f = 0, the first table's trim then set
 * to min(trimMax, 1, ⌊(D − 1)/2⌋) (at least 2 outliers per token), the second's to 0 (outliers: the
 * specials); heavier trims put more than one outlier per beat on the one-per-cycle sparse port.
 */
export function nuqRandomStimulus(cfg: NuqConfig, seed: number, n: number): StreamData {
  const r = new Rng(seed);
  const f = nuqFormat(cfg);
  const D = cfg.channels;
  const dataBeats = Math.max(3 * (D / cfg.lanes), n - 2 * tableBeats(cfg));
  const tokens = Math.max(3, Math.floor((dataBeats * cfg.lanes) / D));
  const calT = 64;
  const all = heavyTailedKeys(f, 2 * calT + tokens, D, seed * 13 + 1); // one channel structure throughout
  const rows = (t0: number, T: number) => all.slice(t0 * D, (t0 + T) * D);
  const cal = cfg.mode === 'per-token' ? calibrateNuqPerToken : calibrateNuq; // per-token: always one shared codebook
  const pt = cfg.mode === 'per-token';
  const cb1 = cal(f, rows(0, calT), calT, D, { bits: cfg.bits, outlierFraction: pt ? 0 : 0.05, shared: false });
  const cb2 = cal(f, rows(calT, calT), calT, D, { bits: cfg.bits, outlierFraction: pt ? 0 : 0.01, shared: true });
  if (pt) {
    cb1.trim = Math.min(cfg.trimMax, 1, Math.floor((D - 1) / 2));
    cb2.trim = 0;
  }
  const a = r.int(1, tokens - 2);
  const b = r.int(1, tokens - a - 1);
  const seq = (t0: number, T: number) => sprinkle(cfg, rows(2 * calT + t0, T), r, 0.01);
  const items: InputItem[] = [{ load: cb1 }, { data: seq(0, a) }, { load: cb2 }, { data: seq(a, b) }, { data: seq(a + b, tokens - a - b) }];
  return inputTransactions(cfg, items);
}
