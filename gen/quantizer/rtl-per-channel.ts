/**
 * quantizer RTL, per-channel mode (KIVI keys): README.md "Modes" (per-channel), "Arithmetic",
 * "Flags" and "Ports".
 *
 *   quantizerPerChannelRtl(cfg) -> Module `kv_quant_<format>_chan_b<b>_g<G>_d<D>_p<P>_r<R>`
 *
 * Ports exactly as README.md "Ports": in (data 16·P, eos), q (codes b·P, last),
 * grp (scale, min, flags), res (data 16·P, last); `clock`, synchronous active-high `reset`.
 *
 * Choices where the port contract leaves room (documented here, see the report):
 * - `in_eos` is honoured only on a beat that ends a token (as the contract promises it is); on any
 *   other beat it is ignored.
 * - When T is a multiple of R the flush emits nothing on `res` (no residual transaction, so no
 *   `res_last`); the block completed by the eos beat is quantized as usual.
 * - An unterminated sequence (no eos yet) quantizes every complete block of R tokens as soon as it
 *   is complete; the partial block waits for the eos.
 * - The three output streams share one pipeline enable (`advance`): a consumer that stalls one
 *   stream stops the whole pipeline (and, once a block buffer is needed, the input) until it takes
 *   that stream's pending transaction. A consumer that waits for one stream before taking another
 *   can therefore deadlock the unit; consumers must take each stream independently (README: "the
 *   three output streams are independent").
 *
 * Structure:
 * - Input skid buffer → fill side: writes each beat into the block buffer `wsel` (ping-pong: two
 *   R × D blocks), counting beats / tokens. A completed block (R tokens) is handed to the reader as
 *   a quantize job; an eos on a partial block hands it over as a residual job (its token count
 *   kept). The fill side then switches to the other block, waiting (in_ready low) while that one is
 *   still being read.
 * - Block buffer: P banks (one memory each, depth 2·R·D/P: block b at offset b·R·D/P), element
 *   (t, c) of a block in bank (t + c) mod P at word t·D/P + ⌊c/P⌋ (a diagonal skew): a token's beat
 *   (P consecutive channels) and a channel's beat (P consecutive tokens) both touch every bank once,
 *   so both the row-wise write and the transposed read move P elements per cycle. Lane ↔ bank
 *   mapping is a rotation (log-depth rotator, any P).
 * - Reader: serves the jobs in order (the blocks alternate), one read per advance-cycle:
 *   quantize jobs channel by channel (c = 0 .. D−1), R/P beats of P tokens each; residual jobs token
 *   by token, D/P beats each. Read data (registered memory port) → rotation → a beat register →
 *   either the shared group datapath (gen/quantizer/rtl-group.ts `groupQuantizer`: min/max, scale,
 *   codes, flags; a beat memory inside lets the next group be range-found while the previous one
 *   is coded) or the residual output.
 * - Output registers for q, grp and res, loaded under `advance` = every output register free or
 *   being taken (as gen/minmax/rtl.ts); when `advance` is low (another stream's consumer holds the
 *   pipeline) a register whose own consumer takes it empties, so no transaction is presented twice.
 *
 * Throughput: one input beat per cycle sustained (II = 1, measured in Verilator on long sequences
 * up to bf16 D = 128, R = 128, P = 8) across blocks: a block is read in R·D/P cycles while the
 * next one fills in R·D/P cycles; the reader frees a block on its last read and starts the next
 * job on the following cycle. A flush does not stop the input (the residual is read from its block
 * while the next sequence fills the other one), but a short sequence can make the fill side wait
 * for a block still being read.
 * Latency without stalls (rtl-group.ts default depths: grpLatency = 10, latency = 22): first input
 * beat → first grp record = R·D/P + G/P + grpLatency + 3 cycles (the block must be complete); the
 * group's first q beat follows latency − grpLatency = 12 cycles later.
 * Storage: 2·R·D 16-bit words in P banks (plus the group datapath's small beat memory).
 */
