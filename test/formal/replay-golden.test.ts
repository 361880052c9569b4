// Counterexample replays against the golden model (formal/replay-golden.ts): the transfers a replay
// saw are compared with the unit's golden model; a memory unit or an incomplete stimulus is said to
// be "not compared" (protocol-only), never reported as a match.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findUnit } from '../../gen/registry.ts';
import { parseConfig } from '../../gen/config.ts';
import { compareWithGolden } from '../../formal/replay-golden.ts';
import { formalDesign } from '../../formal/design-files.ts';
import { proveDesign } from '../../formal/prove.ts';
import { proveReport } from '../../formal/format.ts';
import { parseTxns } from '../../formal/replay.ts';

const minmax = findUnit('minmax')!;
const mmCfg = parseConfig<Record<string, unknown>>(minmax, { lanes: 1, width: 4, stages: 0 });
const mmTop = minmax.build(mmCfg);
// two groups: {3, -2} and {5}; 4-bit lanes (patterns), last on the group's final beat
const beats = [[3n, 0n], [0xen, 1n], [5n, 1n]];

describe('replay vs golden model', () => {
  it('minmax: the golden outputs match; a wrong value or an extra output is a mismatch', () => {
    const ok = compareWithGolden(minmax, mmCfg, mmTop, { in: beats, out: [[0xen, 3n], [5n, 5n]] });
    expect(ok.status, ok.detail).toBe('match');
    expect(ok.detail).toMatch(/3 input transfers \(out 2 of 2 output transactions compared\)/);
    // a prefix (the trace ended with a group in flight) still matches
    expect(compareWithGolden(minmax, mmCfg, mmTop, { in: beats, out: [[0xen, 3n]] }).status).toBe('match');
    const bad = compareWithGolden(minmax, mmCfg, mmTop, { in: beats, out: [[0xen, 3n], [5n, 4n]] });
    expect(bad).toEqual({ status: 'mismatch', detail: "'out' transaction 1, field 'max': expected 5, got 4" });
    const extra = compareWithGolden(minmax, mmCfg, mmTop, { in: beats, out: [[0xen, 3n], [5n, 5n], [0n, 0n]] });
    expect(extra.status).toBe('mismatch');
  });

  it('a unit with a memory port is not compared, and says why', () => {
    const ee = findUnit('earlyexit')!;
    const cfg = parseConfig<Record<string, unknown>>(ee, { dims: 2, queryBits: 3, keyBits: 3, keyLanes: 1, maxKeys: 2 });
    const r = compareWithGolden(ee, cfg, ee.build(cfg), {});
    expect(r.status).toBe('not-compared');
    expect(r.detail).toMatch(/reads memory .* protocol\/invariant violation only/);
  });

  it('the replay testbench logs every transfer; a payload-changing minmax mutant replays without a false mismatch', async () => {
    expect(parseTxns('kvhdl replay: txn in 3 e 1\nother\nkvhdl replay: txn out 5 x3 0a\n')).toEqual({ in: [[0xen, 1n]], out: [[3n, 0xan]] });
    const d = formalDesign(mmTop);
    const f = `${mmTop.name}.v`;
    const before = d.files.get(f)!;
    // the output min changes while out is valid and not ready (correct whenever it transfers)
    const after = before.replace('assign out_min = res_min;', 'assign out_min = out_ready ? res_min : ~res_min;');
    expect(after).not.toBe(before);
    d.files.set(f, after);
    const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-replay-golden-'));
    const r = await proveDesign(d, { depth: 8, workDir: work, replay: true, only: "'out_min' stable", golden: { unit: minmax, config: mmCfg } });
    const p = r.properties[0];
    expect(p.status, proveReport(r)).toBe('failed');
    expect(p.cex!.replay?.message).toBe(p.message);
    expect(p.cex!.golden, proveReport(r)).toBeDefined();
    expect(['match', 'not-compared']).toContain(p.cex!.golden!.status);
    expect(proveReport(r)).toMatch(/golden model: /);
  }, 120_000);
});
