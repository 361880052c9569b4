/** Widths and constants of the attention RTL (README.md "Hardware"), derived from the config. */
import { bitsFor, log2Ceil } from '../../hdl/index.ts';
import { attentionDims, attentionFormat, valueLatency, type AttentionConfig, type AttentionDims, type AttentionPipeline } from './config.ts';
import { regionMap } from './layout.ts';
import { kappa } from './fixed.ts';
import type { FloatFormat } from '../../hdl/lib/float/format.ts';

export interface RtlDims extends AttentionDims {
  f: FloatFormat;
  kap: { Kc: number; e: number };
  /** n, token indices and kept counts */
  NW: number;
  /** memory word addresses (the largest image, n = maxKeys) */
  AW: number;
  /** θ (SW + 1 bits: every bound lies in ±2^(SW−1)) */
  THW: number;
  /** halves per word */
  LT: number;
  /** value codes per word, code words per token */
  CPW: number;
  VC: number;
  /** Q⁺ of a chunk or of a key group */
  QPW: number;
  /** the sum of one key-plane word Σ q̃·c_j */
  PSW: number;
  /** integer V of a finite value pattern, signed */
  VW: number;
  /** Σ p (DEN) and the output accumulators NUM */
  DENW: number;
  ACCW: number;
  /** the kept/score memory: depth (≥ maxKeys) and address width */
  SMD: number;
  SMA: number;
  /** the stage fields (README "Pipeline") and L, the value dequantizer's latency */
  pipe: AttentionPipeline;
  L: number;
}

export function rtlDims(cfg: AttentionConfig): RtlDims {
  const d = attentionDims(cfg);
  const f = attentionFormat(cfg);
  let total = 0;
  for (let n = Math.max(0, cfg.maxKeys - 2 * d.R); n <= cfg.maxKeys; n++) total = Math.max(total, regionMap(cfg, n).total);
  const NW = bitsFor(cfg.maxKeys);
  const VW = f.man + 1 + (2 ** f.exp - 3) + 1; // significand << (effExp − 1), effExp ≤ 2^exp − 2, plus sign
  const DENW = 17 + NW;
  return {
    ...d,
    f,
    kap: kappa(d.D),
    NW,
    AW: Math.max(1, bitsFor(total)),
    THW: d.SW + 1,
    LT: d.W / 16,
    CPW: d.W / d.bv,
    VC: (d.bv * d.D) / d.W,
    QPW: d.WQ + log2Ceil(d.D) + 1,
    PSW: d.WQ + log2Ceil(d.W) + 1,
    VW,
    DENW,
    ACCW: VW + DENW + 1,
    SMD: Math.max(2, cfg.maxKeys),
    SMA: log2Ceil(Math.max(2, cfg.maxKeys)),
    pipe: { termStages: cfg.termStages, valueMulStages: cfg.valueMulStages, valueAddStages: cfg.valueAddStages, valueOpRegs: cfg.valueOpRegs, weightStages: cfg.weightStages, productStages: cfg.productStages },
    L: valueLatency(cfg),
  };
}
