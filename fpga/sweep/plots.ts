/** The SVG plots of a sweep: area vs throughput (Pareto front, Fmax colour) and one effect plot per varied field. */
import { areaThroughputSpec, type PlotPoint } from '../plot/area-throughput.ts';
import { fieldEffectSpec, type Metric } from '../plot/field-effect.ts';
import { renderSvg } from '../plot/render.ts';
import type { PointResult } from './point.ts';
import type { SweepResult } from './run.ts';

export interface Plot {
  /** File name under plots/. */
  file: string;
  title: string;
  svg: string;
}

/** Area: xc7 LUTs when synthesized for xc7, else iCE40 LUT4s. */
function areaOf(r: Pick<SweepResult, 'targets'>): { title: string; get: (p: PointResult) => number | null } {
  if (r.targets.includes('xc7')) return { title: 'xc7 LUTs', get: (p) => p.xc7?.lut ?? null };
  if (r.targets.includes('ice40')) return { title: 'iCE40 LUT4s', get: (p) => p.ice40?.lut4 ?? null };
  return { title: 'area (not synthesized)', get: () => null };
}

export function plotPoints(r: Pick<SweepResult, 'points' | 'targets' | 'varied' | 'unit'>): PlotPoint[] {
  const area = areaOf(r);
  return r.points.map((p) => ({
    label: `#${p.index} ${r.varied.map((k) => `${k}=${JSON.stringify(p.config[k])}`).join(' ') || r.unit}`,
    area: area.get(p),
    throughput: p.elementsPerCycle,
    fmaxMHz: p.ice40?.fmaxMHz ?? null,
    fields: p.config,
    extra: p.quality,
  }));
}

export async function sweepPlots(r: SweepResult): Promise<Plot[]> {
  const pts = plotPoints(r);
  const area = areaOf(r);
  const plots: Plot[] = [];
  const title = `${r.unit}: area vs throughput (${r.points.length} points; red: Pareto front)`;
  plots.push({ file: 'area-throughput.svg', title, svg: await renderSvg(areaThroughputSpec(pts, { area: area.title, throughput: 'input elements / cycle', title })) });
  const metrics: Metric[] = [
    { key: 'area', title: area.title, get: (p) => p.area },
    { key: 'throughput', title: 'elements / cycle', get: (p) => p.throughput },
    { key: 'fmax', title: 'iCE40 Fmax (MHz)', get: (p) => p.fmaxMHz },
  ];
  const quality = [...new Set(r.points.flatMap((p) => Object.keys(p.quality)))].sort().slice(0, 3);
  for (const q of quality) metrics.push({ key: q, title: q, get: (p) => p.extra?.[q] ?? null });
  for (const field of r.varied) {
    plots.push({ file: `effect-${field}.svg`, title: `effect of ${field}`, svg: await renderSvg(fieldEffectSpec(pts, field, metrics)) });
  }
  return plots;
}
