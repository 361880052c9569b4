// The selector's output invariants (gen/selector/invariants.ts) under its input protocol: a capped
// threshold row never carries more than capK pairs. A cap check off by one (the Verilog of the
// streaming core's keep test compares with capK + 1) emits capK + 1 pairs: prove finds it and the
// Verilator replay trips the same assertion. (Every selector co-simulation checks the invariants too.)
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectorRtl } from '../../gen/selector/rtl.ts';
import { selectorConfig } from '../../gen/selector/config.ts';
import { formalDesign } from '../../formal/design-files.ts';
import { proveDesign } from '../../formal/prove.ts';
import { proveReport } from '../../formal/format.ts';
import { runReplay } from '../../formal/replay.ts';

const top = selectorRtl(selectorConfig({ mode: 'threshold', capK: 2, capPolicy: 'first', k: 1, maxRow: 4, lanes: 1, outLanes: 1, scoreBits: 3, heads: 1, layers: 1, rowBuckets: [4] }));
const work = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-prove-sel-'));
const PROPERTY = 'selector: at most 2 pairs per row';

describe('selector: at most capK pairs per row', () => {
  it('the real design: no counterexample within 12 cycles', async () => {
    const r = await proveDesign(formalDesign(top), { depth: 12, workDir: work(), only: PROPERTY });
    expect(r.properties.length).toBe(1);
    expect(['proved', 'bounded'], proveReport(r)).toContain(r.properties[0].status);
  });

  it('a selector emitting capK + 1 pairs is found, and the replay reproduces it', async () => {
    const d = formalDesign(top);
    const f = `${top.name}.v`;
    const before = d.files.get(f)!;
    const after = before.replace(/(assign th_keep_0 = .*) < 4'd2\)/, "$1 < 4'd3)");
    expect(after).not.toBe(before);
    d.files.set(f, after);
    const r = await proveDesign(d, { depth: 16, workDir: work(), only: PROPERTY });
    const p = r.properties[0];
    expect(p.status, proveReport(r)).toBe('failed');
    const replay = await runReplay(p.cex!.replayDir);
    expect(replay.failure?.message, replay.output).toBe(PROPERTY);
    expect(replay.failure!.loc).toMatch(/^gen\/selector\/invariants\.ts:\d+$/);
  });
});
