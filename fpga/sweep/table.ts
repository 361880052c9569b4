/** The columns of a sweep's table (sweep.csv and the HTML table): config fields, resources, speed, quality. */
import type { PointResult } from './point.ts';
import type { SweepResult } from './run.ts';

export interface Column {
  header: string;
  /** Right-aligned and sorted numerically in the HTML table. */
  numeric: boolean;
  get: (p: PointResult) => string | number | boolean | null;
}

const cfgText = (v: unknown) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v));
const round = (v: number | null, digits: number) => (v === null ? null : Number(v.toFixed(digits)));

export function sweepColumns(r: Pick<SweepResult, 'points' | 'targets'>): Column[] {
  const first = r.points[0];
  const fields = first ? Object.keys(first.config) : [];
  const cols: Column[] = [
    { header: 'index', numeric: true, get: (p) => p.index },
    ...fields.map((f): Column => ({ header: f, numeric: typeof first!.config[f] === 'number', get: (p) => cfgText(p.config[f]) })),
    { header: 'top', numeric: false, get: (p) => p.top },
  ];
  if (r.targets.includes('xc7')) {
    cols.push(
      { header: 'xc7_lut', numeric: true, get: (p) => p.xc7?.lut ?? null },
      { header: 'xc7_ff', numeric: true, get: (p) => p.xc7?.ff ?? null },
      { header: 'xc7_carry4', numeric: true, get: (p) => p.xc7?.carry4 ?? null },
      { header: 'xc7_dsp48e1', numeric: true, get: (p) => p.xc7?.dsp48e1 ?? null },
      { header: 'xc7_ramb18e1', numeric: true, get: (p) => p.xc7?.ramb18e1 ?? null },
      { header: 'xc7_ramb36e1', numeric: true, get: (p) => p.xc7?.ramb36e1 ?? null },
      { header: 'xc7_lut_levels', numeric: true, get: (p) => p.xc7?.lutLevels ?? null },
    );
  }
  if (r.targets.includes('ice40')) {
    cols.push(
      { header: 'ice40_lut4', numeric: true, get: (p) => p.ice40?.lut4 ?? null },
      { header: 'ice40_ff', numeric: true, get: (p) => p.ice40?.ff ?? null },
      { header: 'ice40_bram', numeric: true, get: (p) => p.ice40?.ram40_4k ?? null },
      { header: 'ice40_lut_levels', numeric: true, get: (p) => p.ice40?.lutLevels ?? null },
      { header: 'ice40_fmax_mhz', numeric: true, get: (p) => round(p.ice40?.fmaxMHz ?? null, 2) },
      { header: 'ice40_device', numeric: false, get: (p) => (p.ice40 ? (p.ice40.device ?? 'does not fit') : null) },
    );
  }
  cols.push(
    { header: 'elements_per_cycle', numeric: true, get: (p) => round(p.elementsPerCycle, 4) },
    { header: 'ii', numeric: true, get: (p) => round(p.ii, 4) },
    { header: 'latency_cycles', numeric: true, get: (p) => p.latency },
  );
  if (r.targets.includes('ice40')) cols.push({ header: 'ice40_melem_per_s', numeric: true, get: (p) => round(p.ice40MElementsPerSecond, 2) });
  const quality = [...new Set(r.points.flatMap((p) => Object.keys(p.quality)))].sort();
  for (const q of quality) cols.push({ header: `quality_${q}`, numeric: true, get: (p) => p.quality[q] ?? null });
  if (r.points.some((p) => p.problems?.length)) cols.push({ header: 'problems', numeric: false, get: (p) => (p.problems ?? []).join('; ') || null });
  return cols;
}

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** sweep.csv: a header line, then one line per point in grid order (no timing or cache columns, so equal sweeps give equal files). */
export function sweepCsv(r: Pick<SweepResult, 'points' | 'targets'>): string {
  const cols = sweepColumns(r);
  return [cols.map((c) => csvCell(c.header)), ...r.points.map((p) => cols.map((c) => csvCell(c.get(p))))].map((l) => l.join(',')).join('\n') + '\n';
}
