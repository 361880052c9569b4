import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runUnit } from '../../flow/unit-run.ts';
import { parseConfig, ConfigError } from '../../gen/config.ts';
import { selectorUnit } from '../../gen/selector/index.ts';
import { selectorRtl } from '../../gen/selector/rtl.ts';
import type { SelectorConfig } from '../../gen/selector/config.ts';

const parse = (raw: unknown) => parseConfig<SelectorConfig>(selectorUnit, raw, 's.json');
const problems = (raw: unknown): string[] => {
  try {
    parse(raw);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.lines;
    throw e;
  }
};

describe('selector config: fields a mode does not use (issue #13 item 16)', () => {
  it('topk mode accepts a maxRow below the default rowBuckets (the theta table is threshold-only)', () => {
    const cfg = parse({ mode: 'topk', maxRow: 16, k: 3 });
    expect(cfg.rowBuckets).toEqual([16, 32, 64]);
    expect(() => selectorRtl(cfg)).not.toThrow();
    expect(() => selectorRtl(parse({ mode: 'topk', arch: 'radix', maxRow: 16, k: 3 }))).not.toThrow();
  });

  it('threshold mode still checks rowBuckets against maxRow', () => {
    expect(problems({ mode: 'threshold', maxRow: 16, k: 3 })).toEqual([`s.json: field 'rowBuckets': entry 1 (32) exceeds maxRow (16)`, `s.json: field 'rowBuckets': entry 2 (64) exceeds maxRow (16)`]);
    expect(problems({ maxRow: 16, k: 3, rowBuckets: [8, 16] })).toEqual([]);
  });
});

describe('selector: lanes wider than twice maxRow (a valid config that failed to elaborate)', () => {
  const cases = [
    { lanes: 8, maxRow: 3, k: 1, rowBuckets: [2, 3] },
    { lanes: 16, maxRow: 5, k: 2, rowBuckets: [5], capK: 2, capPolicy: 'last' },
    { lanes: 4, maxRow: 1, k: 1, rowBuckets: [1], capK: 1, capPolicy: 'first' },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c)}: elaborates and matches the golden model in Verilator`, async () => {
      const cfg = parse({ scoreBits: 6, outLanes: 2, heads: 1, layers: 1, ...c });
      expect(() => selectorRtl(cfg)).not.toThrow();
      const r = await runUnit(selectorUnit, cfg, selectorUnit.randomStimulus(cfg, 5, 200), { workDir: mkdtempSync(path.join(os.tmpdir(), 'kvhdl-selwide-')), seed: 5, stall: 0.2 });
      expect(r.ok, r.problem).toBe(true);
    }, 300_000);
  }
});
