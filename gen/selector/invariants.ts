/**
 * The selector's formal invariants on its `out` port (README "Outputs"), independent of the core:
 * a row never carries more than the configuration's maximum number of kept pairs (topk: K;
 * threshold with capK: capK), a beat's `count` never exceeds P_out, and the kept indices of a row
 * ascend (within a beat and from beat to beat). Formal-only counters track the row.
 */
import { Bool, UInt, bitsFor, lit, mux, type ModuleBuilder } from '../../hdl/index.ts';
import { implies } from '../../hdl/lib/index.ts';
import { maxKept, selectorWidths, type SelectorConfig } from './config.ts';

export function selectorInvariants(m: ModuleBuilder, cfg: SelectorConfig): void {
  inputProtocol(m, cfg);
  const w = selectorWidths(cfg);
  const Q = cfg.outLanes;
  const valid = m.portRef('out_valid');
  const fire = valid.and(m.portRef('out_ready'));
  const count = m.portRef('out_count');
  const last = m.portRef('out_last');
  const idx = m.portRef('out_idx');
  const lane = (j: number) => idx.slice((j + 1) * w.IW - 1, j * w.IW);
  const limit = cfg.mode === 'topk' || cfg.capK > 0 ? maxKept(cfg) : cfg.maxRow;
  const CW = Math.max(bitsFor(limit + (1 << w.CW)), w.CW);
  const sent = m.formalReg('fv_sel_sent', UInt(CW), { reset: 0 }); // pairs of this row already sent
  const prevIdx = m.formalReg('fv_sel_prev_idx', UInt(w.IW)); // last index sent in this row
  const any = m.formalReg('fv_sel_any', Bool, { reset: 0 }); // this row has sent a pair
  const total = sent.add(count.zext(CW));
  m.when(fire, () => {
    sent.set(mux(last, lit(UInt(CW), 0), total.trunc(CW)));
    any.set(last.not().and(any.or(count.ne(0))));
  });
  for (let j = 0; j < Q; j++) m.when(fire.and(count.gt(j)), () => prevIdx.set(lane(j)));
  m.assert(implies(valid, count.le(Q)), `selector: out_count <= P_out (${Q})`);
  m.assert(implies(valid, total.le(limit)), `selector: at most ${limit} pairs per row`);
  for (let j = 0; j + 1 < Q; j++) m.assert(implies(valid.and(count.gt(j + 1)), lane(j).lt(lane(j + 1))), `selector: indices ascend within a beat (lanes ${j}, ${j + 1})`);
  m.assert(implies(valid.and(any).and(count.ne(0)), prevIdx.lt(lane(0))), 'selector: indices ascend from beat to beat');
}

/**
 * The input protocol (README "Stream protocol") as assumptions: a row beat has 1 <= len <= N, the
 * same len, head and layer on every beat of the row, and `last` exactly on beat ceil(len/P); table
 * writes only between rows.
 */
function inputProtocol(m: ModuleBuilder, cfg: SelectorConfig): void {
  const w = selectorWidths(cfg);
  const P = cfg.lanes;
  const valid = m.portRef('in_valid');
  const fire = valid.and(m.portRef('in_ready'));
  const row = m.portRef('in_kind').eq(0);
  const len = m.portRef('in_len');
  const last = m.portRef('in_last');
  const beats = Math.ceil(cfg.maxRow / P);
  const BW = bitsFor(beats);
  const beat = m.formalReg('fv_sel_in_beat', UInt(BW), { reset: 0 }); // beats of the current row accepted
  const rowLen = m.formalReg('fv_sel_in_len', UInt(w.LW));
  const head = m.portRef('in_head');
  const layer = m.portRef('in_layer');
  const rowHead = m.formalReg('fv_sel_in_head', head.type);
  const rowLayer = m.formalReg('fv_sel_in_layer', layer.type);
  const mid = beat.ne(0);
  m.when(fire.and(row), () => {
    beat.set(mux(last, lit(UInt(BW), 0), beat.addWrap(1)));
    rowLen.set(len);
    rowHead.set(head);
    rowLayer.set(layer);
  });
  // beat b (0-based) is the last one exactly when (b + 1) * P >= len
  const endsHere = beat.zext(BW + w.LW).add(1).mul(P).ge(len.zext(BW + w.LW));
  m.assume(implies(valid.and(row), len.ge(1).and(len.le(cfg.maxRow))), `selector input: 1 <= len <= ${cfg.maxRow}`);
  m.assume(implies(valid.and(row).and(mid), len.eq(rowLen).and(head.eq(rowHead)).and(layer.eq(rowLayer))), 'selector input: len, head and layer the same on every beat of a row');
  m.assume(implies(valid.and(row), last.eq(endsHere)), 'selector input: last exactly on beat ceil(len/P)');
  m.assume(implies(valid.and(row.not()), mid.not()), 'selector input: table writes only between rows');
  if (w.HW > 0 && (1 << w.HW) !== cfg.heads) m.assume(implies(valid, head.lt(cfg.heads)), `selector input: head < ${cfg.heads}`);
  if (w.YW > 0 && (1 << w.YW) !== cfg.layers) m.assume(implies(valid, layer.lt(cfg.layers)), `selector input: layer < ${cfg.layers}`);
}
