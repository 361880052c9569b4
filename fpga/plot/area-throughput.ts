/**
 * The area-vs-throughput plot of `kvhdl sweep` and `kvhdl report`: one dot per configuration, area
 * on x, throughput on y, coloured by iCE40 Fmax (grey when there is none), the Pareto front (least
 * area for the throughput) drawn as a line through its larger, outlined dots.
 */
import type { VegaLiteSpec } from './render.ts';
import { paretoFront } from './pareto.ts';

export interface PlotPoint {
  /** Shown in the tooltip and legend-free title of a dot: the unit and/or config. */
  label: string;
  area: number | null;
  throughput: number | null;
  fmaxMHz: number | null;
  /** Config fields (x axes of the effect plots). */
  fields: Record<string, unknown>;
  /** Further numbers (quality metrics) that effect plots may show. */
  extra?: Record<string, number>;
}

export interface AxisTitles {
  area: string;
  throughput: string;
  title: string;
}

export function areaThroughputSpec(points: readonly PlotPoint[], t: AxisTitles): VegaLiteSpec {
  const usable = points.filter((p) => p.area !== null && p.throughput !== null);
  const front = paretoFront(usable, (p) => p.area!, (p) => p.throughput!);
  const values = usable.map((p) => ({ label: p.label, area: p.area, throughput: p.throughput, fmax: p.fmaxMHz, pareto: front.has(p) }));
  const frontValues = values.filter((v) => v.pareto).sort((a, b) => a.area! - b.area!);
  const x = { field: 'area', type: 'quantitative', title: t.area, scale: { zero: false, nice: true } } as const;
  const y = { field: 'throughput', type: 'quantitative', title: t.throughput, scale: { zero: true } } as const;
  const hasFmax = values.some((v) => v.fmax !== null);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: t.title,
    width: 420,
    height: 300,
    background: 'white',
    layer: [
      {
        data: { values: frontValues },
        mark: { type: 'line', color: '#d62728', strokeWidth: 2, interpolate: 'step-after' },
        encoding: { x, y },
      },
      {
        data: { values: values.filter((v) => v.fmax === null) },
        mark: { type: 'circle', size: 70, color: '#9e9e9e', opacity: 0.9 },
        encoding: { x, y, tooltip: [{ field: 'label', type: 'nominal' }] },
      },
      {
        data: { values: values.filter((v) => v.fmax !== null) },
        mark: { type: 'circle', size: 70, opacity: 0.95 },
        encoding: {
          x, y,
          color: hasFmax ? { field: 'fmax', type: 'quantitative', title: 'iCE40 Fmax (MHz)', scale: { scheme: 'viridis' } } : { value: '#1f77b4' },
          tooltip: [{ field: 'label', type: 'nominal' }, { field: 'fmax', type: 'quantitative', title: 'Fmax (MHz)', format: '.1f' }],
        },
      },
      {
        data: { values: frontValues },
        mark: { type: 'point', size: 160, color: '#d62728', strokeWidth: 2, filled: false },
        encoding: { x, y },
      },
    ],
  } as VegaLiteSpec;
}
