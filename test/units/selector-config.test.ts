import { describe, expect, it } from 'vitest';
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
