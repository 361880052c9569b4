/**
 * Issue #13 item 5 (configs inside the documented ranges that failed): earlyexit with one key of one
 * bit-plane whose plane spans 2^AW words (maxKeys 1, keyBits 1, C = 2 or 512 words) did not
 * elaborate (the plane step C did not fit the AW-bit address).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runUnit } from '../../flow/unit-run.ts';
import { parseConfig } from '../../gen/config.ts';
import { earlyexitUnit } from '../../gen/earlyexit/index.ts';
import type { EarlyexitConfig } from '../../gen/earlyexit/config.ts';

describe('earlyexit: a single one-plane key whose plane fills the address space', () => {
  for (const raw of [
    { dims: 3, dimsPerCycle: 2, keyBits: 1, keySigned: false, keyLanes: 1, maxKeys: 1, earlyExit: false },
    { dims: 1024, dimsPerCycle: 2, keyBits: 1, keySigned: false, keyLanes: 2, maxKeys: 1, queryBits: 2 },
  ]) {
    it(`${JSON.stringify(raw)}: elaborates and matches the golden model`, async () => {
      const cfg = parseConfig<EarlyexitConfig>(earlyexitUnit, raw);
      expect(() => earlyexitUnit.build(cfg)).not.toThrow();
      const r = await runUnit(earlyexitUnit, cfg, earlyexitUnit.randomStimulus(cfg, 3, 20), { workDir: mkdtempSync(path.join(os.tmpdir(), 'kvhdl-ee-edge-')), seed: 3, stall: 0.2 });
      expect(r.ok, r.problem).toBe(true);
    }, 300_000);
  }
});
