/**
 * attention's formal invariants (README "Formal invariants"), checked in every Verilator
 * co-simulation (-DFORMAL --assert) and by `kvhdl prove attention`:
 * - the row's split: tk = ⌊n/R⌋·R (tk ≤ n < tk + R), groups·G = tk and tv = max(n − R, 0),
 *   once the row is past its BASES phase (whenever the memory port requests);
 * - every memory request lies inside the row's cache image (README §6): address < the image's
 *   word count, computed here from n, tk and tv with the region sizes of §6, not from the
 *   datapath's region bases;
 * - kept keys: the row's kept count never exceeds n (also on the `row` record);
 * - assumed on `query`: n ≤ maxKeys (n = 0 is a valid, empty row); the stream contracts of `query`, `mem_req`, `mem_resp`,
 *   `key`, `out` and `row` come from the ports' recorded interfaces (the prove wrapper).
 */
import { UInt, lit, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { implies } from '../../hdl/lib/index.ts';
import type { RtlDims } from './rtl-dims.ts';

export interface AttentionSignals {
  /** The row's token count, tk (tokens in key groups) and tv (tokens with quantized values), registers of the row. */
  n: Expr;
  tk: Expr;
  tv: Expr;
  /** Key groups of the row (tk / G). */
  groups: Expr;
  keptCount: Expr;
  maxKeys: number;
}

export function attentionInvariants(m: ModuleBuilder, d: RtlDims, s: AttentionSignals): void {
  const { B, C, G, R, H16, VC, MV, KW } = d;
  const X = d.AW + d.NW + 8; // wide enough for every product below
  const w = (e: Expr) => e.zext(X);
  const k = (v: number) => lit(UInt(X), v);
  const times = (e: Expr, c: number) => w(e).mul(k(c)).trunc(X);
  m.assume(implies(m.portRef('query_valid'), m.portRef('query_n').le(s.maxKeys)), `attention input: n <= maxKeys (${s.maxKeys})`);
  const reqValid = m.portRef('mem_req_valid');
  const n = w(s.n);
  const tk = w(s.tk);
  const tv = w(s.tv);
  // the image's words (README §6): keyPlanes + keyScaleMin + keyResidual + valueCodes + valueScaleMin + valueResidual
  // (+ valueCodebook, KW words, with valueQuant "nuq")
  const kivi = times(s.tk, B * C)
    .add(times(s.groups, 2 * H16))
    .add(times(n.subWrap(tk), H16))
    .add(times(s.tv, VC + MV))
    .add(times(n.subWrap(tv), H16));
  const image = (KW > 0 ? kivi.add(k(KW)) : kivi).trunc(X);
  const imageWords = m.formalWire('fv_att_image_words', image);
  m.assert(implies(reqValid, tk.le(n).and(n.lt(tk.add(k(R)).trunc(X)))), `attention: tk = floor(n/R)*R: tk <= n < tk + R (${R})`);
  m.assert(implies(reqValid, times(s.groups, G).eq(tk)), `attention: key groups * G (${G}) = tk`);
  m.assert(implies(reqValid, tv.eq(mux(n.gt(k(R)), n.subWrap(k(R)), k(0)))), `attention: tv = max(n - R, 0)`);
  m.assert(implies(reqValid, w(m.portRef('mem_req_addr')).lt(imageWords)), 'attention: memory requests stay inside the cache image (address < image words)');
  m.assert(w(s.keptCount).le(n), 'attention: kept count <= n');
  m.assert(implies(m.portRef('row_valid'), w(m.portRef('row_kept')).le(n)), 'attention: row record kept <= n');
}
