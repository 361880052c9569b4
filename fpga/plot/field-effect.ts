/**
 * Per-field effect plot of a sweep: for one config field, every point's value of each metric
 * (area, throughput, Fmax, quality figures) against the field's value, with the mean per value as
 * a line, side by side.
 */
import type { VegaLiteSpec } from './render.ts';
import type { PlotPoint } from './area-throughput.ts';

export interface Metric {
  key: string;
  title: string;
  get: (p: PlotPoint) => number | null;
}

const fieldText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function fieldEffectSpec(points: readonly PlotPoint[], field: string, metrics: readonly Metric[]): VegaLiteSpec {
  const numeric = points.every((p) => typeof p.fields[field] === 'number');
  const panels = metrics
    .map((m) => ({ m, values: points.flatMap((p) => { const y = m.get(p); return y === null ? [] : [{ x: numeric ? p.fields[field] : fieldText(p.fields[field]), y, label: p.label }]; }) }))
    .filter((pnl) => pnl.values.length > 0);
  const x = { field: 'x', type: 'ordinal', title: field, sort: numeric ? 'ascending' : null } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `effect of ${field}`,
    background: 'white',
    hconcat: panels.map(({ m, values }) => ({
      width: 180,
      height: 160,
      data: { values },
      layer: [
        { mark: { type: 'circle', size: 45, opacity: 0.7, color: '#1f77b4' }, encoding: { x, y: { field: 'y', type: 'quantitative', title: m.title }, tooltip: [{ field: 'label', type: 'nominal' }] } },
        { mark: { type: 'line', color: '#ff7f0e', point: true }, encoding: { x, y: { aggregate: 'mean', field: 'y', type: 'quantitative', title: m.title } } },
      ],
    })),
  } as VegaLiteSpec;
}
