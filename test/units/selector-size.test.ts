/**
 * Issue #13 item 5 / #19 item 2: the selector's output network is O(C log C) (C = lanes + 2·outLanes;
 * it was quadratic); the configuration check refuses an estimated size over SELECTOR_MAX_LINES in one
 * line before anything is elaborated (now only the largest top-k arrays at 64/64 lanes), and the
 * estimate follows the emitted line counts.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../gen/config.ts';
import { selectorUnit } from '../../gen/selector/index.ts';
import { selectorConfig, type SelectorConfig } from '../../gen/selector/config.ts';
import { selectorRtl } from '../../gen/selector/rtl.ts';
import { SELECTOR_MAX_LINES, selectorLinesEstimate } from '../../gen/selector/size.ts';
import { emitModule } from '../../hdl/index.ts';
import { main } from '../../cli/main.ts';

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
  it('refuses the largest top-k arrays at 64/64 lanes from the config check, before elaboration', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-selsize-'));
    const f = path.join(dir, 's.json');
    const big = { mode: 'topk', arch: 'systolic', lanes: 64, outLanes: 64, maxRow: 256, k: 256 };
    writeFileSync(f, JSON.stringify(big));
    // loadConfig only validates: the refusal is a ConfigError from the schema, nothing is built
    expect(() => loadConfig(selectorUnit, f)).toThrow(ConfigError);
    expect(problems(big)).toEqual([
      `s.json: config: lanes 64 and outLanes 64 with k 256 give an estimated 40,124 lines of Verilog, more than the limit of 30,000 (the output network grows as C·log2 C with C = lanes + 2·outLanes, the top-k arrays as k; gen/selector/README.md "Size"): use fewer lanes, outLanes or a smaller k/radixBits`,
    ]);
    expect(problems({ mode: 'topk', lanes: 64, outLanes: 64, maxRow: 256, k: 128 })[0]).toMatch(/^s\.json: config: lanes 64 and outLanes 64 with k 128 give an estimated/);
    expect(problems({ mode: 'topk', arch: 'radix', radixBits: 8, lanes: 64, outLanes: 64 })[0]).toMatch(/with radixBits 8 give an estimated/);
    // the widest threshold unit (refused while the network was quadratic) is now accepted
    expect(problems({ lanes: 64, outLanes: 64, maxRow: 64, k: 8 })).toEqual([]);
    expect(problems({ mode: 'topk', arch: 'systolic', lanes: 64, outLanes: 64, maxRow: 256, k: 32 })).toEqual([]);
  });

  it('the CLI prints the one line and exits 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-selsize-'));
    const f = path.join(dir, 's.json');
    writeFileSync(f, JSON.stringify({ mode: 'topk', arch: 'systolic', lanes: 64, outLanes: 64, maxRow: 256, k: 256 }));
    const errs: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void errs.push(a.map(String).join(' '));
    try {
      expect(await main(['gen', 'selector', '--config', f, '--out', path.join(dir, 'o')])).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errs.join('\n').split('\n')).toHaveLength(1);
    expect(errs[0]).toMatch(/^kvhdl gen: .*s\.json: config: lanes 64 and outLanes 64 with k 256 give an estimated 40,124 lines/);
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
    for (const p of used) expect(selectorLinesEstimate(selectorConfig(p)), JSON.stringify(p)).toBeLessThan(SELECTOR_MAX_LINES / 4);
  });
});
