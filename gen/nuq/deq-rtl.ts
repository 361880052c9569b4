/**
 * nuq dequantize mode RTL (README.md "Dequantize mode"): P code lanes per beat with the run-time
 * table of the quantize mode (load beats), merged with the sparse outlier stream by (token,
 * channel): a merge register holds the beat while the sparse head belongs to it (one outlier per
 * cycle), then fl(fl(c[code] * half) + mid) per lane in a pipeline, outlier lanes replaced.
 * Per-token mode ("Per-token dequantize"): the shared centroids of the per-token table, and each
 * token's mid and half from the `tk` stream, taken with the token's first beat and carried along.
 */
import { Bool, ModuleBuilder, UInt, lit, log2Ceil, moduleName, mux, vecOf, type Expr, type Module } from '../../hdl/index.ts';
import { skidBuffer, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { fpAdd } from '../../hdl/lib/float/add.ts';
import { fpMul } from '../../hdl/lib/float/mul.ts';
import { nuqFormat, tableBeats, tableWordsPerChannel, type NuqConfig } from './config.ts';
import { TOKEN_BITS } from './rtl.ts';

type Bundle = Record<string, Expr>;

export function nuqDeqRtl(cfg: NuqConfig): Module {
  const f = nuqFormat(cfg);
  const { lanes: P, bits: b, channels: D } = cfg;
  const K = 2 ** b;
  const pt = cfg.mode === 'per-token';
  const W = tableWordsPerChannel(cfg);
  const LB = tableBeats(cfg);
  const BPT = D / P;
  const cw = Math.max(1, log2Ceil(D));
  const pat = UInt(16);
  const m = new ModuleBuilder(moduleName(`kv_nuqdeq_${cfg.format}${pt ? '_tok' : ''}`, { b, d: D, p: P, o: cfg.opStages }), {
    params: { format: cfg.format, bits: b, channels: D, lanes: P, opStages: cfg.opStages, ...(pt ? { mode: cfg.mode } : {}) },
    doc: `KVQuant NUQ dequantizer with sparse outlier merge, ${P} lanes, ${b}-bit codes, run-time table${pt ? ' (shared centroids), per-token mid and half on the tk stream' : ''}`,
  });
  const inp = streamIn(m, 'in', { data: pat.vec(P), codes: UInt(b).vec(P), load: Bool, eos: Bool });
  const spIn = streamIn(m, 'sp', { token: UInt(TOKEN_BITS), channel: UInt(cw), value: pat, last: Bool });
  const tkIn = pt ? streamIn(m, 'tk', { mid: pat, half: pat }) : undefined;
  const out = streamOut(m, 'out', { deq: pat.vec(P) });
  const beat = skidBuffer(m, 'in_skid', inp);
  const head = skidBuffer(m, 'sp_skid', spIn);
  const tkHead = tkIn ? skidBuffer(m, 'tk_skid', tkIn) : undefined;
  const x = beat.bits.data.lanesOf();

  // ---- run-time table (the quantize mode's layout; this mode reads mid, half and the centroids;
  // per-token: the per-token table, of which it keeps the K shared centroids, words 1 .. K)
  const ldw = Math.max(1, log2Ceil(LB));
  const ld = m.reg('ld_beat', UInt(ldw), { reset: 0 });
  const isLoad = beat.bits.load;
  const inFlight = m.wire('in_flight', Bool);
  const loadFire = m.wire('load_fire', beat.valid.and(isLoad).and(inFlight.not()));
  m.when(loadFire, () => ld.set(mux(ld.eq(LB - 1), lit(UInt(ldw), 0), ld.addWrap(1))));
  const table: Expr[] = [];
  const shared: Expr[] = [];
  for (let j = 0; j < K && pt; j++) {
    const n = 1 + j;
    const r = m.reg(`tbl_c${j}`, pat);
    m.when(loadFire.and(ld.eq(Math.floor(n / P))), () => r.set(x[n % P]));
    shared.push(r);
  }
  for (let n = 0; n < (pt ? 0 : D * W); n++) {
    const w = n % W;
    const used = w === 2 || w === 4 || (w >= 5 && w < 5 + K);
    if (!used) {
      table.push(lit(pat, 0));
      continue;
    }
    const r = m.reg(`tbl_c${Math.floor(n / W)}_w${w}`, pat);
    m.when(loadFire.and(ld.eq(Math.floor(n / P))), () => r.set(x[n % P]));
    table.push(r);
  }
  const btw = Math.max(1, log2Ceil(BPT));
  const wordAt = (bix: Expr, i: number, w: number): Expr => {
    let v: Expr = table[i * W + w];
    for (let k = 1; k < BPT; k++) v = mux(bix.eq(k), table[(k * P + i) * W + w], v);
    return v;
  };

  const en = m.wire('en', Bool);
  const valids: Expr[] = [];
  const stage = (name: string, bd: Bundle): Bundle => {
    const o: Bundle = {};
    for (const [k, v] of Object.entries(bd)) {
      const r = k === 'v' ? m.reg(`${name}_v`, Bool, { reset: 0 }) : m.reg(`${name}_${k}`, v.type);
      m.when(en, () => r.set(v));
      o[k] = r;
    }
    if (o.v) valids.push(o.v);
    return o;
  };
  const delay = (name: string, bd: Bundle, n: number): Bundle => {
    let c = bd;
    for (let k = 0; k < n; k++) c = stage(`${name}${k}`, c);
    return c;
  };
  const ops = { stages: cfg.opStages, enable: en };
  const lanes = Array.from({ length: P }, (_, i) => i);

  // ---- merge register: the beat, its position, and the outliers merged into it so far
  const mv = m.reg('mg_v', Bool, { reset: 0 });
  const mCodes = m.reg('mg_codes', UInt(b).vec(P));
  const mEos = m.reg('mg_eos', Bool);
  const mBt = m.reg('mg_bt', UInt(btw));
  const mBase = m.reg('mg_base', UInt(cw)); // channel of lane 0
  const mTok = m.reg('mg_token', UInt(TOKEN_BITS));
  const mMask = m.reg('mg_mask', UInt(P));
  const mVals = m.reg('mg_vals', pat.vec(P));
  // per-token: the beat's token scale, taken from the tk head with the token's first beat
  const mMid = pt ? m.reg('mg_mid', pat) : undefined;
  const mHalf = pt ? m.reg('mg_half', pat) : undefined;
  // position of the next data beat
  const bt = m.reg('beat_in_token', UInt(btw), { reset: 0 });
  const token = m.reg('token', UInt(TOKEN_BITS), { reset: 0 });

  const hEnd = head.bits.last;
  const off = m.wire('sp_offset', head.bits.channel.zext(cw + 1).subWrap(mBase.zext(cw + 1)));
  const inBeat = m.wire('sp_in_beat', head.bits.channel.ge(mBase).and(off.lt(P)));
  const match = m.wire('sp_match', mv.and(head.valid).and(hEnd.not()).and(head.bits.token.eq(mTok)).and(inBeat));
  const go = m.wire('mg_go', mv.and(head.valid).and(match.not()).and(en));
  head.ready.set(match.or(go.and(mEos).and(hEnd)));
  const pw = Math.max(1, log2Ceil(P));
  const laneBit = m.wire('sp_lane_bit', lit(UInt(P), 1).shl(off.trunc(pw)).trunc(P));
  const take = m.wire('mg_take', mv.not().or(go));
  const isData = isLoad.not();
  // per-token: a token's first beat enters only together with its tk record
  const tkOk = tkHead ? m.wire('tk_ok', bt.ne(0).or(tkHead.valid)) : lit(Bool, 1);
  beat.ready.set(mux(isLoad, inFlight.not(), tkHead ? take.and(tkOk) : take));
  const dataFire = m.wire('data_fire', tkHead ? beat.valid.and(isData).and(take).and(tkOk) : beat.valid.and(isData).and(take));
  if (tkHead && mMid && mHalf) {
    tkHead.ready.set(dataFire.and(bt.eq(0)));
    m.when(dataFire.and(bt.eq(0)), () => {
      mMid.set(tkHead.bits.mid);
      mHalf.set(tkHead.bits.half);
    });
  }
  m.when(take, () => mv.set(dataFire));
  m.when(dataFire, () => {
    mCodes.set(beat.bits.codes);
    mEos.set(beat.bits.eos);
    mBt.set(bt);
    mBase.set(bt.zext(cw + btw).mul(P).trunc(cw));
    mTok.set(token);
    mMask.set(lit(UInt(P), 0));
    const endTok = bt.eq(BPT - 1);
    bt.set(mux(endTok, lit(UInt(btw), 0), bt.addWrap(1)));
    token.set(mux(beat.bits.eos, lit(UInt(TOKEN_BITS), 0), mux(endTok, token.addWrap(1), token)));
  });
  m.when(match, () => {
    mMask.set(mMask.or(laneBit));
    const cur = mVals.lanesOf();
    mVals.set(vecOf(lanes.map((i) => mux(laneBit.bit(i), head.bits.value, cur[i]))));
  });

  // ---- dequantize pipeline
  // per-channel: the beat index selects the table words; per-token: the token's mid travels with the beat
  const side = (s: Bundle): Bundle => (pt ? { v: s.v, mask: s.mask, vals: s.vals, mid: s.mid } : { v: s.v, bt: s.bt, mask: s.mask, vals: s.vals });
  const s1 = stage('s1', pt && mMid && mHalf
    ? { v: go, codes: mCodes, mask: mMask, vals: mVals, mid: mMid, half: mHalf }
    : {
      v: go,
      bt: mBt,
      codes: mCodes,
      mask: mMask,
      vals: mVals,
      ...Object.fromEntries(lanes.flatMap((i) => [[`half${i}`, wordAt(mBt, i, 4)], ...Array.from({ length: K }, (_, j) => [`c${i}_${j}`, wordAt(mBt, i, 5 + j)])])),
    });
  const codes1 = s1.codes.lanesOf();
  const s2 = stage('s2', {
    ...side(s1),
    ...(pt ? { half: s1.half } : {}),
    ...Object.fromEntries(lanes.flatMap((i) => {
      const c = (j: number): Expr => (pt ? shared[j] : s1[`c${i}_${j}`]);
      let cent: Expr = c(0);
      for (let j = 1; j < K; j++) cent = mux(codes1[i].eq(j), c(j), cent);
      return [[`cent${i}`, m.wire(`l${i}_cent`, cent)], ...(pt ? [] : [[`half${i}`, s1[`half${i}`]]])];
    })),
  });
  const s3Side = delay('s3_d', side(s2), cfg.opStages);
  const s3 = stage('s3', {
    ...s3Side,
    ...Object.fromEntries(lanes.flatMap((i) => [[`p${i}`, fpMul(m, `l${i}_deq_mul`, f, s2[`cent${i}`], pt ? s2.half : s2[`half${i}`], ops).result], ...(pt ? [] : [[`mid${i}`, wordAt(s3Side.bt, i, 2)]])])),
  });
  const z = delay('sz_d', pt ? { v: s3.v, mask: s3.mask, vals: s3.vals } : side(s3), cfg.opStages);
  const zv = z.vals.lanesOf();
  const deqs = lanes.map((i) => m.wire(`l${i}_deq`, mux(z.mask.bit(i), zv[i], fpAdd(m, `l${i}_deq_add`, f, s3[`p${i}`], pt ? s3.mid : s3[`mid${i}`], ops).result)));

  // ---- output register
  const oValid = m.reg('out_valid_r', Bool, { reset: 0 });
  const oDeq = m.reg('out_deq_r', pat.vec(P));
  const oFree = m.wire('out_free', oValid.not().or(out.ready));
  en.set(oFree);
  m.when(oFree, () => oValid.set(z.v));
  m.when(oFree.and(z.v), () => oDeq.set(vecOf(deqs)));
  let busy: Expr = mv;
  for (const v of valids) busy = busy.or(v);
  inFlight.set(busy);
  out.valid.set(oValid);
  out.bits.deq.set(oDeq);
  return m.build();
}
