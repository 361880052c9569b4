/**
 * quantizer RTL, per-token mode (KIVI values): README.md "Ports", "Modes", "Arithmetic".
 *
 *   quantizerPerTokenRtl(cfg: QuantizerConfig): Module   // cfg.mode must be 'per-token'
 *
 * Module `kv_quant_<fp16|bf16>_tok_b<b>_g<G>_d<D>_p<P>_r<R>`, ports exactly as README "Ports"
 * (in: data, eos; q: codes, last; grp: scale, min, flags; res: data, last).
 *
 * Structure: input skid buffer → residual window (a circular memory of R·D/P beats, registered
 * read) → the shared group datapath (rtl-group.ts, groupQuantizer) for the beats leaving the
 * window → one output register per stream. Every register moves on one global `advance` = every
 * output register is empty or being taken (gen/minmax/rtl.ts's scheme); the input skid buffer
 * cuts the combinational path from the output readies to in_ready.
 *
 * PORT-CONTRACT CHOICES (the README leaves these open; documented here and in the report):
 * 1. Window granularity is the beat, not the token: when the window holds R·D/P beats, each
 *    accepted input beat pushes the oldest beat out to be quantized (beat k of token t pushes out
 *    beat k of token t − R). On whole tokens this is exactly README "Modes" (token t − R is
 *    quantized as token t arrives); the only visible difference is timing, and what a consumer sees
 *    of an unfinished sequence (no in_eos yet): the groups of every beat that has left the window
 *    (for R = 0, every completed group of a partially received token) are already on q/grp.
 *    stream-model.ts `expectedPerToken` models exactly this for input prefixes without in_eos.
 * 2. in_eos on a beat that does not end a token is a protocol violation (README: "only on a beat
 *    that ends a token"); the RTL does not check it (it flushes whatever beats the window holds).
 * 3. The flush overlaps the next sequence: while the window's previous-sequence beats drain to res
 *    (one per cycle), the next sequence's beats are accepted into the freed slots, so consecutive
 *    sequences keep II = 1. Only an in_eos beat that arrives while the previous flush is still
 *    draining waits (in_ready low) until the cycle that flush reads its res_last beat — i.e. a
 *    sequence shorter than the previous flush (T' < min(T, R) tokens) costs the difference in cycles.
 * 4. R = 0: there is no window; in_eos is accepted and has no effect (empty flush, nothing on res).
 *
 *   perTokenTiming(cfg, opts?) -> { ii: 1, windowBeats, grpLatency, qLatency }   (cycles; see below)
 *
 * Throughput: II = 1 (one input beat per cycle sustained across groups, tokens and sequences)
 * while no output is back-pressured. The pipeline has one global stall: a back-pressured output
 * whose register is full holds every stream (the other streams keep their registered outputs).
 * Latency (no stalls; from the cycle the last beat of a group is accepted on `in`, for a group that
 * leaves the window on that beat): grp record 2 + (subStages + divStages) + 1 = 13 cycles, first q
 * beat 2 + (sub + div) + 1 + (sub + div + round) + 1 = 25 cycles with the default stages (sub 2,
 * div 8, round 1; both formats). cosim's "latency" (first input → first output of any stream) is
 * windowBeats + G/P − 1 + grpLatency for a sequence longer than R tokens.
 */
