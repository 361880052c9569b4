/**
 * Issue #19 item 1: the systolic top-k core. Its tie rule (equal scores never displace, so the lower
 * index stays ahead) is what makes it bit-exact to the golden model: a mutated array whose cells
 * let an equal score displace (>= instead of >) must fail co-simulation on rows with ties, and the
 * correct one must pass the same rows. (The full edge-case and stall runs of the core are in
 * selector-cosim.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runUnit } from '../../flow/unit-run.ts';
import { selectorUnit } from '../../gen/selector/index.ts';
import { selectorConfig } from '../../gen/selector/config.ts';
import { selectorRtl } from '../../gen/selector/rtl.ts';
import { encodeInput, type InItem } from '../../gen/selector/stimulus.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-selsys-'));

describe('systolic top-k core: tie order', () => {
  for (const lanes of [1, 4]) {
    const cfg = selectorConfig({ mode: 'topk', arch: 'systolic', scoreBits: 8, maxRow: 40, lanes, outLanes: 2, k: 5, heads: 1, layers: 1, rowBuckets: [40] });
    const items: InItem[] = [
      { kind: 'row', layer: 0, head: 0, scores: [3, 1, 3, 3, 2, 3, 3, 3, 0, 3] },
      { kind: 'row', layer: 0, head: 0, scores: new Array(17).fill(-4) },
      { kind: 'row', layer: 0, head: 0, scores: [9, 2, 2, 2, 2, 2, 2, 2, 2, 9, 2] },
    ];
    const stim = encodeInput(cfg, items);
    it(`P=${lanes}: the array passes on tie-heavy rows and a >= (ties to the higher index) mutant fails`, async () => {
      const good = await runUnit(selectorUnit, cfg, stim, { workDir: tmp(), seed: 1, stall: 0.2 });
      expect(good.ok, good.problem).toBe(true);
      const mutant = { ...selectorUnit, build: (c: typeof cfg) => selectorRtl(c, { tieMutation: true }) };
      const bad = await runUnit(mutant, cfg, stim, { workDir: tmp(), seed: 1, stall: 0.2 });
      expect(bad.ok).toBe(false);
      expect(bad.problem).toMatch(/out/);
    }, 300_000);
  }
});
