/** Writes a sweep's outputs through output/ (never over a user's file): sweep.json, sweep.csv, plots/*.svg, sweep.html. */
import * as path from 'node:path';
import { OutputSet } from '../../output/index.ts';
import type { SweepResult } from './run.ts';
import { sweepCsv } from './table.ts';
import { sweepPlots } from './plots.ts';
import { sweepHtml } from './html.ts';

export const SWEEP_OUTPUTS = ['sweep.json', 'sweep.csv', 'sweep.html'];

/** The files of a sweep result, by path relative to the output directory. */
export async function sweepFiles(r: SweepResult): Promise<Map<string, string>> {
  const plots = await sweepPlots(r);
  const files = new Map<string, string>();
  files.set('sweep.json', JSON.stringify(r, null, 2) + '\n');
  files.set('sweep.csv', sweepCsv(r));
  for (const p of plots) files.set(`plots/${p.file}`, p.svg);
  files.set('sweep.html', sweepHtml(r, plots));
  return files;
}

export async function writeSweep(r: SweepResult, outDir: string, o: { command: string; inputs?: Record<string, string> }): Promise<string[]> {
  const files = await sweepFiles(r);
  const out = new OutputSet(outDir, { command: o.command, kind: 'set', inputs: o.inputs });
  const written = [...files].map(([rel, text]) => out.put(rel, text));
  out.commit();
  return written.map((f) => path.relative(process.cwd(), f));
}