import { Bool, ModuleBuilder, UInt, bitsFor, lit, log2Ceil, moduleName, mux, type Module } from '../../hdl/index.ts';
import { skidBuffer, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { pipelineNameParts, quantizerFormat, quantizerPipeline, type QuantizerConfig } from './config.ts';
import { groupQuantizer, groupQuantizerTiming, type GroupQuantizerOptions } from './rtl-group.ts';
import { quantizerOutputs } from './rtl-outputs.ts';

export function quantizerPerTokenRtl(cfg: QuantizerConfig, opts: GroupQuantizerOptions = quantizerPipeline(cfg)): Module {
  if (cfg.mode !== 'per-token') throw new RangeError(`quantizerPerTokenRtl: mode must be 'per-token', got '${cfg.mode}'`);
  const f = quantizerFormat(cfg);
  const { bits: b, groupSize: G, channels: D, lanes: P, residual: R } = cfg;
  const W = f.width;
  const pat = UInt(W);
  const m = new ModuleBuilder(moduleName(`kv_quant_${cfg.format}_tok`, { b, g: G, d: D, p: P, r: R, ...pipelineNameParts(cfg) }), {
    params: { format: cfg.format, bits: b, groupSize: G, channels: D, lanes: P, residual: R },
    doc: `KIVI per-token quantization (${cfg.format}, b=${b}, G=${G}, D=${D}, P=${P}, R=${R})`,
  });
  const inp = streamIn(m, 'in', { data: pat.vec(P), eos: Bool });
  const out = quantizerOutputs(m, W, b, P);
  const beat = skidBuffer(m, 'in_skid', inp);
  const advance = out.advance;

  const RB = (R * D) / P; // window depth in beats
  let bQuant; // a beat leaves the window for quantization (valid in the stage after acceptance)
  let bData;
  let bRes;
  let bResLast;
  if (RB === 0) {
    beat.ready.set(advance);
    const acc = m.wire('accept', advance.and(beat.valid));
    const v = m.reg('b_quant', Bool, { reset: 0 });
    const d = m.reg('b_data', UInt(P * W));
    m.when(advance, () => v.set(acc));
    m.when(acc, () => d.set(beat.bits.data.asUInt()));
    bQuant = v;
    bData = d;
    bRes = lit(Bool, 0);
    bResLast = lit(Bool, 0);
  } else {
    const depth = Math.max(2, RB);
    const aw = log2Ceil(depth);
    const inc = (p: typeof wr) => mux(p.eq(RB - 1), lit(UInt(aw), 0), p.addWrap(1));
    const win = m.mem('window', UInt(P * W), depth);
    const wr = m.reg('win_wr', UInt(aw), { reset: 0 });
    const head = m.reg('win_head', UInt(aw), { reset: 0 });
    // `occ`: beats of the current sequence in the window; `old`: beats of the previous sequence
    // still being flushed. Invariant occ + old <= RB: while old > 0 every advance-cycle flushes one
    // beat and accepts at most one, so the next sequence fills the window while the flush drains it.
    const occ = m.reg('win_occ', UInt(bitsFor(RB)), { reset: 0 });
    const old = m.reg('win_old', UInt(bitsFor(RB)), { reset: 0 });
    const flushing = m.wire('flushing', old.ne(0));
    const flushLast = m.wire('flush_last', old.eq(1));
    // a second in_eos waits until the previous flush reads its last beat (it may on that cycle)
    const blocked = m.wire('eos_blocked', flushing.and(flushLast.not()).and(beat.bits.eos));
    beat.ready.set(advance.and(blocked.not()));
    const acc = m.wire('accept', advance.and(beat.valid).and(blocked.not()));
    const full = m.wire('win_full', occ.eq(RB)); // implies old = 0
    const pushOut = m.wire('push_out', acc.and(full));
    const flushRead = m.wire('flush_read', advance.and(flushing));
    const rd = win.read('win_rd', head, pushOut.or(flushRead)); // never both: full implies old = 0
    const occNext = m.wire('win_occ_next', mux(full, occ, occ.addWrap(1)));
    m.when(flushRead, () => {
      head.set(inc(head));
      old.set(old.subWrap(1));
    });
    m.when(acc, () => {
      win.write(wr, beat.bits.data.asUInt());
      wr.set(inc(wr));
      m.when(full, () => head.set(inc(head)));
      m.when(beat.bits.eos, () => {
        old.set(occNext); // overrides the flush's decrement: old was 0, or 1 and read this cycle
        occ.set(0);
      }).otherwise(() => occ.set(occNext));
    });
    const v = m.reg('b_quant', Bool, { reset: 0 });
    const r = m.reg('b_res', Bool, { reset: 0 });
    const rl = m.reg('b_res_last', Bool);
    m.when(advance, () => {
      v.set(pushOut);
      r.set(flushRead);
      rl.set(flushLast);
    });
    bQuant = v;
    bData = rd;
    bRes = r;
    bResLast = rl;
  }

  const gq = groupQuantizer(m, 'gq', f, { bits: b, groupSize: G, lanes: P }, { valid: bQuant, data: bData }, advance, opts);

  out.drive({
    q: gq.q,
    grp: gq.grp,
    res: { valid: bRes, data: bData.as(pat.vec(P)), last: bResLast },
  });
  return m.build();
}

/**
 * Timing of a configuration without stalls (cycles at the ports): II = 1 beat per cycle; a group
 * whose last beat is accepted on `in` at cycle c has its grp record valid at c + grpLatency and
 * its first q beat at c + qLatency; the window delays quantization by windowBeats input beats.
 */
export function perTokenTiming(cfg: QuantizerConfig, opts: GroupQuantizerOptions = quantizerPipeline(cfg)): { ii: number; windowBeats: number; grpLatency: number; qLatency: number } {
  const t = groupQuantizerTiming(quantizerFormat(cfg), opts);
  // skid buffer 1 + window read 1 (a register also for R = 0) + datapath + output register 1
  return { ii: 1, windowBeats: (cfg.residual * cfg.channels) / cfg.lanes, grpLatency: 2 + t.grpLatency + 1, qLatency: 2 + t.latency + 1 };
}
