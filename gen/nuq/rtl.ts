/**
 * nuq RTL (README.md "Hardware"): P lanes per beat. A beat with `load` writes P words of the
 * run-time table (per channel lo, hi, mid, rcp, half, K centroids, K - 1 midpoints); a data beat is
 * quantized per lane (outlier test, clamp, fl(fl(v - mid) * rcp), comparator tree against the
 * midpoints, popcount), dequantized (fl(fl(c[code] * half) + mid), outliers restored from x) and
 * its outliers queued in the side FIFO, from which the sparse port emits one per cycle (then a
 * last = 1 record per sequence). The datapath is pipelined (README "Pipeline") under one enable.
 * Per-token mode (README "Per-token hardware"): the front end of rtl-per-token.ts (token buffer,
 * token statistics, shared table) feeds the same datapath with each token's words, plus the `tk` port.
 */
import { Bool, ModuleBuilder, UInt, lit, log2Ceil, moduleName, mux, vecOf, type Expr, type Module } from '../../hdl/index.ts';
import { fifo, skidBuffer, streamIn, streamOut, type Source } from '../../hdl/lib/index.ts';
import { fpAdd } from '../../hdl/lib/float/add.ts';
import { fpSub } from '../../hdl/lib/float/add.ts';
import { fpMul } from '../../hdl/lib/float/mul.ts';
import { fpLt } from '../../hdl/lib/float/compare.ts';
import { nuqFormat, tableBeats, tableWordsPerChannel, type NuqConfig } from './config.ts';
import { nuqInvariants } from './invariants.ts';
import { perTokenFront, type Bundle, type WordSource } from './rtl-per-token.ts';

export const TOKEN_BITS = 32;

