// The early-exit unit's invariant (gen/earlyexit/invariants.ts): a pruned key satisfies the bound.
// No counterexample on the real design; a bound off by one plane weight (the Verilog of the plane-2
// threshold uses 2^1 instead of 2^2) is found and its Verilator replay trips the same assertion.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { earlyexitRtl } from '../../gen/earlyexit/rtl.ts';
import { earlyexitSchema } from '../../gen/earlyexit/config.ts';
import { formalDesign } from '../../formal/design-files.ts';
import { proveDesign } from '../../formal/prove.ts';
import { proveReport } from '../../formal/format.ts';
import { runReplay } from '../../formal/replay.ts';

const PROPERTY = 'earlyexit: a pruned key satisfies';
const top = earlyexitRtl(earlyexitSchema.parse({ dims: 2, queryBits: 3, keyBits: 3, keyLanes: 1, maxKeys: 2 }));
const work = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-prove-ee-'));

describe('earlyexit: pruned keys satisfy the bound', () => {
  it('the real design: no counterexample within 12 cycles', async () => {
    const r = await proveDesign(formalDesign(top), { depth: 12, workDir: work(), only: PROPERTY });
    expect(r.properties.length).toBe(1);
    expect(['proved', 'bounded'], proveReport(r)).toContain(r.properties[0].status);
  });

  it('a bound off by one plane weight is found, and the replay reproduces it', async () => {
    const d = formalDesign(top);
    const f = `${top.name}.v`;
    const before = d.files.get(f)!;
    const after = before.replace(/(assign _thr_2_0 = .*)\{q_plus, 2'd0\}/, "$1{q_plus[3], q_plus, 1'b0}");
    expect(after).not.toBe(before);
    d.files.set(f, after);
    const r = await proveDesign(d, { depth: 12, workDir: work(), only: PROPERTY });
    const p = r.properties[0];
    expect(p.status, proveReport(r)).toBe('failed');
    const replay = await runReplay(p.cex!.replayDir);
    expect(replay.failure?.message, replay.output).toBe(p.message);
    expect(replay.failure!.loc).toMatch(/^gen\/earlyexit\/invariants\.ts:\d+$/);
  });
});
