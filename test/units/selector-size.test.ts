/**
 * Issue #13 item 5: the selector's Verilog grows quadratically in lanes/outLanes (the compaction
 * network); the configuration check refuses an estimated size over SELECTOR_MAX_LINES in one line
 * before anything is elaborated, and the estimate follows the emitted line counts.
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
  it('refuses 64/64 (and 56/56, largest insertion/radix) from the config check, before elaboration', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-selsize-'));
    const f = path.join(dir, 's.json');
    writeFileSync(f, JSON.stringify({ lanes: 64, outLanes: 64, maxRow: 64, k: 8 }));
    // loadConfig only validates: the refusal is a ConfigError from the schema, nothing is built
    expect(() => loadConfig(selectorUnit, f)).toThrow(ConfigError);
    expect(problems({ lanes: 64, outLanes: 64, maxRow: 64, k: 8 })).toEqual([
      `s.json: config: lanes 64 and outLanes 64 give an estimated 205,916 lines of Verilog, more than the limit of 120,000 (the compaction network grows as lanes·(lanes + 2·outLanes); gen/selector/README.md "Size"): use fewer lanes or outLanes`,
    ]);
    expect(problems({ lanes: 56, outLanes: 56 })).toHaveLength(1);
    expect(problems({ mode: 'topk', lanes: 64, outLanes: 64, k: 64 })[0]).toMatch(/^s\.json: config: lanes 64 and outLanes 64 with k 64 give an estimated/);
    expect(problems({ mode: 'topk', arch: 'radix', radixBits: 8, lanes: 64, outLanes: 64 })[0]).toMatch(/with radixBits 8 give an estimated/);
    // the previously working boundary stays allowed
    expect(problems({ lanes: 48, outLanes: 48, maxRow: 64, k: 8 })).toEqual([]);
  });

  it('the CLI prints the one line and exits 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-selsize-'));
    const f = path.join(dir, 's.json');
    writeFileSync(f, JSON.stringify({ lanes: 64, outLanes: 64, maxRow: 64, k: 8 }));
    const errs: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void errs.push(a.map(String).join(' '));
    try {
      expect(await main(['gen', 'selector', '--config', f, '--out', path.join(dir, 'o')])).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errs.join('\n').split('\n')).toHaveLength(1);
    expect(errs[0]).toMatch(/^kvhdl gen: .*s\.json: config: lanes 64 and outLanes 64 give an estimated 205,916 lines/);
  });

  it('the estimate follows the emitted line count (within 10% for lanes, outLanes >= 4)', () => {
    const cases: Partial<SelectorConfig>[] = [
      { lanes: 4, outLanes: 4 },
      { lanes: 8, outLanes: 8, maxRow: 256, k: 16, capK: 8 },
      { lanes: 12, outLanes: 4, mode: 'topk', k: 32 },
      { lanes: 4, outLanes: 12, mode: 'topk', arch: 'radix', radixBits: 5 },
      { lanes: 16, outLanes: 16, maxRow: 256, k: 16 },
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
      { mode: 'topk', arch: 'radix', scoreBits: 16, maxRow: 4096, lanes: 8, outLanes: 8, k: 64, radixBits: 2 },
    ];
    for (const p of used) expect(selectorLinesEstimate(selectorConfig(p)), JSON.stringify(p)).toBeLessThan(SELECTOR_MAX_LINES / 10);
  });
});
