import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { designFromModule } from '../../hdl/ports/from-module.ts';
import { icarusRun } from '../../cosim/icarus/index.ts';
import { Rng, randomTable } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import { evalExpr } from '../../hdl/core/eval.ts';
import { randomExprDesign } from './random-exprs.ts';
import { verilogProblems } from '../helpers/verilog-checks.ts';

// Random well-typed expressions (every operator, widths 1..150, signed and unsigned, > 64 bits)
// are emitted as Verilog, linted, simulated, and compared with the reference semantics in eval.ts.
describe('emitted Verilog computes what the width/sign rules say', () => {
  const seeds = process.env.KVHDL_REGRESS ? Array.from({ length: 100 }, (_, i) => i + 1) : [1, 2, 3, 4, 5, 6, 7, 8];
  for (const seed of seeds) {
    it(`random expressions, seed ${seed} (Icarus)`, async () => {
      const d = randomExprDesign(seed, 16);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-fuzz-'));
      const dut = designFromModule(d.module, dir);
      expect(await verilogProblems(dut.files, dut.top, { synth: false })).toEqual([]);
      const inSpec = dut.streams.find((s) => s.name === 'in')!;
      const outSpec = dut.streams.find((s) => s.name === 'out')!;
      const stim = randomTable(inSpec.fields, 150, new Rng(seed));
      const res = await icarusRun(dut, { in: stim }, { seed, stall: 0.3, backpressure: 0.3 });
      expect(res.hang).toBeUndefined();
      expect(res.protocolErrors).toEqual([]);
      const got = res.outputs.out;
      expect(got.count).toBe(stim.count);
      const expected = new TxnTable(outSpec.fields, stim.count);
      for (let i = 0; i < stim.count; i++) {
        const env = new Map(d.inputs.map((x) => [`in_${x.name}`, stim.get(i, x.name)]));
        for (const o of d.outputs) expected.set(i, o.name, evalExpr(o.expr, env));
      }
      for (let i = 0; i < stim.count; i++) {
        for (const o of d.outputs) {
          if (got.get(i, o.name) !== expected.get(i, o.name)) {
            throw new Error(`vector ${i}, ${o.name} (${o.expr.type}): expected ${expected.get(i, o.name)}, got ${got.get(i, o.name)}`);
          }
        }
      }
    });
  }
});
