// nuq's invariants (gen/nuq/invariants.ts) on a tiny configuration: proved by k-induction; a pipeline
// that advances a beat with outliers while the side FIFO is full (its enable ignores the FIFO's
// ready) is found, and the Verilator replay trips the same assertion (`npm run regress`).
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nuqRtl } from '../../gen/nuq/rtl.ts';
import { nuqSchema } from '../../gen/nuq/config.ts';
import { formalDesign } from '../../formal/design-files.ts';
import { proveDesign } from '../../formal/prove.ts';
import { proveReport } from '../../formal/format.ts';
import { runReplay } from '../../formal/replay.ts';

const top = nuqRtl(nuqSchema.parse({ bits: 1, channels: 1, lanes: 1, sparseDepth: 2, opStages: 0 }));
const work = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-prove-nuq-'));

describe('nuq invariants', () => {
  it('all proved on b 1, D 1, P 1, sparse depth 2, no operator stages', async () => {
    const r = await proveDesign(formalDesign(top), { depth: 8, workDir: work(), only: 'nuq:' });
    expect(r.properties.map((p) => p.message)).toEqual([
      'nuq: lane 0 code <= 2^b - 1 (1): the 1-bit code loses nothing',
      'nuq: outlier FIFO never overflows (a beat with outliers leaves only when the FIFO takes it)',
      'nuq: sparse port sends only outlier lanes of the FIFO head',
      'nuq: sparse port marks nothing sent while the outlier FIFO is empty (no underflow)',
      'nuq: sp valid only with an outlier FIFO entry (no underflow)',
    ]);
    expect(r.properties.every((p) => p.status === 'proved'), proveReport(r)).toBe(true);
  });

  // the counterexample is 14 cycles deep (the side FIFO and its head register fill first): ~30 s of
  // CPU, 2 minutes on a loaded machine, so it runs with `npm run regress`
  if (process.env.KVHDL_REGRESS) it('regress: mutant: the pipeline ignores a full outlier FIFO; found and replayed', async () => {
    const d = formalDesign(top);
    const f = `${top.name}.v`;
    const before = d.files.get(f)!;
    const after = before.replace(/assign en = q_free & \(.*\);/, 'assign en = q_free;');
    expect(after).not.toBe(before);
    d.files.set(f, after);
    const r = await proveDesign(d, { depth: 14, workDir: work(), only: 'nuq: outlier FIFO never overflows' });
    const p = r.properties[0];
    expect(p.status, proveReport(r)).toBe('failed');
    const replay = await runReplay(p.cex!.replayDir);
    expect(replay.failure?.message, replay.output).toBe(p.message);
    expect(replay.failure!.loc).toMatch(/^gen\/nuq\/invariants\.ts:\d+$/);
  }, 600_000);
});
