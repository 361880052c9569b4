// Formal properties are checked during co-simulation: Verilator builds with -DFORMAL --assert, a
// failing assertion stops the run (status 'assertion') and the report names the message, the
// builder's source line, the cycle and the re-run command with a waveform.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bool, ModuleBuilder, UInt } from '../../hdl/index.ts';
import { connectStream, skidBuffer, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { designFromModule } from '../../hdl/ports/from-module.ts';
import { cosim, formatReport } from '../../cosim/cosim.ts';
import { Rng, randomTable } from '../../data/rng.ts';
import type { TxnTable } from '../../data/transactions.ts';
import { skidDroppingABeat } from '../formal/mutants.ts';

const fields = [{ name: 'data', width: 3, signed: false }];
const identity = (inputs: Record<string, TxnTable>) => ({ out: inputs.in });

describe('assertions in co-simulation', () => {
  it('a skid buffer that drops a beat stops the run at the failing assertion, with its message and source line', async () => {
    const top = skidDroppingABeat(3);
    const dut = designFromModule(top, mkdtempSync(path.join(os.tmpdir(), 'kvhdl-assert-')));
    const r = await cosim(dut, identity, { in: randomTable(fields, 200, new Rng(5)) }, { seed: 5, stall: 0.3, backpressure: 0.5 });
    const text = formatReport(r);
    expect(r.ok).toBe(false);
    expect(r.status, text).toBe('assertion');
    expect(r.assertion!.message).toBe('skid buffer never drops a beat: beats held = accepted - delivered');
    expect(r.assertion!.loc).toMatch(/^hdl\/lib\/skid-invariants\.ts:\d+$/);
    expect(r.assertion!.cycle).toBeGreaterThanOrEqual(0);
    expect(r.assertion!.instance).toMatch(/kv_mut_skid_drop_w3/);
    expect(text).toMatch(/ASSERTION failed at cycle \d+: skid buffer never drops a beat/);
    expect(text).toMatch(/re-run with a waveform: .*--trace/);
  });

  it('the real skid buffer under the same stalls passes with its assertions compiled in', async () => {
    const m = new ModuleBuilder('t_assert_skid');
    const i = streamIn(m, 'in', { data: UInt(3) });
    connectStream(streamOut(m, 'out', { data: UInt(3) }), skidBuffer(m, 'skid', i));
    m.reg('unused_flag', Bool, { reset: 0 }).set(0);
    const top = m.build();
    const dut = designFromModule(top, mkdtempSync(path.join(os.tmpdir(), 'kvhdl-assert-')));
    const r = await cosim(dut, identity, { in: randomTable(fields, 200, new Rng(5)) }, { seed: 5, stall: 0.3, backpressure: 0.5 });
    expect(r.ok, formatReport(r)).toBe(true);
    expect(r.assertion).toBeUndefined();
  });
});
