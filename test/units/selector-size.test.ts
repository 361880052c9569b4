/**
 * Issue #13 item 5 / #19 item 2: the selector's output network is O(P log P + P_out log P_out) for
 * P <= P_out (the accumulator packer) and O(C log C) (C = lanes + 2·outLanes) otherwise (it was
 * quadratic); the systolic core has none. The configuration check would refuse an estimated size over
 * SELECTOR_MAX_LINES in one line before anything is elaborated (no configuration within the schema's
 * bounds reaches it now), and the estimate follows the emitted line counts.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../gen/config.ts';
import { selectorUnit } from '../../gen/selector/index.ts';
import { selectorConfig, type SelectorConfig } from '../../gen/selector/config.ts';
import { selectorRtl } from '../../gen/selector/rtl.ts';
import { SELECTOR_MAX_LINES, selectorLinesEstimate, selectorSizeProblem } from '../../gen/selector/size.ts';
import { emitModule } from '../../hdl/index.ts';

const problems = (raw: unknown): string[] => {
  try {
    parseConfig(selectorUnit, raw, 's.json');
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.lines;
    throw e;
  }
};

describe('selector size limit', () => {
  it('refuses the largest systolic arrays at 64 lanes (two banks of k cells) from the config check, in one line', () => {
    expect(problems({ mode: 'topk', arch: 'systolic', lanes: 64, outLanes: 64, maxRow: 256, k: 256 })).toEqual([
      `s.json: config: lanes 64 and outLanes 64 with k 256 give an estimated 32,511 lines of Verilog, more than the limit of 30,000 (the output network grows as P·log2 P + P_out·log2 P_out (P > P_out: C·log2 C with C = lanes + 2·outLanes), the top-k arrays as k; gen/selector/README.md "Size"): use fewer lanes, outLanes or a smaller k/radixBits`,
    ]);
    expect(problems({ mode: 'topk', arch: 'systolic', lanes: 64, outLanes: 64, maxRow: 256, k: 128 })).toEqual([]);
  });

  it('accepts the largest other configurations (refused while the output network was quadratic or a circular buffer)', () => {
    for (const big of [
      { mode: 'topk', arch: 'insertion', lanes: 64, outLanes: 64, maxRow: 256, k: 256 },
      { mode: 'topk', arch: 'radix', radixBits: 8, lanes: 64, outLanes: 64 },
      { lanes: 64, outLanes: 64, maxRow: 64, k: 8 },
    ]) {
      expect(problems(big), JSON.stringify(big)).toEqual([]);
      expect(selectorLinesEstimate(selectorConfig(big as Partial<SelectorConfig>))).toBeLessThan(SELECTOR_MAX_LINES);
    }
  });

  it('the size check still refuses an estimate over the limit in one line (beyond the schema bounds of k)', () => {
    const c = { ...selectorConfig({ mode: 'topk', arch: 'insertion', lanes: 64, outLanes: 64, maxRow: 4096, k: 256 }), k: 1024 };
    expect(selectorSizeProblem(c)).toBe(
      'lanes 64 and outLanes 64 with k 1024 give an estimated 43,605 lines of Verilog, more than the limit of 30,000 (the output network grows as P·log2 P + P_out·log2 P_out (P > P_out: C·log2 C with C = lanes + 2·outLanes), the top-k arrays as k; gen/selector/README.md "Size"): use fewer lanes, outLanes or a smaller k/radixBits',
    );
  });

  it('P <= P_out builds the accumulator packer (no circular buffer); P > P_out the gearbox', () => {
    const v = (p: Partial<SelectorConfig>) => emitModule(selectorRtl(selectorConfig({ maxRow: 256, k: 8, ...p })));
    const pack = v({ lanes: 8, outLanes: 8 });
    expect(pack).toMatch(/\bpk_a_score_7\b/);
    expect(pack).not.toMatch(/\bgb_score_\d+\b/);
    const gear = v({ lanes: 8, outLanes: 4 });
    expect(gear).toMatch(/\bgb_score_15\b/);
    expect(gear).not.toMatch(/\bpk_a_score_\d+\b/);
  });

  it('the output network is O(C log C): doubling lanes and outLanes roughly doubles the Verilog (it was 4x)', () => {
    const lines = (P: number) => emitModule(selectorRtl(selectorConfig({ lanes: P, outLanes: P, maxRow: 256, k: 8 }))).split('\n').length;
    const [a, b] = [lines(16), lines(32)];
    expect(b / a).toBeLessThan(2.4);
    // the compaction shifter: ceil(log2 P) stages of P lanes, nothing per (lane, item) pair
    const v = emitModule(selectorRtl(selectorConfig({ lanes: 16, outLanes: 16, maxRow: 256, k: 8 })));
    const stageWires = new Set([...v.matchAll(/\bcmp_net_s(\d+)_score_\d+\b/g)].map((x) => x[0]));
    // stage s has a 2:1 multiplexer for each lane j with a lane j + 2^s above it: 15 + 14 + 12 + 8 <= P·log2 P
    expect(stageWires.size).toBe(15 + 14 + 12 + 8);
    expect(v).not.toMatch(/cmp_hit_/);
  });

  it('the estimate follows the emitted line count (within 10% for lanes, outLanes >= 4)', () => {
    const cases: Partial<SelectorConfig>[] = [
      { lanes: 4, outLanes: 4 },
      { lanes: 8, outLanes: 8, maxRow: 256, k: 16, capK: 8 },
      { lanes: 12, outLanes: 4, mode: 'topk', k: 32 },
      { lanes: 4, outLanes: 12, mode: 'topk', arch: 'radix', radixBits: 5 },
      { lanes: 16, outLanes: 16, maxRow: 256, k: 16 },
      { lanes: 8, outLanes: 8, maxRow: 256, k: 64, mode: 'topk', arch: 'systolic' },
      { lanes: 32, outLanes: 32, maxRow: 256, k: 16 },
    ];
    for (const p of cases) {
      const c = selectorConfig(p);
      const lines = emitModule(selectorRtl(c)).split('\n').length;
      expect(Math.abs(selectorLinesEstimate(c) - lines) / lines, JSON.stringify(p)).toBeLessThan(0.1);
    }
  });

  it('every selector config of the tests, bench and reference configs is well inside the limit', () => {
    const used: Partial<SelectorConfig>[] = [
      ...selectorUnit.referenceConfigs as Partial<SelectorConfig>[],
      { mode: 'threshold', scoreBits: 16, maxRow: 4096, lanes: 8, outLanes: 8, k: 64, capK: 128 },
      { mode: 'topk', arch: 'insertion', scoreBits: 16, maxRow: 4096, lanes: 8, outLanes: 8, k: 64 },
      { mode: 'topk', arch: 'systolic', scoreBits: 16, maxRow: 4096, lanes: 8, outLanes: 8, k: 64 },
      { mode: 'topk', arch: 'radix', scoreBits: 16, maxRow: 4096, lanes: 8, outLanes: 8, k: 64, radixBits: 2 },
    ];
    for (const p of used) expect(selectorLinesEstimate(selectorConfig(p)), JSON.stringify(p)).toBeLessThan(SELECTOR_MAX_LINES / 3);
  });
});
