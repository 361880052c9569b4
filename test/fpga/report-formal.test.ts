// The formal column of kvhdl report: prove per configuration with a time budget, cached by content;
// a budget that runs out is rendered "timed out" with the open properties counted as bounded.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fifoModule, skidBufferModule } from '../../hdl/lib/index.ts';
import { FORMAL_COLUMN, formalCell, proveForReport } from '../../fpga/report-formal.ts';
import { reportMarkdown, type Report } from '../../fpga/report.ts';

describe('kvhdl report: the formal column', () => {
  it('proves a design, caches the summary by content, and a changed design or budget misses the cache', async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-report-formal-'));
    const a = await proveForReport(fifoModule(4, 4), { timeoutMs: 10 * 60_000, depth: 12, cacheDir });
    expect(a).toMatchObject({ bounded: 0, failed: 0, timedOut: false, cached: false, depth: 12 });
    expect(a.proved).toBeGreaterThan(0);
    expect(formalCell(a)).toBe(`${a.proved}/0/0`);
    const again = await proveForReport(fifoModule(4, 4), { timeoutMs: 10 * 60_000, depth: 12, cacheDir });
    expect(again).toEqual({ ...a, cached: true });
    const other = await proveForReport(skidBufferModule(3), { timeoutMs: 10 * 60_000, depth: 12, cacheDir });
    expect(other.cached).toBe(false);
    expect(other.cacheKey).not.toBe(a.cacheKey);
    const budget = await proveForReport(fifoModule(4, 4), { timeoutMs: 1, depth: 12, cacheDir });
    expect(budget).toMatchObject({ proved: 0, bounded: a.proved, failed: 0, timedOut: true, minBound: 0, cached: false });
    expect(formalCell(budget)).toBe(`0/${a.proved}/0 timed out (0 min; BMC ≥ 0 cycles)`);
  });

  it('report.md gets the column only when a row has a formal summary', () => {
    const row = { unit: 'minmax', top: 'kv_minmax_x', config: {}, elementsPerCycle: 1, elementsPerCycleWorst: 1, ii: 1, latency: 3, ice40MElementsPerSecond: null };
    const rep: Report = { generator: 'kvhdl test', tools: { backend: 'native', yosys: 'y', verilator: 'v' }, targets: [], notes: [], rows: [row] };
    expect(reportMarkdown(rep)).not.toContain(FORMAL_COLUMN);
    const formal = { proved: 3, bounded: 6, failed: 0, covers: 1, depth: 20, timedOut: true, timeoutMin: 2, minBound: 7, seconds: 120, cached: false, cacheKey: 'k' };
    const md = reportMarkdown({ ...rep, rows: [{ ...row, formal }] });
    expect(md).toContain(`| ${FORMAL_COLUMN} |`);
    expect(md.split('\n').find((l) => l.startsWith('| minmax |'))).toContain('| 3/6/0 timed out (2 min; BMC ≥ 7 cycles) |');
  });
});