export function nuqRtl(cfg: NuqConfig): Module {
  const f = nuqFormat(cfg);
  const { lanes: P, bits: b, channels: D } = cfg;
  const K = 2 ** b;
  const W = tableWordsPerChannel(cfg);
  const LB = tableBeats(cfg);
  const BPT = D / P; // beats per token
  const cw = Math.max(1, log2Ceil(D));
  const pat = UInt(16);
  const perToken = cfg.mode === 'per-token';
  const m = new ModuleBuilder(moduleName(`kv_nuq_${cfg.format}${perToken ? '_tok' : ''}`, { b, d: D, p: P, s: cfg.sparseDepth, o: cfg.opStages, ...(perToken && cfg.trimMax > 0 ? { t: cfg.trimMax } : {}) }), {
    params: { format: cfg.format, bits: b, channels: D, lanes: P, sparseDepth: cfg.sparseDepth, opStages: cfg.opStages, ...(perToken ? { mode: cfg.mode, trimMax: cfg.trimMax } : {}) },
    doc: perToken
      ? `KVQuant NUQ per-token quantize + dequantize (token statistics at run time, shared codebook) with dense-and-sparse outliers, ${P} lanes, ${b}-bit codes`
      : `KVQuant NUQ quantize + dequantize with dense-and-sparse outliers, ${P} lanes, ${b}-bit codes, run-time table`,
  });
  const inp = streamIn(m, 'in', { data: pat.vec(P), load: Bool, eos: Bool });
  const q = streamOut(m, 'q', { codes: UInt(b).vec(P), flags: UInt(3).vec(P), deq: pat.vec(P) });
  const sp = streamOut(m, 'sp', { token: UInt(TOKEN_BITS), channel: UInt(cw), value: pat, last: Bool });
  const tk = perToken ? streamOut(m, 'tk', { mid: pat, half: pat }) : undefined;
  const beat = skidBuffer(m, 'in_skid', inp);
  const x = beat.bits.data.lanesOf();

  // ---- pipeline (README "Hardware", "Pipeline"): every register below loads when `en`, i.e. when
  // the last stage can leave (q free and, with outliers, the side FIFO has room). A load beat waits
  // until no data beat is in flight, so later stages can read the table by their own beat index.
  const btw = Math.max(1, log2Ceil(BPT));
  const token = m.reg('token', UInt(TOKEN_BITS), { reset: 0 }); // output side
  const en = m.wire('en', Bool);
  const valids: Expr[] = [];
  /** Registers a bundle (enable `en`) as `<name>_<key>`; `v` is the stage's valid bit. */
  const stage = (name: string, b: Bundle): Bundle => {
    const out: Record<string, Expr> = {};
    for (const [k, v] of Object.entries(b)) {
      const r = k === 'v' ? m.reg(`${name}_v`, Bool, { reset: 0 }) : m.reg(`${name}_${k}`, v.type);
      m.when(en, () => r.set(v));
      out[k] = r;
    }
    if (out.v) valids.push(out.v);
    return out;
  };
  /** `n` stages of the bundle, to keep side information beside a float operator's latency. */
  const delay = (name: string, b: Bundle, n: number): Bundle => {
    let c = b;
    for (let k = 0; k < n; k++) c = stage(`${name}${k}`, c);
    return c;
  };
  const ops = { stages: cfg.opStages, enable: en };
  const isLoad = beat.bits.load;
  const isData = isLoad.not();
  const inFlight = m.wire('in_flight', Bool); // a data beat in the pipeline
  const loadFire = m.wire('load_fire', beat.valid.and(isLoad).and(inFlight.not()));
  const inFire = m.wire('data_fire', beat.valid.and(isData).and(en));
  let entry: Bundle; // the beat entering the datapath: v, bt (beat in token), eos, x, and the source's carried words
  let src: WordSource;
  let tkOut: { valid: Expr; mid: Expr; half: Expr } | undefined;
  if (perToken) {
    const front = perTokenFront(m, cfg, { f, beat: { valid: beat.valid, data: beat.bits.data, x, eos: beat.bits.eos }, en, loadFire, inFire, stage, delay });
    entry = front.entry;
    src = front.src;
    tkOut = front.tk;
  } else {
    // run-time table: D * W words, loaded P per load beat in order
    const ldw = Math.max(1, log2Ceil(LB));
    const ld = m.reg('ld_beat', UInt(ldw), { reset: 0 });
    m.when(loadFire, () => ld.set(mux(ld.eq(LB - 1), lit(UInt(ldw), 0), ld.addWrap(1))));
    const table: Expr[] = [];
    for (let n = 0; n < D * W; n++) {
      const r = m.reg(`tbl_c${Math.floor(n / W)}_w${n % W}`, pat);
      m.when(loadFire.and(ld.eq(Math.floor(n / P))), () => r.set(x[n % P]));
      table.push(r);
    }
    const bt = m.reg('beat_in_token', UInt(btw), { reset: 0 }); // input side
    m.when(inFire, () => bt.set(mux(bt.eq(BPT - 1), lit(UInt(btw), 0), bt.addWrap(1))));
    const wordAt = (bix: Expr, i: number, w: number): Expr => {
      let v: Expr = table[i * W + w];
      for (let k = 1; k < BPT; k++) v = mux(bix.eq(k), table[(k * P + i) * W + w], v);
      return v;
    };
    entry = { v: beat.valid.and(isData), bt, eos: beat.bits.eos, x: beat.bits.data };
    src = { word: (s, i, w) => wordAt(s.bt, i, w), keep: () => [] };
  }
  const expOnes = (v: Expr) => v.slice(14, f.man).andR();
  const manZero = (v: Expr) => v.slice(f.man - 1, 0).orR().not();
  const lanes = Array.from({ length: P }, (_, i) => i);
  const carry = (s: Bundle, st: Parameters<WordSource['keep']>[0]): Bundle => Object.fromEntries(src.keep(st).map((k) => [k, s[k]]));

  // stage r: the thresholds of the beat's channels; stage a: outlier test and clamp
  const r = stage('sr', {
    v: entry.v,
    bt: entry.bt,
    eos: entry.eos,
    x: entry.x,
    ...carry(entry, 'sr'),
    ...Object.fromEntries(lanes.flatMap((i) => [[`lo${i}`, src.word(entry, i, 0)], [`hi${i}`, src.word(entry, i, 1)]])),
  });
  const rx = r.x.lanesOf();
  const a = stage('sa', {
    v: r.v,
    bt: r.bt,
    eos: r.eos,
    x: r.x,
    ...carry(r, 'sa'),
    ...Object.fromEntries(lanes.flatMap((i) => {
      const lo = m.wire(`l${i}_lo`, r[`lo${i}`]);
      const hi = m.wire(`l${i}_hi`, r[`hi${i}`]);
      const xi = m.wire(`l${i}_x`, rx[i]);
      const nan = m.wire(`l${i}_nan`, expOnes(xi).and(manZero(xi).not()));
      const inf = m.wire(`l${i}_inf`, expOnes(xi).and(manZero(xi)));
      const below = fpLt(m, `l${i}_below`, f, xi, lo).result;
      const above = fpLt(m, `l${i}_above`, f, hi, xi).result;
      const isOut = m.wire(`l${i}_outlier`, nan.or(below).or(above));
      return [
        [`val${i}`, m.wire(`l${i}_v`, mux(below, lo, mux(above, hi, xi)))],
        [`flags${i}`, m.wire(`l${i}_flags`, vecOf([isOut, nan, inf]))],
        [`mid${i}`, src.word(r, i, 2)],
      ];
    })),
  });
  const side = (s: Bundle, st?: Parameters<WordSource['keep']>[0]): Bundle => ({
    v: s.v, bt: s.bt, eos: s.eos, x: s.x, ...(st ? carry(s, st) : {}), ...Object.fromEntries(lanes.map((i) => [`flags${i}`, s[`flags${i}`]])),
  });
  // stage b: d = fl(v - mid); every stage registers the table words the next one needs
  const bSide = delay('sb_d', side(a, 'sa'), cfg.opStages);
  const b_ = stage('sb', {
    ...side(bSide, 'sb'),
    ...Object.fromEntries(lanes.flatMap((i) => [[`d${i}`, fpSub(m, `l${i}_sub`, f, a[`val${i}`], a[`mid${i}`], ops).result], [`rcp${i}`, src.word(bSide, i, 3)]])),
  });
  // stage c: u = fl(d * rcp)
  const cSide = delay('sc_d', side(b_, 'sb'), cfg.opStages);
  const c_ = stage('sc', {
    ...cSide,
    ...Object.fromEntries(lanes.flatMap((i) => [
      [`u${i}`, m.wire(`l${i}_u`, fpMul(m, `l${i}_mul`, f, b_[`d${i}`], b_[`rcp${i}`], ops).result)],
      ...Array.from({ length: K - 1 }, (_, j) => [`t${i}_${j}`, src.word(cSide, i, 5 + K + j)]),
    ])),
  });
  // stage d: the comparator row u > t_j (NaN compares false everywhere: code 0)
  const d_ = stage('sd', {
    ...side(c_, 'sd'),
    ...Object.fromEntries(lanes.map((i) => {
      const gts: Expr[] = [];
      for (let j = 0; j < K - 1; j++) gts.push(fpLt(m, `l${i}_gt${j}`, f, c_[`t${i}_${j}`], c_[`u${i}`]).result);
      return [
        [`gt${i}`, m.wire(`l${i}_gt`, K > 2 ? vecOf(gts) : gts[0])],
        [`half${i}`, src.word(c_, i, 4)],
        ...Array.from({ length: K }, (_, j) => [`c${i}_${j}`, src.word(c_, i, 5 + j)]),
      ];
    }).flat()),
  });
  // stage e: popcount -> code, centroid select
  const e_ = stage('se', {
    ...side(d_, 'se'),
    ...Object.fromEntries(lanes.flatMap((i) => {
      const gt = d_[`gt${i}`];
      let code: Expr = lit(UInt(b + 1), 0);
      for (let j = 0; j < K - 1; j++) code = code.addWrap(gt.bit(j).zext(b + 1));
      const c = m.wire(`l${i}_code`, code.trunc(b));
      let cent: Expr = d_[`c${i}_0`];
      for (let j = 1; j < K; j++) cent = mux(c.eq(j), d_[`c${i}_${j}`], cent);
      return [[`code${i}`, c], [`cent${i}`, m.wire(`l${i}_cent`, cent)], [`half${i}`, d_[`half${i}`]]];
    })),
  });
  const withCode = (s: Bundle, st?: Parameters<WordSource['keep']>[0]): Bundle => ({ ...side(s, st), ...Object.fromEntries(lanes.map((i) => [`code${i}`, s[`code${i}`]])) });
  // stage f: fl(c * half)
  const fSide = delay('sf_d', withCode(e_, 'se'), cfg.opStages);
  const f_ = stage('sf', {
    ...withCode(fSide, 'sf'),
    ...Object.fromEntries(lanes.flatMap((i) => [[`p${i}`, fpMul(m, `l${i}_deq_mul`, f, e_[`cent${i}`], e_[`half${i}`], ops).result], [`mid${i}`, src.word(fSide, i, 2)]])),
  });
  // last: fl(p + mid) (outliers restore x), into the q register
  const z = delay('sz_d', withCode(f_), cfg.opStages);
  const xl = z.x.lanesOf();
  const deqs = lanes.map((i) => m.wire(`l${i}_deq`, mux(z[`flags${i}`].bit(0), xl[i], fpAdd(m, `l${i}_deq_add`, f, f_[`p${i}`], f_[`mid${i}`], ops).result)));
  const mask = m.wire('outlier_mask', vecOf(lanes.map((i) => z[`flags${i}`].bit(0))));
  const hasOut = m.wire('has_outlier', mask.orR());

  // ---- outlier side FIFO (beats with outliers, and every eos beat) and the one-per-cycle sparse
  // port: a beat's outliers, lowest lane first, then for an eos beat the record with last = 1
  const spFields = { mask: UInt(P), data: pat.vec(P), token: UInt(TOKEN_BITS), beat: UInt(btw), end: Bool };
  const push = m.wire('spf_needed', hasOut.or(z.eos));
  const spfReady = m.wire('spf_push_ready', Bool);
  const qValid = m.reg('q_valid_r', Bool, { reset: 0 });
  const qFree = m.wire('q_free', qValid.not().or(q.ready));
  // per-token: the tk register (one record per token, loaded as its statistics reach the emit side)
  let tkFree: Expr = lit(Bool, 1);
  if (tk && tkOut) {
    const tkValid = m.reg('tk_valid_r', Bool, { reset: 0 });
    const tkMid = m.reg('tk_mid_r', pat);
    const tkHalf = m.reg('tk_half_r', pat);
    tkFree = m.wire('tk_free', tkValid.not().or(tk.ready));
    m.when(tkFree, () => tkValid.set(en.and(tkOut.valid)));
    m.when(en.and(tkOut.valid), () => {
      tkMid.set(tkOut.mid);
      tkHalf.set(tkOut.half);
    });
    tk.valid.set(tkValid);
    tk.bits.mid.set(tkMid);
    tk.bits.half.set(tkHalf);
  }
  en.set(qFree.and(tkFree).and(z.v.and(push).not().or(spfReady)));
  const last = m.wire('last_fire', en.and(z.v));
  let busy: Expr = lit(Bool, 0);
  for (const v of valids) busy = busy.or(v);
  inFlight.set(busy);
  beat.ready.set(mux(isLoad, inFlight.not(), en));
  const spfIn: Source<typeof spFields> = {
    fields: spFields,
    valid: m.wire('spf_push', last.and(push)),
    ready: spfReady,
    bits: { mask, data: z.x, token, beat: z.bt, end: z.eos },
  };
  const head = fifo(m, 'spf', spfIn, cfg.sparseDepth);
  const done = m.reg('sp_done', UInt(P), { reset: 0 });
  const left = m.wire('sp_left', head.bits.mask.and(done.not()));
  // lowest remaining lane (priority encoder) and whether it is the last one
  let sel: Expr = lit(UInt(Math.max(1, log2Ceil(P))), 0);
  for (let i = P - 1; i >= 0; i--) sel = mux(left.bit(i), lit(UInt(Math.max(1, log2Ceil(P))), i), sel);
  const lane = m.wire('sp_lane', sel);
  const laneBit = m.wire('sp_lane_bit', lit(UInt(P), 1).shl(lane).trunc(P));
  const endRec = m.wire('sp_end_record', left.orR().not()); // only an eos entry gets here
  const lastOne = m.wire('sp_last_one', endRec.or(head.bits.end.not().and(left.and(laneBit.not()).orR().not())));
  const values = head.bits.data.lanesOf();
  let value: Expr = values[0];
  for (let i = 1; i < P; i++) value = mux(lane.eq(i), values[i], value);
  sp.valid.set(head.valid);
  sp.bits.token.set(mux(endRec, lit(UInt(TOKEN_BITS), 0), head.bits.token));
  sp.bits.channel.set(mux(endRec, lit(UInt(cw), 0), head.bits.beat.zext(cw + btw).mul(P).add(lane.zext(cw + btw)).trunc(cw)));
  sp.bits.value.set(mux(endRec, lit(pat, 0), value));
  sp.bits.last.set(endRec);
  const spFire = m.wire('sp_fire', head.valid.and(sp.ready));
  head.ready.set(spFire.and(lastOne));
  m.when(spFire, () => done.set(mux(lastOne, lit(UInt(P), 0), done.or(laneBit))));

  // ---- dense output register and position counters
  const qCodes = m.reg('q_codes_r', UInt(b).vec(P));
  const qFlags = m.reg('q_flags_r', UInt(3).vec(P));
  const qDeq = m.reg('q_deq_r', pat.vec(P));
  m.when(qFree, () => qValid.set(last));
  m.when(last, () => {
    qCodes.set(vecOf(lanes.map((i) => z[`code${i}`])));
    qFlags.set(vecOf(lanes.map((i) => z[`flags${i}`])));
    qDeq.set(vecOf(deqs));
    token.set(mux(z.eos, lit(UInt(TOKEN_BITS), 0), mux(z.bt.eq(BPT - 1), token.addWrap(1), token)));
  });
  q.valid.set(qValid);
  q.bits.codes.set(qCodes);
  q.bits.flags.set(qFlags);
  q.bits.deq.set(qDeq);
  nuqInvariants(m, { bits: b, gt: lanes.map((i) => d_[`gt${i}`]), spfPush: spfIn.valid, spfReady, headValid: head.valid, headMask: head.bits.mask, done });
  return m.build();
}
