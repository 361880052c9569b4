/** Text renderings of synthesis results (the `kvhdl synth` table, report cells). */
import type { SynthResult } from './synth.ts';

export function fmaxText(r: SynthResult): string {
  if (r.target === 'xc7') return 'n/a (no open-source P&R)';
  if (!r.fits || r.fmaxMHz === null) return 'does not fit iCE40';
  return `${r.fmaxMHz.toFixed(1)} MHz (${r.device!.name} ${r.device!.package})`;
}

/** Rows of [target, LUT, FF, carry, MUXF7/8, DSP, BRAM, LUT levels, Fmax]. */
export function synthTable(results: readonly SynthResult[]): string {
  const head = ['target', 'LUT', 'FF', 'carry', 'MUXF7/F8', 'DSP', 'BRAM', 'LUT levels', 'Fmax'];
  const rows = results.map((r) =>
    r.target === 'xc7'
      ? ['xc7', r.resources.lut, r.resources.ff, r.resources.carry4, `${r.resources.muxf7}/${r.resources.muxf8}`, r.resources.dsp48e1,
        `${r.resources.ramb18e1}x18K ${r.resources.ramb36e1}x36K`, r.logicDepth, fmaxText(r)]
      : ['ice40', r.resources.lut4, r.resources.ff, r.resources.carry, '-', r.resources.mac16, `${r.resources.ram40_4k}x4K`, r.logicDepth, fmaxText(r)],
  ).map((row) => row.map(String));
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

/**
 * The deepest LUT path of a result, e.g. `xc7: deepest path, 9 LUT levels: a_r -> 3 -> add_d -> 5 -> y_r`:
 * the design's signal names Yosys kept along it, the numbers counting LUT levels between them.
 */
export function levelPathText(r: SynthResult): string | null {
  const p = r.levelPath ?? [];
  if (p.length < 2) return null;
  const base = (n: string) => n.replace(/\[\d+\]$/, '');
  const steps: string[] = [p[0] ?? '?'];
  let unnamed = 0;
  for (const n of p.slice(1, -1)) {
    if (n === null || base(n) === base(steps[steps.length - 1])) unnamed++;
    else {
      steps.push(String(unnamed + 1), n);
      unnamed = 0;
    }
  }
  if (unnamed) steps.push(String(unnamed));
  steps.push(p[p.length - 1] ?? '?');
  return `${r.target}: deepest path, ${r.logicDepth} LUT levels: ${steps.join(' -> ')}`;
}
