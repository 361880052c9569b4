/**
 * quantizer: the shared "quantize consecutive buffered groups" datapath (both modes), README.md
 * "Arithmetic" steps 1-6 in RTL.
 *
 * SIGNATURE (stable; the per-token and per-channel RTL both use it):
 *
 *   groupQuantizer(m: ModuleBuilder, name: string, fmt: FloatFormat,
 *                  geom: { bits: number; groupSize: number; lanes: number },
 *                  beat: { valid: Expr; data: Expr },   // data: UInt(16).vec(P), lane i = element beat·P + i of the group
 *                  advance: Expr,                        // global pipeline enable (Bool)
 *                  opts?: GroupQuantizerOptions)
 *     -> GroupQuantizer {
 *          q:   { valid: Expr; codes: Expr /* UInt(b).vec(P) *\/; last: Expr },
 *          grp: { valid: Expr; scale: Expr; min: Expr; flags: Expr /* UInt(4) *\/ },
 *          latency: number,   // advance-cycles from a group's last input beat to its first q beat
 *          grpLatency: number // advance-cycles from a group's last input beat to its grp record
 *        }
 *   groupQuantizerTiming(fmt, opts?) -> { scaleLatency, codeLatency, latency, grpLatency } (same figures, no hardware)
 *
 * Contract:
 * - `beat` carries the groups' elements in GROUP ORDER, G/P beats per group, groups back to back
 *   (the datapath counts beats itself: beat 0 of the first group comes first after reset, and every
 *   G/P-th valid beat ends a group). A beat is taken on a cycle with `advance && beat.valid`.
 *   One beat per advance-cycle is sustained across consecutive groups (II = 1).
 * - Every register inside loads only when `advance` is high (the caller's global stall). The
 *   outputs are combinational views of the last pipeline registers: `q.valid` / `grp.valid` are
 *   high for exactly one advance-cycle per beat / group, so the caller loads its output registers
 *   with them under `advance` (as gen/minmax/rtl.ts does).
 * - q: the G/P code beats of each group in input order, `last` on the group's final beat.
 *   grp: one record per group, in group order (scale, min, flags per README "Flags"; invalid groups
 *   give the canonical NaN for both; zero-scale groups scale +0 and min = mn; codes 0 for both).
 *
 * Structure: a fill side (per-beat min/max trees over the lanes with fpMin / fpMax, first operand
 * on ties so the first element in group order wins; NaN / Inf detection; beats written into a
 * circular beat memory) → per group a scale pipeline (range = fpSub(mx, mn), scale =
 * fpDiv(range, maxq) with a literal divisor, RANGE_OVF / ZERO_SCALE) carrying the group's base
 * address in the beat memory → a coding side that reads the group's G/P beats back (while later
 * groups fill the memory: the memory generalises a double buffer, depth a power of two ≥
 * G/P + scale latency + 3 beats, so a beat is never overwritten before it is coded) → per lane
 * d = fpSub(x, mn), t = fpDiv(d, scale), code = fpToUIntSat(t, b), masked to 0 for flagged groups.
 * Groups leave the scale pipeline at least G/P advance-cycles apart (their last beats enter that
 * far apart and the pipeline has a fixed latency), so one coding counter suffices.
 */
