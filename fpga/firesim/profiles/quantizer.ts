/** The FireSim profile of the quantizer unit (gen/quantizer/README.md). */
import type { QuantizerConfig } from '../../../gen/quantizer/config.ts';
import { enumIndex, type FiresimProfile } from './types.ts';

/** Tq of the quantizer's README ("Modes"). */
function quantizedTokens(c: QuantizerConfig, t: number): number {
  return c.mode === 'per-token' ? Math.max(0, t - c.residual) : Math.floor(t / c.residual) * c.residual;
}

export const quantizerProfile: FiresimProfile = {
  unit: 'quantizer',
  sideband: { eos: 'end' },
  rowsDoc: 'tokens T',
  colsDoc: 'beats per token (must be channels / lanes)',
  fixedCols: (cfg) => {
    const c = cfg as QuantizerConfig;
    return c.channels / c.lanes;
  },
  outCounts: (cfg, rows) => {
    const c = cfg as QuantizerConfig;
    const tq = quantizedTokens(c, rows);
    return { q: (tq * c.channels) / c.lanes, grp: (tq * c.channels) / c.groupSize, res: ((rows - tq) * c.channels) / c.lanes };
  },
  outCountsC: (cfg) => {
    const c = cfg as QuantizerConfig;
    const tq = c.mode === 'per-token' ? `rows > ${c.residual}u ? rows - ${c.residual}u : 0u` : `(rows / ${c.residual}u) * ${c.residual}u`;
    return [
      `uint32_t tq = ${tq};`,
      `len[@q] = tq * ${c.channels / c.lanes}u;`,
      `len[@grp] = tq * ${c.channels / c.groupSize}u;`,
      `len[@res] = (rows - tq) * ${c.channels / c.lanes}u;`,
    ].join('\n');
  },
  testShape: (cfg) => {
    const c = cfg as QuantizerConfig;
    // per-token: 4 quantized tokens plus a full window; per-channel: one block plus half a block
    const rows = c.mode === 'per-token' ? c.residual + 4 : c.residual + Math.max(1, Math.floor(c.residual / 2));
    return { rows, cols: c.channels / c.lanes };
  },
  params: (cfg) => {
    const c = cfg as QuantizerConfig;
    return {
      format: enumIndex(['fp16', 'bf16'], c.format),
      bits: c.bits,
      group_size: c.groupSize,
      channels: c.channels,
      lanes: c.lanes,
      mode: enumIndex(['per-token', 'per-channel'], c.mode),
      residual: c.residual,
    };
  },
};
