/**
 * nuq RTL (README.md "Hardware"): P lanes per beat. A beat with `load` writes P words of the
 * run-time table (per channel lo, hi, mid, rcp, half, K centroids, K - 1 midpoints); a data beat is
 * quantized per lane (outlier test, clamp, fl(fl(v - mid) * rcp), comparator tree against the
 * midpoints, popcount), dequantized (fl(fl(c[code] * half) + mid), outliers restored from x) and
 * its outliers queued in the side FIFO, from which the sparse port emits one per cycle.
 */
import { Bool, ModuleBuilder, UInt, lit, log2Ceil, moduleName, mux, vecOf, type Expr, type Module } from '../../hdl/index.ts';
import { fifo, skidBuffer, streamIn, streamOut, type Source } from '../../hdl/lib/index.ts';
import { fpAdd } from '../../hdl/lib/float/add.ts';
import { fpSub } from '../../hdl/lib/float/add.ts';
import { fpMul } from '../../hdl/lib/float/mul.ts';
import { fpLt } from '../../hdl/lib/float/compare.ts';
import { canonicalNaN } from '../../hdl/lib/float/format.ts';
import { nuqFormat, tableBeats, tableWordsPerChannel, type NuqConfig } from './config.ts';

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
  const m = new ModuleBuilder(moduleName(`kv_nuq_${cfg.format}`, { b, d: D, p: P, s: cfg.sparseDepth }), {
    params: { format: cfg.format, bits: b, channels: D, lanes: P, sparseDepth: cfg.sparseDepth },
    doc: `KVQuant NUQ quantize + dequantize with dense-and-sparse outliers, ${P} lanes, ${b}-bit codes, run-time table`,
  });
  const inp = streamIn(m, 'in', { data: pat.vec(P), load: Bool, eos: Bool });
  const q = streamOut(m, 'q', { codes: UInt(b).vec(P), flags: UInt(3).vec(P), deq: pat.vec(P) });
  const sp = streamOut(m, 'sp', { token: UInt(TOKEN_BITS), channel: UInt(cw), value: pat });
  const beat = skidBuffer(m, 'in_skid', inp);
  const x = beat.bits.data.lanesOf();

  // ---- run-time table: D * W words, loaded P per load beat in order
  const ldw = Math.max(1, log2Ceil(LB));
  const ld = m.reg('ld_beat', UInt(ldw), { reset: 0 });
  const isLoad = beat.bits.load;
  const loadFire = m.wire('load_fire', beat.valid.and(isLoad));
  m.when(loadFire, () => ld.set(mux(ld.eq(LB - 1), lit(UInt(ldw), 0), ld.addWrap(1))));
  const table: Expr[] = [];
  for (let n = 0; n < D * W; n++) {
    const r = m.reg(`tbl_c${Math.floor(n / W)}_w${n % W}`, pat);
    m.when(loadFire.and(ld.eq(Math.floor(n / P))), () => r.set(x[n % P]));
    table.push(r);
  }

  // ---- data position: beat in token, token in sequence
  const btw = Math.max(1, log2Ceil(BPT));
  const bt = m.reg('beat_in_token', UInt(btw), { reset: 0 });
  const token = m.reg('token', UInt(TOKEN_BITS), { reset: 0 });

  // ---- per-lane datapath (combinational from the skid buffer to the output registers)
  const word = (i: number, w: number): Expr => {
    let v: Expr = table[i * W + w];
    for (let k = 1; k < BPT; k++) v = mux(bt.eq(k), table[(k * P + i) * W + w], v);
    return v;
  };
  const expOnes = (v: Expr) => v.slice(14, f.man).andR();
  const manZero = (v: Expr) => v.slice(f.man - 1, 0).orR().not();
  const codes: Expr[] = [];
  const flags: Expr[] = [];
  const deqs: Expr[] = [];
  const outl: Expr[] = [];
  for (let i = 0; i < P; i++) {
    const [lo, hi, mid, rcp, half] = [0, 1, 2, 3, 4].map((w) => m.wire(`l${i}_${['lo', 'hi', 'mid', 'rcp', 'half'][w]}`, word(i, w)));
    const xi = m.wire(`l${i}_x`, x[i]);
    const nan = m.wire(`l${i}_nan`, expOnes(xi).and(manZero(xi).not()));
    const inf = m.wire(`l${i}_inf`, expOnes(xi).and(manZero(xi)));
    const below = fpLt(m, `l${i}_below`, f, xi, lo).result;
    const above = fpLt(m, `l${i}_above`, f, hi, xi).result;
    const isOut = m.wire(`l${i}_outlier`, nan.or(below).or(above));
    const v = m.wire(`l${i}_v`, mux(below, lo, mux(above, hi, xi)));
    const d = fpSub(m, `l${i}_sub`, f, v, mid).result;
    const u = m.wire(`l${i}_u`, fpMul(m, `l${i}_mul`, f, d, rcp).result);
    // comparator tree: u > t_j for the K - 1 midpoints, then a popcount
    let code: Expr = lit(UInt(b + 1), 0);
    for (let j = 0; j < K - 1; j++) {
      const gt = fpLt(m, `l${i}_gt${j}`, f, word(i, 5 + K + j), u).result;
      code = code.addWrap(gt.zext(b + 1));
    }
    const c = m.wire(`l${i}_code`, code.trunc(b));
    // centroid select, then x̂ = fl(fl(c * half) + mid); outliers restore x
    let cent: Expr = word(i, 5);
    for (let j = 1; j < K; j++) cent = mux(c.eq(j), word(i, 5 + j), cent);
    const cw_ = m.wire(`l${i}_cent`, cent);
    const prod = fpMul(m, `l${i}_deq_mul`, f, cw_, half).result;
    const sum = fpAdd(m, `l${i}_deq_add`, f, prod, mid).result;
    deqs.push(m.wire(`l${i}_deq`, mux(isOut, xi, sum)));
    codes.push(c);
    flags.push(m.wire(`l${i}_flags`, vecOf([isOut, nan, inf])));
    outl.push(isOut);
  }
  void canonicalNaN; // fpAdd's NaN result is already the canonical NaN
  const mask = m.wire('outlier_mask', vecOf(outl));
  const hasOut = m.wire('has_outlier', mask.orR());

  // ---- outlier side FIFO (beats with outliers) and the one-per-cycle sparse port
  const spFields = { mask: UInt(P), data: pat.vec(P), token: UInt(TOKEN_BITS), beat: UInt(btw) };
  const spfReady = m.wire('spf_push_ready', Bool);
  const qValid = m.reg('q_valid_r', Bool, { reset: 0 });
  const qFree = m.wire('q_free', qValid.not().or(q.ready));
  const isData = beat.bits.load.not();
  const advance = m.wire('advance', isLoad.or(qFree.and(hasOut.not().or(spfReady))));
  beat.ready.set(advance);
  const dataFire = m.wire('data_fire', beat.valid.and(isData).and(advance));
  const spfIn: Source<typeof spFields> = {
    fields: spFields,
    valid: m.wire('spf_push', dataFire.and(hasOut)),
    ready: spfReady,
    bits: { mask, data: beat.bits.data, token, beat: bt },
  };
  const head = fifo(m, 'spf', spfIn, cfg.sparseDepth);
  const done = m.reg('sp_done', UInt(P), { reset: 0 });
  const left = m.wire('sp_left', head.bits.mask.and(done.not()));
  // lowest remaining lane (priority encoder) and whether it is the last one
  let sel: Expr = lit(UInt(Math.max(1, log2Ceil(P))), 0);
  for (let i = P - 1; i >= 0; i--) sel = mux(left.bit(i), lit(UInt(Math.max(1, log2Ceil(P))), i), sel);
  const lane = m.wire('sp_lane', sel);
  const laneBit = m.wire('sp_lane_bit', lit(UInt(P), 1).shl(lane).trunc(P));
  const lastOne = m.wire('sp_last_one', left.and(laneBit.not()).orR().not());
  const values = head.bits.data.lanesOf();
  let value: Expr = values[0];
  for (let i = 1; i < P; i++) value = mux(lane.eq(i), values[i], value);
  sp.valid.set(head.valid);
  sp.bits.token.set(head.bits.token);
  sp.bits.channel.set(head.bits.beat.zext(cw + btw).mul(P).add(lane.zext(cw + btw)).trunc(cw));
  sp.bits.value.set(value);
  const spFire = m.wire('sp_fire', head.valid.and(sp.ready));
  head.ready.set(spFire.and(lastOne));
  m.when(spFire, () => done.set(mux(lastOne, lit(UInt(P), 0), done.or(laneBit))));

  // ---- dense output register and position counters
  const qCodes = m.reg('q_codes_r', UInt(b).vec(P));
  const qFlags = m.reg('q_flags_r', UInt(3).vec(P));
  const qDeq = m.reg('q_deq_r', pat.vec(P));
  m.when(qFree, () => qValid.set(dataFire));
  m.when(dataFire, () => {
    qCodes.set(vecOf(codes));
    qFlags.set(vecOf(flags));
    qDeq.set(vecOf(deqs));
    const endTok = bt.eq(BPT - 1);
    bt.set(mux(endTok, lit(UInt(btw), 0), bt.addWrap(1)));
    token.set(mux(beat.bits.eos, lit(UInt(TOKEN_BITS), 0), mux(endTok, token.addWrap(1), token)));
  });
  q.valid.set(qValid);
  q.bits.codes.set(qCodes);
  q.bits.flags.set(qFlags);
  q.bits.deq.set(qDeq);
  return m.build();
}