import { Bool, UInt, cat, lit, log2Ceil, mux, vecOf, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { canonicalNaN, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpDiv, fpDivMaxStages } from '../../hdl/lib/float/div.ts';
import { fpSub } from '../../hdl/lib/float/add.ts';
import { fpMax, fpMin } from '../../hdl/lib/float/compare.ts';
import { fpToUIntSat } from '../../hdl/lib/float/round-int.ts';
import { floatFields } from '../../hdl/lib/float/unpack.ts';
import { fpFromUInt as fpFromUIntGolden } from '../../hdl/lib/float/golden/index.ts';

export interface GroupQuantizerOptions {
  /**
   * Fill-side registers (0..ceil(log2 P) + 1, default 0): the first holds the group record (min,
   * max, flags, base) between the accumulation and the scale pipeline; the others go into the
   * per-beat min / max trees (the last tree levels first).
   */
  fillStages?: number;
  /** fpSub stages of range = mx − mn and of d = x − mn (0..5, default 2). */
  subStages?: number;
  /** fpDiv stages of scale = range / maxq and of t = d / scale (default min(8, max)). */
  divStages?: number;
  /** fpToUIntSat stage (0..1, default 1). */
  roundStages?: number;
}

export interface GroupQuantizer {
  q: { valid: Expr; codes: Expr; last: Expr };
  grp: { valid: Expr; scale: Expr; min: Expr; flags: Expr };
  latency: number;
  grpLatency: number;
}

const FLAG_ZERO_SCALE = 8;

/** Pipeline latencies (advance-cycles) of groupQuantizer for a format and options. */
export function groupQuantizerTiming(fmt: FloatFormat, opts: GroupQuantizerOptions = {}): { scaleLatency: number; codeLatency: number; latency: number; grpLatency: number } {
  const fill = opts.fillStages ?? 0;
  const sub = opts.subStages ?? 2;
  const div = opts.divStages ?? Math.min(8, fpDivMaxStages(fmt));
  const round = opts.roundStages ?? 1;
  const scaleLatency = fill + sub + div;
  const codeLatency = sub + div + round;
  return { scaleLatency, codeLatency, latency: scaleLatency + 1 + codeLatency, grpLatency: scaleLatency };
}

/** Tree levels after which the beat trees get a register, for `treeRegs` registers in `levels` levels (last levels first). */
function treeCuts(levels: number, treeRegs: number): Set<number> {
  return new Set(Array.from({ length: treeRegs }, (_, i) => levels - 1 - Math.floor((i * levels) / treeRegs)));
}

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

export function groupQuantizer(
  m: ModuleBuilder,
  name: string,
  fmt: FloatFormat,
  geom: { bits: number; groupSize: number; lanes: number },
  beat: { valid: Expr; data: Expr },
  advance: Expr,
  opts: GroupQuantizerOptions = {},
): GroupQuantizer {
  const { bits: b, groupSize: G, lanes: P } = geom;
  if (G % P !== 0) throw new RangeError(`groupQuantizer '${name}': groupSize ${G} is not a multiple of lanes ${P}`);
  const fillStages = opts.fillStages ?? 0;
  const levels = P <= 1 ? 0 : log2Ceil(P);
  if (!Number.isInteger(fillStages) || fillStages < 0 || fillStages > levels + 1) {
    throw new RangeError(`groupQuantizer '${name}': fillStages must be 0..${levels + 1} for ${P} lanes, got ${fillStages}`);
  }
  const cuts = treeCuts(levels, Math.max(0, fillStages - 1));
  const subStages = opts.subStages ?? 2;
  const divStages = opts.divStages ?? Math.min(8, fpDivMaxStages(fmt));
  const roundStages = opts.roundStages ?? 1;
  const W = fmt.width;
  const pat = UInt(W);
  const n = `${name}_`;
  const beatsPerGroup = G / P;
  const cw = Math.max(1, log2Ceil(beatsPerGroup));
  const lanes = vecLanes(beat.data.asUInt(), P, W);
  const take = m.wire(`${n}take`, advance.and(beat.valid));

  /** A register chain of `k` stages loading under `advance`. */
  const delay = (tag: string, x: Expr, k: number, reset?: number): Expr => {
    let v = x;
    for (let i = 1; i <= k; i++) {
      const r = m.reg(`${n}${tag}_d${i}`, x.type, reset === undefined ? {} : { reset });
      const prev = v;
      m.when(advance, () => r.set(prev));
      v = r;
    }
    return v;
  };

  // ---- fill side -------------------------------------------------------------------------------
  const fillCount = m.reg(`${n}fill_count`, UInt(cw), { reset: 0 });
  const fillFirst = m.wire(`${n}fill_first`, fillCount.eq(0));
  const fillLast = m.wire(`${n}fill_last`, fillCount.eq(beatsPerGroup - 1));
  m.when(take, () => fillCount.set(mux(fillLast, lit(UInt(cw), 0), fillCount.addWrap(1))));

  // beat memory: a circular buffer of beats; the group's first address travels with the group
  const scaleLatency = fillStages + subStages + divStages;
  const depth = nextPow2(beatsPerGroup + scaleLatency + 3);
  const aw = log2Ceil(depth);
  const store = m.mem(`${n}beats`, UInt(P * W), depth);
  const wrPtr = m.reg(`${n}wr_ptr`, UInt(aw), { reset: 0 });
  m.when(take, () => {
    store.write(wrPtr, beat.data.asUInt());
    wrPtr.set(wrPtr.addWrap(1));
  });
  const baseReg = m.reg(`${n}base`, UInt(aw));
  m.when(take.and(fillFirst), () => baseReg.set(wrPtr));
  const grpBase0 = m.wire(`${n}grp_base0`, mux(fillFirst, wrPtr, baseReg));

  // beat minimum / maximum: trees whose nodes keep the left (earlier) operand on ties; with
  // fillStages > 1 registers after some levels, the beat's take / first / last / base / NaN / Inf
  // flags travel beside them (all load under advance; a registered take counts when advance is high)
  let side: Record<string, Expr> = {
    take,
    first: fillFirst,
    last: fillLast,
    base: grpBase0,
    nan: lanes.map((x) => floatFields(fmt, x).isNaN).reduce((a, c) => a.or(c)),
    inf: lanes.map((x) => floatFields(fmt, x).isInf).reduce((a, c) => a.or(c)),
  };
  let mins: Expr[] = lanes;
  let maxs: Expr[] = lanes;
  for (let k = 0; k < levels; k++) {
    const step = (level: Expr[], op: typeof fpMin, tag: string): Expr[] => {
      const next: Expr[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(op(m, `${n}${tag}_${k}_${i / 2}`, fmt, level[i], level[i + 1]).result);
      if (level.length % 2) next.push(level[level.length - 1]);
      return next;
    };
    mins = step(mins, fpMin, 'bmin');
    maxs = step(maxs, fpMax, 'bmax');
    if (cuts.has(k)) {
      const r = (tag: string, x: Expr, reset?: number) => {
        const q = m.reg(`${n}ft${k}_${tag}`, x.type, reset === undefined ? {} : { reset });
        m.when(advance, () => q.set(x));
        return q;
      };
      mins = mins.map((x, i) => r(`min${i}`, x));
      maxs = maxs.map((x, i) => r(`max${i}`, x));
      side = Object.fromEntries(Object.entries(side).map(([key, x]) => [key, r(key, x, key === 'take' ? 0 : undefined)]));
      side.take = side.take.and(advance);
    }
  }
  const beatMin = m.wire(`${n}beat_min`, mins[0]);
  const beatMax = m.wire(`${n}beat_max`, maxs[0]);
  const beatNan = m.wire(`${n}beat_nan`, side.nan);
  const beatInf = m.wire(`${n}beat_inf`, side.inf);
  const fTake = side.take;
  const fFirst = side.first;

  const accMin = m.reg(`${n}acc_min`, pat);
  const accMax = m.reg(`${n}acc_max`, pat);
  const accNan = m.reg(`${n}acc_nan`, Bool);
  const accInf = m.reg(`${n}acc_inf`, Bool);
  const grpMin0 = m.wire(`${n}grp_min`, mux(fFirst, beatMin, fpMin(m, `${n}amin`, fmt, accMin, beatMin).result));
  const grpMax0 = m.wire(`${n}grp_max`, mux(fFirst, beatMax, fpMax(m, `${n}amax`, fmt, accMax, beatMax).result));
  const grpNan0 = m.wire(`${n}grp_nan`, beatNan.or(accNan.and(fFirst.not())));
  const grpInf0 = m.wire(`${n}grp_inf`, beatInf.or(accInf.and(fFirst.not())));
  m.when(fTake, () => {
    accMin.set(grpMin0);
    accMax.set(grpMax0);
    accNan.set(grpNan0);
    accInf.set(grpInf0);
  });
  // the group record: complete with its last beat; with fillStages >= 1 registered (under advance)
  let rec: Record<string, Expr> = { valid: fTake.and(side.last), min: grpMin0, max: grpMax0, nan: grpNan0, inf: grpInf0, base: side.base };
  if (fillStages >= 1) {
    rec = Object.fromEntries(Object.entries(rec).map(([key, x]) => {
      const q = m.reg(`${n}rec_${key}`, x.type, key === 'valid' ? { reset: 0 } : {});
      m.when(advance, () => q.set(x));
      return [key, key === 'valid' ? q.and(advance) : q];
    }));
  }
  const grpMin = rec.min;
  const grpMax = rec.max;
  const grpNan = rec.nan;
  const grpInf = rec.inf;

  const grpBase = m.wire(`${n}grp_base`, rec.base);

  // ---- scale pipeline (one slot per advance-cycle; a group occupies one slot) --------------------
  const s0Valid = m.wire(`${n}s0_valid`, rec.valid); // the group's record is complete now
  const range = fpSub(m, `${n}range`, fmt, grpMax, grpMin, { stages: subStages, enable: advance }).result;
  const s1Valid = delay('s1_valid', s0Valid.and(advance), subStages, 0);
  const s1Min = delay('s1_min', grpMin, subStages);
  const s1Flags0 = delay('s1_flags', cat(grpInf, grpNan), subStages); // {inf, nan}: bits 1, 0
  const s1Base = delay('s1_base', grpBase, subStages);
  const inf = ((1 << fmt.exp) - 1) << fmt.man;
  const s1Ovf = m.wire(`${n}s1_ovf`, s1Flags0.eq(0).and(range.eq(inf)));
  const maxq = lit(pat, fpFromUIntGolden(fmt, 2 ** b - 1));
  const scaleRaw = fpDiv(m, `${n}scale`, fmt, range, maxq, { stages: divStages, enable: advance }).result;
  const s2Valid = delay('s2_valid', s1Valid, divStages, 0);
  const s2Min = delay('s2_min', s1Min, divStages);
  const s2Flags0 = delay('s2_flags', cat(s1Ovf, s1Flags0), divStages); // {ovf, inf, nan}
  const s2Base = delay('s2_base', s1Base, divStages);
  const s2Invalid = m.wire(`${n}s2_invalid`, s2Flags0.ne(0));
  const s2Zero = m.wire(`${n}s2_zero`, s2Invalid.not().and(scaleRaw.eq(0)));
  const nan = lit(pat, canonicalNaN(fmt));
  const s2Scale = m.wire(`${n}s2_scale`, mux(s2Invalid, nan, scaleRaw));
  const s2MinOut = m.wire(`${n}s2_min_out`, mux(s2Invalid, nan, s2Min));
  const s2FlagsOut = m.wire(`${n}s2_flags_out`, mux(s2Zero, lit(UInt(4), FLAG_ZERO_SCALE), s2Flags0.zext(4)));
  // s2Valid is already qualified by advance at s0; the registers move only under advance, so the
  // record is valid for exactly one advance-cycle.

  // ---- coding side -------------------------------------------------------------------------------
  // The coding context: the current group's scale / mn / mask and the beat counter.
  const codeActive = m.reg(`${n}code_active`, Bool, { reset: 0 });
  const codeCount = m.reg(`${n}code_count`, UInt(cw), { reset: 0 });
  const codeAddr = m.reg(`${n}code_addr`, UInt(aw));
  const ctxScale = m.reg(`${n}ctx_scale`, pat);
  const ctxMin = m.reg(`${n}ctx_min`, pat);
  const ctxMask = m.reg(`${n}ctx_mask`, Bool); // codes forced to 0 (invalid or zero-scale group)
  // issue: this cycle's read (a new group starts, or the current one continues)
  const start = s2Valid;
  const issue = m.wire(`${n}issue`, start.or(codeActive));
  const issueAddr = m.wire(`${n}issue_addr`, mux(start, s2Base, codeAddr));
  const issueCount = m.wire(`${n}issue_count`, mux(start, lit(UInt(cw), 0), codeCount));
  const issueLast = m.wire(`${n}issue_last`, issueCount.eq(beatsPerGroup - 1));
  m.when(advance, () => {
    m.when(issue, () => {
      codeActive.set(issueLast.not());
      codeCount.set(issueCount.addWrap(1));
      codeAddr.set(issueAddr.addWrap(1));
    });
    m.when(start, () => {
      ctxScale.set(scaleRaw);
      ctxMin.set(s2Min);
      ctxMask.set(s2Invalid.or(s2Zero));
    });
  });
  const rd = store.read(`${n}rd`, issueAddr, advance.and(issue));
  // stage c1: the read data arrives; the context is the one loaded at issue time (ctx registers
  // load at the group's first issue and stay through its last)
  const c1Valid = delay('c1_valid', issue, 1, 0);
  const c1Last = delay('c1_last', issueLast, 1);
  // With no scale pipeline (subStages = divStages = 0) and one beat per group, a group's only beat
  // is read in the cycle it is written: the memory returns the old word then, so that beat is
  // forwarded from the write port instead.
  let rdData: Expr = rd;
  if (scaleLatency === 0) {
    const fwd = m.reg(`${n}rd_fwd`, Bool, { reset: 0 });
    const fwdData = m.reg(`${n}rd_fwd_data`, UInt(P * W));
    m.when(advance, () => {
      fwd.set(take.and(issue).and(wrPtr.eq(issueAddr)));
      fwdData.set(beat.data.asUInt());
    });
    rdData = m.wire(`${n}rd_data`, mux(fwd, fwdData, rd));
  }
  const c1Lanes = vecLanes(rdData, P, W);
  const c1Scale = ctxScale;
  const c1Min = ctxMin;
  const c1Mask = ctxMask;
  // Careful: ctx registers are loaded at the start cycle, so in c1 they hold this group's context
  // for its beats (the next group starts at least G/P cycles later, after this group's last issue,
  // i.e. its first c1 is after this group's last c1).
  const dStages = subStages;
  const tStages = divStages;
  const codes = c1Lanes.map((x, i) => {
    const d = fpSub(m, `${n}d${i}`, fmt, x, c1Min, { stages: dStages, enable: advance }).result;
    const scaleD = delay(`sc${i}`, c1Scale, dStages);
    const t = fpDiv(m, `${n}t${i}`, fmt, d, scaleD, { stages: tStages, enable: advance }).result;
    return fpToUIntSat(m, `${n}code${i}`, fmt, t, b, { stages: roundStages, enable: advance }).result;
  });
  const codeLat = dStages + tStages + roundStages;
  const cValid = delay('cv', c1Valid, codeLat, 0);
  const cLast = delay('cl', c1Last, codeLat);
  const cMask = delay('cm', c1Mask, codeLat);
  const zero = lit(UInt(b), 0);
  const qCodes = m.wire(`${n}q_codes`, vecOf(codes.map((c) => mux(cMask, zero, c))));

  return {
    q: { valid: cValid, codes: qCodes, last: cLast },
    grp: { valid: s2Valid, scale: s2Scale, min: s2MinOut, flags: s2FlagsOut },
    latency: scaleLatency + 1 + codeLat,
    grpLatency: scaleLatency,
  };
}

function vecLanes(v: Expr, P: number, W: number): Expr[] {
  return Array.from({ length: P }, (_, i) => v.slice(i * W + W - 1, i * W));
}
