/** The text `kvhdl prove` prints: one line per property and per cover, then a summary. */
import type { ProveResult } from './prove.ts';

export function proveSummary(r: ProveResult): { proved: number; bounded: number; failed: number } {
  const n = (s: string) => r.properties.filter((p) => p.status === s).length;
  return { proved: n('proved'), bounded: n('bounded'), failed: n('failed') };
}

export function proveReport(r: ProveResult): string {
  const out: string[] = [];
  for (const p of r.properties) {
    const what = `${p.kind === 'assume' ? 'assumption of a submodule' : 'assert'} ${p.loc} (${p.module}): ${p.message}`;
    if (p.status === 'proved') out.push(`proved (k=${p.k})  ${what}`);
    else if (p.status === 'bounded') out.push(`bounded (${p.bound} cycles${p.timedOut ? ', timed out' : ''}; ${p.reason})  ${what}`);
    else {
      out.push(`FAILED  ${what}`);
      const c = p.cex!;
      out.push(`  counterexample: ${c.steps} cycles, violated at cycle ${c.cycle} (cycle 0 is the reset cycle); waveform ${c.vcd}`);
      if (c.replay !== undefined) out.push(c.replay ? `  Verilator replay: assertion failed at cycle ${c.replay.cycle}: ${c.replay.message} (${c.replay.loc})` : '  Verilator replay: no assertion failed (the counterexample depends on uninitialised state)');
      if (c.golden) out.push(`  golden model: ${c.golden.status === 'mismatch' ? 'MISMATCH: ' : ''}${c.golden.detail}`);
      out.push(`  replay in Verilator: ${c.command}`);
    }
  }
  for (const c of r.covers) {
    const what = `cover ${c.loc} (${c.module}): ${c.message}`;
    if (c.status === 'reached') out.push(`reached at cycle ${c.cycle}  ${what}`);
    else if (c.status === 'unreachable') out.push(`unreachable (proved)  ${what}`);
    else out.push(c.reason ? `not reached within ${c.bound} cycles (${c.reason})  ${what}` : `unreachable within ${c.bound} cycles  ${what}`);
  }
  const s = proveSummary(r);
  out.push(`${r.top}: ${s.proved} proved, ${s.bounded} bounded, ${s.failed} failed; ${r.covers.length} covers; depth ${r.depth}; ${r.seconds.toFixed(1)} s${r.timedOut ? ` (time budget of ${+r.timeoutMin!.toFixed(2)} min ran out: what it cut is reported bounded or not reached, never proved)` : ''} (${r.engine})`);
  return out.join('\n');
}
