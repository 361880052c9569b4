/**
 * nuq RTL, per-token front end (README.md "Per-token mode", "Per-token hardware"): the shared
 * table (centroids and midpoints from a per-token load), the token buffer, each token's lo / hi
 * (min and max over its finite values, or with trimMax > 0 its trimmed order statistics) and
 * mid / half / rcp, and the emit side that reads a token's beats back once its statistics are known
 * and hands them, with the token's words, to the quantize datapath of rtl.ts. Every register loads under the datapath's one enable `en`.
 *
 * Token buffer: a circular memory of beats (depth a power of two > D/P + the statistics latency),
 * which generalises a ping-pong pair of token buffers: the statistics take longer than one token's
 * D/P beats, so up to ⌈(D/P + latency) / (D/P)⌉ tokens are in it at once (filling, waiting for
 * their statistics, being emitted) and the input keeps one beat per cycle.
 */
import { Bool, UInt, bitsFor, lit, log2Ceil, minOf, maxOf, mux, vecOf, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { reduceTree, minOp, maxOp } from '../../hdl/lib/index.ts';
import { fpAdd, fpSub } from '../../hdl/lib/float/add.ts';
import { fpMul } from '../../hdl/lib/float/mul.ts';
import { fpDiv, fpDivMaxStages } from '../../hdl/lib/float/div.ts';
import type { FloatFormat } from '../../hdl/lib/float/format.ts';
import { tableBeats, type NuqConfig } from './config.ts';

/** Named values travelling down a pipeline together. */
export type Bundle = Record<string, Expr>;

/** Where the quantize datapath's table words come from (rtl.ts). */
export interface WordSource {
  /** Word w of lane i for a stage's bundle (0 lo, 1 hi, 2 mid, 3 rcp, 4 half, 5 + j centroid j, 5 + K + j midpoint j). */
  word(s: Bundle, i: number, w: number): Expr;
  /** The carried fields (per-token: the token's lo, hi, mid, rcp, half) still needed after a datapath stage. */
  keep(stage: 'sr' | 'sa' | 'sb' | 'sc' | 'sd' | 'se' | 'sf'): string[];
}

/** What rtl.ts gives the front end. */
export interface FrontContext {
  f: FloatFormat;
  beat: { valid: Expr; data: Expr; x: Expr[]; eos: Expr };
  en: Expr;
  /** A load beat is taken this cycle. */
  loadFire: Expr;
  /** A data beat is taken this cycle. */
  inFire: Expr;
  stage: (name: string, b: Bundle) => Bundle;
  delay: (name: string, b: Bundle, n: number) => Bundle;
}

/** fpDiv stages of rcp = 1 / half: the format's maximum with opStages > 0 (one quotient bit per stage), else 0. */
export const rcpStages = (cfg: NuqConfig, f: FloatFormat): number => (cfg.opStages === 0 ? 0 : fpDivMaxStages(f));

/** Registers of the rank selection (trimMax > 0): candidates, comparison matrix, one-hot select. */
export const selectStages = (cfg: NuqConfig): number => (cfg.trimMax > 0 ? 3 : 0);

/** En-cycles from a token's last beat entering to its first beat being read back (README "Per-token hardware"). */
export const statsLatency = (cfg: NuqConfig, f: FloatFormat): number => 5 + 2 * cfg.opStages + rcpStages(cfg, f) + selectStages(cfg);

/** Token buffer depth in beats: the smallest power of two above D/P + statsLatency. */
export function tokenBufferDepth(cfg: NuqConfig, f: FloatFormat): number {
  let d = 2;
  while (d < cfg.channels / cfg.lanes + statsLatency(cfg, f) + 1) d *= 2;
  return d;
}

const TK = ['lo', 'hi', 'mid', 'rcp', 'half'] as const;

export function perTokenFront(m: ModuleBuilder, cfg: NuqConfig, ctx: FrontContext): { entry: Bundle; src: WordSource; tk: { valid: Expr; mid: Expr; half: Expr } } {
  const { f, beat, en, stage, delay } = ctx;
  const { lanes: P, channels: D, bits: b } = cfg;
  const K = 2 ** b;
  const BPT = D / P;
  const btw = Math.max(1, log2Ceil(BPT));
  const pat = UInt(16);
  const ops = { stages: cfg.opStages, enable: en };

  // ---- shared table: words 1 .. 2K - 1 of the load (centroids, midpoints); word 0 (trim) and the padding are not kept
  const LB = tableBeats(cfg);
  const ldw = Math.max(1, log2Ceil(LB));
  const ld = m.reg('ld_beat', UInt(ldw), { reset: 0 });
  m.when(ctx.loadFire, () => ld.set(mux(ld.eq(LB - 1), lit(UInt(ldw), 0), ld.addWrap(1))));
  const shared: Expr[] = [];
  for (let n = 1; n < 2 * K; n++) {
    const r = m.reg(n <= K ? `tbl_c${n - 1}` : `tbl_t${n - 1 - K}`, pat);
    m.when(ctx.loadFire.and(ld.eq(Math.floor(n / P))), () => r.set(beat.x[n % P]));
    shared.push(r);
  }

  // ---- fill side: the token buffer and each beat's min / max over its finite lanes, as order keys
  const inFire = ctx.inFire;
  const fill = m.reg('pt_fill', UInt(btw), { reset: 0 });
  const fillFirst = m.wire('pt_fill_first', fill.eq(0));
  const fillLast = m.wire('pt_fill_last', fill.eq(BPT - 1));
  m.when(inFire, () => fill.set(mux(fillLast, lit(UInt(btw), 0), fill.addWrap(1))));
  const depth = tokenBufferDepth(cfg, f);
  const aw = log2Ceil(depth);
  const buf = m.mem('pt_buf', UInt(16 * P), depth);
  const wr = m.reg('pt_wr', UInt(aw), { reset: 0 });
  m.when(inFire, () => {
    buf.write(wr, beat.data.asUInt());
    wr.set(wr.addWrap(1));
  });
  const baseReg = m.reg('pt_base', UInt(aw));
  m.when(inFire.and(fillFirst), () => baseReg.set(wr));
  const base0 = m.wire('pt_base0', mux(fillFirst, wr, baseReg));
  // order key: an unsigned number increasing with the value (positive: sign bit set; negative: inverted);
  // non-finite lanes take the key no finite value has at the far end (0xffff for the min, 0 for the max)
  const ONES = 0xffff;
  const keyMin: Expr[] = [], keyMax: Expr[] = [];
  beat.x.forEach((xi, i) => {
    const finite = m.wire(`pt_l${i}_finite`, xi.slice(14, f.man).andR().not());
    const key = m.wire(`pt_l${i}_key`, mux(xi.bit(15), xi.not(), xi.or(0x8000)));
    keyMin.push(m.wire(`pt_l${i}_kmin`, mux(finite, key, lit(pat, ONES))));
    keyMax.push(m.wire(`pt_l${i}_kmax`, mux(finite, key, lit(pat, 0))));
  });
  const unkey = (k: Expr) => mux(k.bit(15), k.and(0x7fff), k.not());
  const plusZero = (v: Expr) => mux(v.eq(0x8000), lit(pat, 0), v);
  let s0: Bundle;
  if (cfg.trimMax === 0) {
    const bmin = reduceTree(m, 'pt_bmin', keyMin, minOp).result;
    const bmax = reduceTree(m, 'pt_bmax', keyMax, maxOp).result;
    const pf = stage('pf', { v: inFire, last: fillLast, eos: beat.eos, base: base0, mn: bmin, mx: bmax });
    const accMin = m.reg('pt_acc_min', pat, { reset: ONES });
    const accMax = m.reg('pt_acc_max', pat, { reset: 0 });
    const tokMin = m.wire('pt_tok_min', minOf(accMin, pf.mn));
    const tokMax = m.wire('pt_tok_max', maxOf(accMax, pf.mx));
    m.when(en.and(pf.v), () => {
      accMin.set(mux(pf.last, lit(pat, ONES), tokMin));
      accMax.set(mux(pf.last, lit(pat, 0), tokMax));
    });
    // back to patterns; no finite value (min key 0xffff): lo = hi = +0; a zero is +0
    const none = m.wire('pt_none', tokMin.eq(ONES));
    const lo = m.wire('pt_lo', mux(none, lit(pat, 0), plusZero(unkey(tokMin))));
    const hi = m.wire('pt_hi', mux(none, lit(pat, 0), plusZero(unkey(tokMax))));
    s0 = stage('st0', { v: pf.v.and(pf.last), eos: pf.eos, base: pf.base, lo, hi });
  } else {
    s0 = trimmedStats(m, cfg, { ...ctx, keyMin, keyMax, fillLast, base0, unkey, plusZero, shared0: trimWord(m, cfg, ctx, ld) });
  }

  // ---- statistics: mid = fl(fl(hi + lo) * 0.5), half = fl(fl(hi - lo) * 0.5), rcp = fl(1 / half) (+0 for half = 0 or +Inf)
  const d0 = delay('st0_d', s0, cfg.opStages);
  const s1 = stage('st1', { ...d0, sum: fpAdd(m, 'pt_sum', f, s0.hi, s0.lo, ops).result, diff: fpSub(m, 'pt_diff', f, s0.hi, s0.lo, ops).result });
  const keep1 = { v: s1.v, eos: s1.eos, base: s1.base, lo: s1.lo, hi: s1.hi };
  const d1 = delay('st1_d', keep1, cfg.opStages);
  const halfLit = lit(pat, cfg.format === 'fp16' ? 0x3800 : 0x3f00);
  const oneLit = lit(pat, cfg.format === 'fp16' ? 0x3c00 : 0x3f80);
  const s2 = stage('st2', { ...d1, mid: fpMul(m, 'pt_mid', f, s1.sum, halfLit, ops).result, half: fpMul(m, 'pt_half', f, s1.diff, halfLit, ops).result });
  const rs = rcpStages(cfg, f);
  const d2 = delay('st2_d', s2, rs);
  // the quotient is registered as it leaves fpDiv; its special cases are applied after st3 (levels)
  const s3 = stage('st3', { ...d2, quot: fpDiv(m, 'pt_rcp', f, oneLit, s2.half, { stages: rs, enable: en }).result });
  const qInf = m.wire('pt_rcp_is_inf', s3.quot.slice(14, 0).eq(((1 << f.exp) - 1) << f.man));
  s3.rcp = m.wire('pt_rcp_fixed', mux(s3.half.slice(14, 0).eq(0).or(qInf), lit(pat, 0), s3.quot));

  // ---- emit side: a token's D/P beats are read back on consecutive en-cycles from its record's arrival
  // (records arrive at least D/P en-cycles apart: their last beats entered that far apart)
  const held: Bundle = {};
  for (const k of [...TK, 'eos', 'base'] as const) {
    const r = m.reg(`pt_held_${k}`, s3[k].type);
    m.when(en.and(s3.v), () => r.set(s3[k]));
    held[k] = r;
  }
  let issueV: Expr = s3.v;
  let issueBt: Expr = lit(UInt(btw), 0);
  if (BPT > 1) {
    const cnt = m.reg('pt_emit_cnt', UInt(btw), { reset: 0 });
    const busy = m.reg('pt_emit_busy', Bool, { reset: 0 });
    m.when(en, () => {
      m.when(s3.v, () => {
        cnt.set(lit(UInt(btw), 1));
        busy.set(lit(Bool, 1));
      }).otherwise(() => {
        m.when(busy, () => {
          cnt.set(mux(cnt.eq(BPT - 1), lit(UInt(btw), 0), cnt.addWrap(1)));
          busy.set(cnt.ne(BPT - 1));
        });
      });
    });
    issueV = m.wire('pt_issue_v', s3.v.or(busy));
    issueBt = m.wire('pt_issue_bt', mux(s3.v, lit(UInt(btw), 0), cnt));
  }
  const pick = (k: string) => mux(s3.v, s3[k], held[k]);
  const addr = m.wire('pt_rd_addr', pick('base').addWrap(issueBt.zext(aw)));
  const rd = buf.read('pt_rd', addr, en);
  const em = stage('em', {
    v: issueV,
    bt: issueBt,
    eos: m.wire('pt_issue_eos', pick('eos').and(issueBt.eq(BPT - 1))),
    ...Object.fromEntries(TK.map((k) => [k, pick(k)])),
  });

  const idx: Record<number, string> = { 0: 'lo', 1: 'hi', 2: 'mid', 3: 'rcp', 4: 'half' };
  const keeps: Record<string, string[]> = { sr: ['mid', 'rcp', 'half'], sa: ['rcp', 'half', 'mid'], sb: ['half', 'mid'], sc: ['half', 'mid'], sd: ['mid'], se: ['mid'], sf: [] };
  const src: WordSource = {
    word: (s, _i, w) => (w < 5 ? s[idx[w]] : shared[w - 5]),
    keep: (st) => keeps[st],
  };
  return { entry: { ...em, x: rd.as(pat.vec(P)) }, src, tk: { valid: s3.v, mid: s3.mid, half: s3.half } };
}

/** The trim register: word 0 of the per-token table (its low bits; trimMax bounds it). */
function trimWord(m: ModuleBuilder, cfg: NuqConfig, ctx: FrontContext, ld: Expr): Expr {
  const r = m.reg('tbl_trim', UInt(bitsFor(cfg.trimMax)));
  m.when(ctx.loadFire.and(ld.eq(0)), () => r.set(ctx.beat.x[0].trunc(bitsFor(cfg.trimMax))));
  return r;
}

/**
 * trimMax > 0: per lane the trimMax + 1 smallest and largest finite keys of the token so far (sorted
 * shift registers, one insertion per beat), the token's finite count n, then k = min(trim, ⌊(n − 1)/2⌋)
 * and the k-th smallest / largest key of the union of the lanes' lists by rank (ties by position):
 * the k + 1 ≤ trimMax + 1 extremes of the token are all in their lanes' lists. Registers `sx0_*`
 * (lists, k), `sx1_*` (pairwise order bits), `sx2_*` (one-hot selects), then `st0_*` (lo, hi).
 */
function trimmedStats(
  m: ModuleBuilder,
  cfg: NuqConfig,
  c: FrontContext & { keyMin: Expr[]; keyMax: Expr[]; fillLast: Expr; base0: Expr; unkey: (k: Expr) => Expr; plusZero: (v: Expr) => Expr; shared0: Expr },
): Bundle {
  const { en, stage } = c;
  const { lanes: P, channels: D } = cfg;
  const L = cfg.trimMax + 1;
  const pat = UInt(16);
  const ONES = 0xffff;
  const nw = bitsFor(D);
  const tw = bitsFor(cfg.trimMax);
  let cnt: Expr = lit(UInt(nw), 0);
  c.keyMin.forEach((k) => (cnt = cnt.addWrap(k.ne(ONES).zext(nw))));
  const pf = stage('pf', {
    v: c.inFire, last: c.fillLast, eos: c.beat.eos, base: c.base0, cnt,
    ...Object.fromEntries(c.keyMin.flatMap((k, i) => [[`kmin${i}`, k], [`kmax${i}`, c.keyMax[i]]])),
  });
  const accN = m.reg('pt_acc_n', UInt(nw), { reset: 0 });
  const tokN = m.wire('pt_tok_n', accN.addWrap(pf.cnt));
  m.when(en.and(pf.v), () => accN.set(mux(pf.last, lit(UInt(nw), 0), tokN)));
  /** A lane's sorted list after inserting v (`first(a, b)`: a goes before b). */
  const insert = (name: string, list: Expr[], v: Expr, first: (a: Expr, b: Expr) => Expr): Expr[] =>
    list.map((e, j) => {
      const here = first(v, e);
      return m.wire(`${name}${j}`, mux(here, j > 0 ? mux(first(v, list[j - 1]), list[j - 1], v) : v, e));
    });
  const cands: Record<string, Expr> = {};
  const cmin: Expr[] = [], cmax: Expr[] = [];
  for (let i = 0; i < P; i++) {
    for (const [side, id, first] of [['min', ONES, (a: Expr, b: Expr) => a.lt(b)], ['max', 0, (a: Expr, b: Expr) => a.gt(b)]] as const) {
      const list = Array.from({ length: L }, (_, j) => m.reg(`pt_l${i}_${side}${j}`, pat, { reset: id }));
      const next = insert(`pt_l${i}_new${side}`, list, pf[`k${side}${i}`], first);
      m.when(en.and(pf.v), () => list.forEach((r, j) => r.set(mux(pf.last, lit(pat, id), next[j]))));
      next.forEach((e, j) => {
        cands[`${side}${i}_${j}`] = e;
        (side === 'min' ? cmin : cmax).push(e);
      });
    }
  }
  // k = min(trim, ⌊(n − 1)/2⌋) (n = 0: no finite value, lo = hi = +0)
  const halfN = m.wire('pt_half_n', tokN.subWrap(1).shr(1).zext(nw));
  const trim = c.shared0.zext(nw);
  const k = m.wire('pt_k', mux(trim.lt(halfN), trim, halfN).trunc(tw)); // < trimMax + 1
  const x0 = stage('sx0', { v: pf.v.and(pf.last), eos: pf.eos, base: pf.base, none: tokN.eq(0), k, ...cands });
  const keysOf = (side: 'min' | 'max') => Array.from({ length: P * L }, (_, a) => x0[`${side}${Math.floor(a / L)}_${a % L}`]);
  // rank bits: b goes before a (strictly before in the order, or equal and earlier)
  const before = (side: 'min' | 'max') => {
    const ks = keysOf(side);
    return Object.fromEntries(ks.map((ka, a) => {
      const bits = ks.flatMap((kb, bi) => (bi === a ? [] : [bi < a ? (side === 'min' ? kb.le(ka) : kb.ge(ka)) : side === 'min' ? kb.lt(ka) : kb.gt(ka)]));
      return [`r${side}${a}`, bits.length > 1 ? vecOf(bits) : bits[0]];
    }));
  };
  const keyFields = Object.fromEntries(Object.keys(cands).map((n) => [n, x0[n]]));
  const x1 = stage('sx1', { v: x0.v, eos: x0.eos, base: x0.base, none: x0.none, k: x0.k, ...keyFields, ...before('min'), ...before('max') });
  const rw = bitsFor(P * L);
  const onehot = (side: 'min' | 'max') => vecOf(Array.from({ length: P * L }, (_, a) => {
    const r = x1[`r${side}${a}`];
    let n: Expr = lit(UInt(rw), 0);
    for (let j = 0; j < r.width; j++) n = n.addWrap((r.width > 1 ? r.bit(j) : r).zext(rw));
    return n.eq(rw > tw ? x1.k.zext(rw) : x1.k);
  }));
  const keyFields1 = Object.fromEntries(Object.keys(cands).map((n) => [n, x1[n]]));
  const x2 = stage('sx2', { v: x1.v, eos: x1.eos, base: x1.base, none: x1.none, ...keyFields1, smin: onehot('min'), smax: onehot('max') });
  const pickKey = (side: 'min' | 'max') => {
    let acc: Expr = lit(pat, 0);
    for (let a = 0; a < P * L; a++) acc = acc.or(mux(x2[`s${side}`].bit(a), x2[`${side}${Math.floor(a / L)}_${a % L}`], lit(pat, 0)));
    return acc;
  };
  const lo = m.wire('pt_lo', mux(x2.none, lit(pat, 0), c.plusZero(c.unkey(pickKey('min')))));
  const hi = m.wire('pt_hi', mux(x2.none, lit(pat, 0), c.plusZero(c.unkey(pickKey('max')))));
  return stage('st0', { v: x2.v, eos: x2.eos, base: x2.base, lo, hi });
}
