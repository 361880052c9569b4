/**
 * FireSim profiles: what the accelerator shell must know about a unit beyond its ports.
 *
 * A job is a tensor of `rows` x `cols` input beats (records). The shell generates the input
 * stream's 1-bit side-band fields from the two counters (`row`: set on the last beat of every row,
 * e.g. minmax's `in_last` ends a group; `end`: set on the last beat of the job only, e.g. the
 * quantizer's `in_eos` flushes the residual window). Units whose framing is in the data (the
 * selector's `kind`/`last`, earlyexit's per-row key count) store every input field and use
 * cols = 1: a job is `rows` records.
 *
 * Output streams are fixed or variable. A fixed stream gets exactly `<s>_len` records, which the
 * driver computes with `outCounts` (from rows, cols and, for data-framed units, the input records;
 * the same formulas are emitted as C by `outCountsC`). A variable stream (`variable`, e.g. the
 * selector's compacted `out`) has a data-dependent length: `<s>_len` is the capacity of its buffer
 * (an upper bound), `<s>_ends` the number of records with `last` set that end it (`outEnds`); the
 * shell writes the records as they come, including `last`, and reports the count in `<s>_count`.
 */
import type { AnyUnit } from '../../gen/unit.ts';
import type { FiresimProfile } from './profiles/types.ts';
import { minmaxProfile } from './profiles/minmax.ts';
import { dequantizerProfile } from './profiles/dequantizer.ts';
import { quantizerProfile } from './profiles/quantizer.ts';
import { selectorProfile } from './profiles/selector.ts';
import { earlyexitProfile } from './profiles/earlyexit.ts';
import { nuqProfile } from './profiles/nuq.ts';
import { attentionProfile } from './profiles/attention.ts';

export type { CFieldAccess, FiresimProfile, SidebandRule } from './profiles/types.ts';

/** One profile per unit, each in `profiles/<unit>.ts`. */
const PROFILES: Record<string, FiresimProfile> = {
  minmax: minmaxProfile,
  dequantizer: dequantizerProfile,
  quantizer: quantizerProfile,
  selector: selectorProfile,
  earlyexit: earlyexitProfile,
  nuq: nuqProfile,
  attention: attentionProfile,
};

/** Units that have a FireSim profile. */
export const FIRESIM_UNITS: readonly string[] = Object.keys(PROFILES);

/** The profile of `unit`; throws a one-line Error for a unit without one. */
export function firesimProfile(unit: AnyUnit | string): FiresimProfile {
  const name = typeof unit === 'string' ? unit : unit.name;
  const p = PROFILES[name];
  if (!p) throw new Error(`handoff firesim: unit '${name}' has no FireSim profile (units with one: ${FIRESIM_UNITS.join(', ')}); add one to fpga/firesim/profile.ts`);
  return p;
}