import { Bool, ModuleBuilder, UInt, lit, log2Ceil, moduleName, mux, vecOf, type Expr, type Module, type Var } from '../../hdl/index.ts';
import { skidBuffer, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { pipelineNameParts, quantizerFormat, quantizerPipeline, type QuantizerConfig } from './config.ts';
import { groupQuantizer, type GroupQuantizerOptions } from './rtl-group.ts';
import { quantizerOutputs } from './rtl-outputs.ts';

/** Lanes rotated: out[i] = x[(i + dir·r) mod P] (r < P, an unsigned expression); any P. */
function rotate(x: Expr[], r: Expr, dir: 1 | -1): Expr[] {
  const P = x.length;
  let cur = x;
  for (let k = 0; k < r.width; k++) {
    const amt = (2 ** k) % P;
    if (amt === 0) continue;
    const prev = cur;
    cur = prev.map((v, i) => mux(r.bit(k), prev[(((i + dir * amt) % P) + P) % P], v));
  }
  return cur;
}

/** `opts`: pipeline depths of the shared group datapath (rtl-group.ts defaults otherwise). */
export function quantizerPerChannelRtl(cfg: QuantizerConfig, opts: GroupQuantizerOptions = quantizerPipeline(cfg)): Module {
  if (cfg.mode !== 'per-channel') throw new RangeError(`quantizerPerChannelRtl: mode must be 'per-channel', got '${cfg.mode}'`);
  const f = quantizerFormat(cfg);
  const { bits: b, groupSize: G, channels: D, lanes: P, residual: R } = cfg;
  const W = f.width;
  const pat = UInt(W);
  const m = new ModuleBuilder(moduleName(`kv_quant_${cfg.format}_chan`, { b, g: G, d: D, p: P, r: R, ...pipelineNameParts(cfg) }), {
    params: { format: cfg.format, bits: b, groupSize: G, channels: D, lanes: P, mode: 'per-channel', residual: R },
    doc: `KIVI per-channel (key) quantization: ${cfg.format}, ${b}-bit codes, groups of ${G} tokens, ${D} channels, ${P} lanes, blocks of ${R} tokens`,
  });

  const inp = streamIn(m, 'in', { data: pat.vec(P), eos: Bool });
  const out = quantizerOutputs(m, W, b, P);
  const beat = skidBuffer(m, 'in_skid', inp);

  // ---- geometry ------------------------------------------------------------------------------------
  const BPT = D / P; // beats per token (fill side and residual read)
  const N = R * BPT; // words per bank per block
  const aw = Math.max(1, log2Ceil(2 * N));
  const A = UInt(aw);
  const rw = Math.max(1, log2Ceil(P)); // rotation amounts 0..P-1
  const uw = (n: number) => Math.max(1, log2Ceil(n)); // counter width for 0..n-1
  const cnt = (name: string, n: number, reset = true): Var => m.reg(name, UInt(uw(n)), reset ? { reset: 0 } : {});
  const inc = (v: Expr, n: number): Expr => (n === 1 ? lit(UInt(uw(n)), 0) : v.addWrap(1));
  const wrapInc = (v: Expr, n: number): Expr => mux(v.eq(n - 1), lit(v.type, 0), inc(v, n));
  /** zero-extends (or keeps) to the address width after wrapping to it */
  const toA = (e: Expr): Expr => (e.width >= aw ? e.trunc(aw) : e.zext(aw));

  // ---- the global enable (gen/quantizer/rtl-outputs.ts) ---------------------------------------------
  const advance = out.advance;

  // ---- job bookkeeping: per block busy (handed to the reader), kind, token count -------------------
  const busy = [m.reg('busy0', Bool, { reset: 0 }), m.reg('busy1', Bool, { reset: 0 })];
  const isRes = [m.reg('job_res0', Bool), m.reg('job_res1', Bool)];
  const tw = uw(R + 1);
  const ntok = [m.reg('job_tokens0', UInt(tw)), m.reg('job_tokens1', UInt(tw))];

  // ---- fill side -----------------------------------------------------------------------------------
  const wsel = m.reg('wsel', Bool, { reset: 0 });
  const wBeat = m.reg('w_beat', UInt(uw(N)), { reset: 0 }); // t·D/P + cb within the block
  const wCb = cnt('w_cb', BPT);
  const wTok = cnt('w_tok', R);
  const wRot = m.reg('w_rot', UInt(rw), { reset: 0 }); // t mod P
  const wFree = m.wire('w_free', mux(wsel, busy[1], busy[0]).not());
  beat.ready.set(wFree);
  const wFire = m.wire('w_fire', beat.valid.and(wFree));
  const wTokEnd = m.wire('w_tok_end', wCb.eq(BPT - 1));
  const wFull = m.wire('w_full', wTokEnd.and(wTok.eq(R - 1)));
  const wEos = m.wire('w_eos', wTokEnd.and(beat.bits.eos));
  const wHand = m.wire('w_hand', wFire.and(wFull.or(wEos))); // hand the block to the reader
  const wAddr = m.wire('w_addr', toA(mux(wsel, lit(A, N), lit(A, 0)).addWrap(toA(wBeat))));
  // bank j takes lane (j − t) mod P
  const wLanes = rotate(beat.bits.data.lanesOf().map((x) => x.asUInt()), wRot, -1);
  const banks = Array.from({ length: P }, (_, j) => m.mem(`bank${j}`, pat, 2 * N));
  m.when(wFire, () => {
    banks.forEach((bk, j) => bk.write(wAddr, wLanes[j]));
    m.when(wHand, () => {
      wsel.set(wsel.not());
      wBeat.set(0);
      wCb.set(0);
      wTok.set(0);
      wRot.set(0);
    }).otherwise(() => {
      wBeat.set(inc(wBeat, N));
      wCb.set(wrapInc(wCb, BPT));
      m.when(wTokEnd, () => {
        wTok.set(inc(wTok, R));
        wRot.set(wrapInc(wRot, P));
      });
    });
  });

  // ---- reader --------------------------------------------------------------------------------------
  const rsel = m.reg('rsel', Bool, { reset: 0 });
  const rBusy = m.wire('r_busy', mux(rsel, busy[1], busy[0]));
  const rRes = m.wire('r_res', mux(rsel, isRes[1], isRes[0]));
  const rTokens = m.wire('r_tokens', mux(rsel, ntok[1], ntok[0]));
  const issue = m.wire('issue', rBusy.and(advance));
  // quantize job: channel c (⌊c/P⌋, c mod P), beat k of the channel (tokens kP .. kP+P−1)
  const BPC = R / P;
  const qCdiv = cnt('q_cdiv', BPT);
  const qCrot = m.reg('q_crot', UInt(rw), { reset: 0 });
  const qK = cnt('q_k', BPC);
  const qChanEnd = m.wire('q_chan_end', qK.eq(BPC - 1));
  const qEnd = m.wire('q_end', qChanEnd.and(qCdiv.eq(BPT - 1)).and(qCrot.eq(P - 1)));
  // residual job: beat index (t·D/P + cb), token t, beat within token, t mod P
  const sBeat = m.reg('s_beat', UInt(uw(N)), { reset: 0 });
  const sCb = cnt('s_cb', BPT);
  const sTok = m.reg('s_tok', UInt(tw), { reset: 0 });
  const sRot = m.reg('s_rot', UInt(rw), { reset: 0 });
  const sTokEnd = m.wire('s_tok_end', sCb.eq(BPT - 1));
  const sEnd = m.wire('s_end', sTokEnd.and(sTok.addWrap(1).eq(rTokens)));
  const rEnd = m.wire('r_end', mux(rRes, sEnd, qEnd));
  const rBase = m.wire('r_base', mux(rsel, lit(A, N), lit(A, 0)));
  m.when(issue, () => {
    m.when(rRes, () => {
      sBeat.set(inc(sBeat, N));
      sCb.set(wrapInc(sCb, BPT));
      m.when(sTokEnd, () => {
        sTok.set(sTok.addWrap(1));
        sRot.set(wrapInc(sRot, P));
      });
    }).otherwise(() => {
      qK.set(wrapInc(qK, BPC));
      m.when(qChanEnd, () => {
        qCrot.set(wrapInc(qCrot, P));
        m.when(qCrot.eq(P - 1), () => qCdiv.set(wrapInc(qCdiv, BPT)));
      });
    });
    m.when(rEnd, () => {
      rsel.set(rsel.not());
      sBeat.set(0);
      sCb.set(0);
      sTok.set(0);
      sRot.set(0);
      qK.set(0);
      qCrot.set(0);
      qCdiv.set(0);
    });
  });

  // busy: set by the fill side's hand-over, cleared by the reader's last read (never the same block)
  const job = [0, 1].map((k) => ({ hand: wHand.and(k === 0 ? wsel.not() : wsel), done: issue.and(rEnd).and(k === 0 ? rsel.not() : rsel) }));
  job.forEach(({ hand, done }, k) => {
    m.when(hand, () => {
      busy[k].set(1);
      isRes[k].set(wFull.not());
      ntok[k].set(wTok.zext(tw).addWrap(1));
    }).elseWhen(done, () => busy[k].set(0));
  });

  // addresses: residual = base + beat (all banks); quantize bank j = base + k·D + ⌊c/P⌋ + ((j − c) mod P)·D/P
  const sAddr = m.wire('s_addr', toA(rBase.addWrap(toA(sBeat))));
  const qRow = m.wire('q_row', toA(rBase.addWrap(toA(qK.mul(D))).addWrap(toA(qCdiv))));
  const rdEn = m.wire('rd_en', issue);
  const rdData = banks.map((bk, j) => {
    const lane = mux(qCrot.le(j), lit(UInt(rw + 1), j).subWrap(qCrot.zext(rw + 1)), lit(UInt(rw + 1), j + P).subWrap(qCrot.zext(rw + 1)));
    const off = m.wire(`q_off${j}`, toA(lane.mul(BPT)));
    const addr = m.wire(`rd_addr${j}`, mux(rRes, sAddr, toA(qRow.addWrap(off))));
    return bk.read(`bank${j}_rd`, addr, rdEn);
  });

  // stage 1: read data arrives; tags beside it
  const p1Valid = m.reg('p1_valid', Bool, { reset: 0 });
  const p1Res = m.reg('p1_res', Bool);
  const p1Last = m.reg('p1_last', Bool);
  const p1Rot = m.reg('p1_rot', UInt(rw));
  m.when(advance, () => {
    p1Valid.set(rBusy);
    p1Res.set(rRes);
    p1Last.set(sEnd);
    p1Rot.set(mux(rRes, sRot, qCrot));
  });
  // stage 2: the beat in lane order
  const p2Valid = m.reg('p2_valid', Bool, { reset: 0 });
  const p2Res = m.reg('p2_res', Bool);
  const p2Last = m.reg('p2_last', Bool);
  const p2Data = m.reg('p2_data', pat.vec(P));
  m.when(advance, () => {
    p2Valid.set(p1Valid);
    p2Res.set(p1Res);
    p2Last.set(p1Last);
    p2Data.set(vecOf(rotate(rdData, p1Rot, 1)));
  });

  // ---- group datapath (shared with per-token) --------------------------------------------------------
  const gq = groupQuantizer(m, 'gq', f, { bits: b, groupSize: G, lanes: P }, { valid: m.wire('gq_in_valid', p2Valid.and(p2Res.not())), data: p2Data }, advance, opts);

  // ---- output registers ----------------------------------------------------------------------------
  out.drive({
    q: { valid: gq.q.valid, codes: gq.q.codes.as(UInt(b).vec(P)), last: gq.q.last },
    grp: gq.grp,
    res: { valid: p2Valid.and(p2Res), data: p2Data, last: p2Last },
  });
  return m.build();
}
