/**
 * selector RTL top (README "Ports", "Micro-architectures"): front end → one core (by mode, arch
 * and cap policy) → gearbox (`out`) and summary register (`sum`).
 *
 *   threshold, capK = 0 or capPolicy "first" → rtl-threshold.ts (streaming, P scores/cycle)
 *   threshold, capK > 0 and capPolicy "last" → rtl-radix.ts with no select passes (row buffer)
 *   topk, arch "insertion"                   → rtl-insertion.ts (k-entry eviction array, 1 score/cycle)
 *   topk, arch "systolic"                    → rtl-systolic.ts (P = 1: k + 1 cells in index order with score ranks, drain)
 *                                              rtl-systolic-wide.ts (P > 1: two candidates per cycle, a drain bank)
 *   topk, arch "radix"                       → rtl-radix.ts (row buffer, radix-select passes, filter pass)
 */
import { selectorInvariants } from './invariants.ts';
import { ModuleBuilder, moduleName, type Module } from '../../hdl/index.ts';
import { SELECTOR_DEFAULT_STAGES, type SelectorConfig } from './config.ts';
import { frontEnd } from './rtl-front.ts';
import { gearbox } from './rtl-gearbox.ts';
import { summary } from './rtl-summary.ts';
import { thresholdCombCore, thresholdStreamCore } from './rtl-threshold.ts';
import { insertionCore } from './rtl-insertion.ts';
import { rowBufferCore } from './rtl-radix.ts';
import { systolicCore, type SystolicOptions } from './rtl-systolic.ts';
import { systolicWideCore } from './rtl-systolic-wide.ts';

/** Which core a configuration builds. */
export function selectorCore(cfg: SelectorConfig): 'stream' | 'insertion' | 'radix' | 'systolic' | 'capbuffer' {
  if (cfg.mode === 'threshold') return cfg.capK > 0 && cfg.capPolicy === 'last' ? 'capbuffer' : 'stream';
  return cfg.arch;
}

/** `opts`: test hooks of the systolic core (a mutation test builds a deliberately wrong tie rule). */
export function selectorRtl(cfg: SelectorConfig, opts: SystolicOptions = {}): Module {
  const core = selectorCore(cfg);
  const bucketTag = cfg.rowBuckets.join('x');
  const name = moduleName(`kv_select_${cfg.mode === 'threshold' ? 'th' : `topk_${cfg.arch}`}`, {
    w: cfg.scoreBits, n: cfg.maxRow, p: cfg.lanes, q: cfg.outLanes, k: cfg.k,
    ...(cfg.mode === 'threshold' ? { cap: cfg.capK, ...(cfg.capK ? { pol: cfg.capPolicy } : {}), h: cfg.heads, l: cfg.layers, b: bucketTag } : {}),
    ...(core === 'radix' ? { r: cfg.radixBits } : {}), ...(core === 'stream' && cfg.stages !== SELECTOR_DEFAULT_STAGES ? { s: cfg.stages } : {}),
  });
  const m = new ModuleBuilder(name, {
    params: { mode: cfg.mode, core, scoreBits: cfg.scoreBits, maxRow: cfg.maxRow, lanes: cfg.lanes, outLanes: cfg.outLanes, k: cfg.k, capK: cfg.capK },
    doc: `attention-score selector (${cfg.mode}, ${core} core)`,
  });
  // the P = 1 systolic core's look-ahead compares each score with the previous one in the front end
  const fe = frontEnd(m, cfg, core === 'systolic' && cfg.lanes === 1 ? { beatsPrevious: opts.tieMutation ? 'ge' : 'gt' } : {});
  const sum = summary(m, cfg, { lateMax: core === 'stream' && cfg.stages > 0 }); // the streaming threshold core pipelines its row maximum (stages >= 1)
  if (core === 'systolic') {
    // drains in index order straight to `out` (no compaction, no gearbox)
    if (cfg.lanes > 1) systolicWideCore(m, cfg, fe, sum, opts);
    else systolicCore(m, cfg, fe, sum, opts);
    return m.build();
  }
  const c =
    core === 'stream' ? (cfg.stages === 0 ? thresholdCombCore : thresholdStreamCore)(m, cfg, fe, sum.free)
    : core === 'insertion' ? insertionCore(m, cfg, fe, sum.free)
    : rowBufferCore(m, cfg, fe, sum.free);
  const ready = gearbox(m, cfg, c.lanes);
  sum.connect(c.connect(ready));
  selectorInvariants(m, cfg);
  return m.build();
}
