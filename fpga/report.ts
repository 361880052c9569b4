/**
 * `kvhdl report`: every unit x each of its reference configurations: resources (xc7, ice40), LUT
 * levels, iCE40 Fmax, throughput (elements/cycle from a no-stall Verilator run) and latency.
 * Writes report.md (a Markdown table for papers), report.json and area-throughput.svg (the plot code of
 * `kvhdl sweep`: fpga/plot/).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { OutputSet } from '../output/index.ts';
import os from 'node:os';
import * as path from 'node:path';
import type { AnyUnit } from '../gen/unit.ts';
import { parseConfig } from '../gen/config.ts';
import { generatorName } from '../gen/generate.ts';
import { runUnit } from '../flow/unit-run.ts';
import { toolVersion } from '../toolchain/tools.ts';
import { synthUnit, type Ice40SynthResult, type SynthTarget, type Xc7SynthResult } from './synth.ts';
import { defaultBackend, edaVersion } from './eda.ts';
import { fmaxText } from './format.ts';
import { ice40SkipReason } from './ice40-precheck.ts';
import { areaThroughputSpec, type PlotPoint } from './plot/area-throughput.ts';
import { renderSvg } from './plot/render.ts';
import { FORMAL_COLUMN, formalCell, formalNote, proveForReport, type FormalSummary, type ProveColumnOptions } from './report-formal.ts';

export interface ReportOptions {
  units: readonly AnyUnit[];
  /** Configurations per unit name (default: each unit's referenceConfigs). */
  configs?: Record<string, Record<string, unknown>[]>;
  targets: readonly SynthTarget[];
  outDir: string;
  /** Input transactions of the throughput simulation (default 256). */
  simTransactions?: number;
  log?: (line: string) => void;
  cacheDir?: string;
  /** Time limit of each synthesis tool run (default: the EDA runner's, 15 minutes). */
  synthTimeoutMs?: number;
  /** Run `kvhdl prove` per configuration with this budget (the formal column, fpga/report-formal.ts); off when absent. */
  prove?: Omit<ProveColumnOptions, 'log' | 'cacheDir'>;
}

export interface ReportRow {
  unit: string;
  top: string;
  config: Record<string, unknown>;
  xc7?: Xc7SynthResult;
  ice40?: Ice40SynthResult;
  /** Input elements per clock cycle with no stalls: elementsPerBeat / II. */
  elementsPerCycle: number | null;
  /** The same on the unit's worst-case stimulus (`unit.worstStimulus`); null when the unit has none. */
  elementsPerCycleWorst: number | null;
  ii: number | null;
  /** Cycles from the first accepted input to the first output transaction. */
  latency: number | null;
  /** elementsPerCycle x iCE40 Fmax, in millions of elements per second. */
  ice40MElementsPerSecond: number | null;
  /** Listed but not synthesized or simulated (the unit's `reportNotRun`): why. */
  notRun?: string;
  /** Targets whose synthesis failed (e.g. a tool timeout), with the tool's one-line message: the row stays. */
  synthFailed?: Partial<Record<SynthTarget, string>>;
  /** iCE40 synthesis not run because the xc7 result shows no iCE40 can take the design: why. */
  ice40Skipped?: string;
  /** `kvhdl prove` summary (when the report ran prove). */
  formal?: FormalSummary;
}

export interface Report {
  generator: string;
  tools: Record<string, string>;
  targets: SynthTarget[];
  rows: ReportRow[];
  notes: string[];
}

/** `$KVHDL_REPORT_CONFIGS`: JSON `{ "<unit>": [config, ...] }` limiting the report (for tests and quick runs). */
export function configsFromEnv(): Record<string, Record<string, unknown>[]> | undefined {
  const v = process.env.KVHDL_REPORT_CONFIGS;
  if (!v) return undefined;
  const parsed = JSON.parse(v) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('KVHDL_REPORT_CONFIGS must be a JSON object {"<unit>": [config, ...]}');
  return parsed as Record<string, Record<string, unknown>[]>;
}

export async function buildReport(o: ReportOptions): Promise<Report> {
  const log = o.log ?? (() => {});
  const backend = defaultBackend();
  const tools: Record<string, string> = { backend, yosys: await edaVersion('yosys', backend) };
  if (o.targets.includes('ice40')) tools.nextpnr = await edaVersion('nextpnr-ice40', backend);
  tools.verilator = await toolVersion('verilator');
  const rows: ReportRow[] = [];
  const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-report-'));
  try {
    for (const unit of o.units) {
      const list = o.configs ? o.configs[unit.name] ?? [] : unit.referenceConfigs;
      for (const [k, raw] of list.entries()) {
        const config = parseConfig<Record<string, unknown>>(unit, raw, `${unit.name} config ${k}`);
        const top = unit.build(config).name;
        log(`${unit.name} ${JSON.stringify(config)}: ${top}`);
        const row: ReportRow = { unit: unit.name, top, config, elementsPerCycle: null, elementsPerCycleWorst: null, ii: null, latency: null, ice40MElementsPerSecond: null };
        // xc7 first: its flip-flop count can show that no iCE40 can take the design (ice40-precheck.ts)
        for (const target of [...o.targets].sort((a, b) => Number(a === 'ice40') - Number(b === 'ice40'))) {
          const skip = target === 'ice40' ? ice40SkipReason(row.xc7) : undefined;
          if (skip) {
            log(`ice40: ${top}: ${skip}`);
            row.ice40Skipped = skip;
            continue;
          }
          try {
            const r = await synthUnit(unit, config, { target, log, backend, cacheDir: o.cacheDir, timeoutMs: o.synthTimeoutMs });
            if (r.target === 'xc7') row.xc7 = r;
            else row.ice40 = r;
          } catch (e) {
            // a tool failure or timeout is reported in the row (not cached: the next report retries)
            const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
            log(`${target}: ${top}: failed: ${msg}`);
            row.synthFailed = { ...row.synthFailed, [target]: msg };
          }
        }
        if (o.prove) row.formal = await proveForReport(unit.build(config), { ...o.prove, cacheDir: o.cacheDir, log });
        log(`${unit.name}: throughput run (Verilator, no stalls)`);
        const n = o.simTransactions ?? 256;
        const sim = await runUnit(unit, config, unit.randomStimulus(config, 1, n), {
          workDir: path.join(work, `${unit.name}-${k}`), stall: 0, seed: 1, cacheDir: o.cacheDir,
        });
        if (!sim.ok) throw new Error(`${unit.name} ${JSON.stringify(config)}: co-simulation failed:\n${sim.problem}`);
        row.ii = sim.ii;
        row.latency = sim.latency;
        row.elementsPerCycle = sim.ii ? unit.elementsPerBeat(config) / sim.ii : null;
        if (row.elementsPerCycle !== null && row.ice40?.fmaxMHz != null) row.ice40MElementsPerSecond = row.elementsPerCycle * row.ice40.fmaxMHz;
        if (unit.worstStimulus) {
          log(`${unit.name}: worst-case throughput run (Verilator, no stalls)`);
          const w = await runUnit(unit, config, unit.worstStimulus(config, 1, n), {
            workDir: path.join(work, `${unit.name}-${k}-worst`), stall: 0, seed: 1, cacheDir: o.cacheDir,
          });
          if (!w.ok) throw new Error(`${unit.name} ${JSON.stringify(config)}: co-simulation of the worst-case stimulus failed:\n${w.problem}`);
          row.elementsPerCycleWorst = w.ii ? unit.elementsPerBeat(config) / w.ii : null;
        }
        rows.push(row);
      }
      // Configurations the unit lists without a run (too large for the tools here), unless the
      // caller chose the configurations.
      if (!o.configs) {
        for (const [k, nr] of (unit.reportNotRun ?? []).entries()) {
          const config = parseConfig<Record<string, unknown>>(unit, nr.config, `${unit.name} not-run config ${k}`);
          const top = unit.build(config).name;
          log(`${unit.name} ${JSON.stringify(config)}: ${top}: ${nr.reason}`);
          rows.push({ unit: unit.name, top, config, elementsPerCycle: null, elementsPerCycleWorst: null, ii: null, latency: null, ice40MElementsPerSecond: null, notRun: nr.reason });
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const notes = [
    'Resources: Yosys stat -json cell counts. xc7: synth_xilinx -family xc7 -flatten, out of context (no I/O or clock buffers); no Fmax because there is no open-source 7-series place and route. ice40: synth_ice40 of the unit alone.',
    'LUT levels: the most LUT cells on a register-to-register path of the mapped netlist (carry and MUXF cells add no level).',
    'iCE40 Fmax: nextpnr-ice40 on the unit inside a pin wrapper (serial shift register feeding every input, registered XOR tree folding every output), on the smallest device that takes it (up5k sg48, else hx8k ct256); the wrapper adds one flip-flop per input bit and a few LUTs.',
    'Throughput: input elements per clock cycle in a Verilator run (seeded random stimulus, seed 1) without stalls or backpressure; latency: cycles from the first accepted input to the first output transaction of that run (for units that answer once per group this includes the length of the first group).',
    'Worst case: the same on the unit\'s worst-case stimulus (its `worstStimulus`: the input with the lowest throughput; a unit whose II does not depend on the data uses its random stimulus); – where a unit defines none. LUT per element/cycle: xc7 LUTs divided by elements/cycle.',
    'area-throughput.svg: every row as a dot, area (xc7 LUTs, else iCE40 LUT4s) against input elements per cycle, coloured by iCE40 Fmax, with the Pareto front in red (the plot of kvhdl sweep).',
  ];
  if (o.prove) notes.push(formalNote(o.prove.timeoutMs / 60_000, o.prove.depth ?? 20));
  return { generator: generatorName, tools, targets: [...o.targets], rows, notes };
}

const num = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '–' : digits ? v.toFixed(digits) : String(v));

export function reportMarkdown(rep: Report): string {
  const versions = [rep.tools.yosys, rep.tools.nextpnr, rep.tools.verilator].filter(Boolean).join(', ');
  const cols: [string, (r: ReportRow) => string][] = [
    ['unit', (r) => r.unit],
    ['config', (r) => Object.entries(r.config).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')],
  ];
  if (rep.targets.includes('xc7')) {
    cols.push(
      ['xc7 LUT', (r) => (r.notRun ? 'not run (note)' : r.synthFailed?.xc7 ? 'failed (note)' : num(r.xc7?.resources.lut))],
      ['xc7 FF', (r) => num(r.xc7?.resources.ff)],
      ['xc7 CARRY4', (r) => num(r.xc7?.resources.carry4)],
      ['xc7 MUXF7/F8', (r) => (r.xc7 ? `${r.xc7.resources.muxf7}/${r.xc7.resources.muxf8}` : '–')],
      ['xc7 DSP48E1', (r) => num(r.xc7?.resources.dsp48e1)],
      ['xc7 RAMB18/36', (r) => (r.xc7 ? `${r.xc7.resources.ramb18e1}/${r.xc7.resources.ramb36e1}` : '–')],
      ['xc7 LUT levels', (r) => num(r.xc7?.logicDepth)],
    );
  }
  if (rep.targets.includes('ice40')) {
    cols.push(
      ['ice40 LUT4', (r) => num(r.ice40?.resources.lut4)],
      ['ice40 FF', (r) => num(r.ice40?.resources.ff)],
      ['ice40 carry', (r) => num(r.ice40?.resources.carry)],
      ['ice40 BRAM', (r) => num(r.ice40?.resources.ram40_4k)],
      ['ice40 LUT levels', (r) => num(r.ice40?.logicDepth)],
      ['ice40 Fmax (MHz)', (r) => (r.notRun ? 'not run (note)' : r.synthFailed?.ice40 ? 'failed (note)' : r.ice40Skipped ? 'does not fit (note)' : !r.ice40 ? '–' : r.ice40.fits && r.ice40.fmaxMHz !== null ? r.ice40.fmaxMHz.toFixed(1) : 'does not fit')],
      ['ice40 device', (r) => (r.ice40?.device ? r.ice40.device.name : '–')],
    );
  }
  cols.push(
    ['elements/cycle', (r) => num(r.elementsPerCycle, 2)],
    ['elements/cycle worst case', (r) => num(r.elementsPerCycleWorst, 2)],
    ['latency (cycles)', (r) => num(r.latency)],
  );
  if (rep.targets.includes('xc7')) {
    const per = (r: ReportRow, e: number | null) => (r.xc7 && e ? num(r.xc7.resources.lut / e, 1) : '–');
    cols.push(['xc7 LUT per element/cycle', (r) => per(r, r.elementsPerCycle)], ['xc7 LUT per element/cycle, worst case', (r) => per(r, r.elementsPerCycleWorst)]);
  }
  if (rep.targets.includes('ice40')) cols.push(['ice40 Melem/s', (r) => num(r.ice40MElementsPerSecond, 1)]);
  if (rep.rows.some((r) => r.formal)) cols.push([FORMAL_COLUMN, (r) => formalCell(r.formal)]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '# kvhdl resource and throughput report',
    '',
    `Generated by ${rep.generator} (\`kvhdl report\`) with ${versions} (EDA back end: ${rep.tools.backend}). Regenerate, do not edit.`,
    '',
    line(cols.map(([h]) => h)),
    line(cols.map(([h]) => (h === 'unit' || h === 'config' || h === 'ice40 device' ? '---' : '---:'))),
    ...rep.rows.map((r) => line(cols.map(([, f]) => f(r)))),
    '',
    ...rep.notes.map((n) => `- ${n}`),
    ...rep.rows.flatMap((r) => (r.ice40 && !r.ice40.fits ? [`- ${r.unit} ${r.top}: ${fmaxText(r.ice40)}: ${r.ice40.notes.at(-1)}`] : [])),
    ...rep.rows.flatMap((r) => (r.notRun ? [`- ${r.unit} ${r.top}: ${r.notRun}`] : [])),
    ...rep.rows.flatMap((r) => (r.ice40Skipped ? [`- ${r.unit} ${r.top}: ${r.ice40Skipped}`] : [])),
    ...rep.rows.flatMap((r) => Object.entries(r.synthFailed ?? {}).map(([t, m]) => `- ${r.unit} ${r.top}: ${t} synthesis failed: ${m}`)),
    '',
  ].join('\n');
}

/** Builds the report and writes `<outDir>/report.md`, `report.json` and `area-throughput.svg`. */
export async function writeReport(o: ReportOptions): Promise<{ report: Report; md: string; json: string; svg: string }> {
  const report = await buildReport(o);
  const out = new OutputSet(o.outDir, { command: 'kvhdl report', kind: 'set' });
  const md = out.put('report.md', reportMarkdown(report));
  const json = out.put('report.json', JSON.stringify(report, null, 2) + '\n');
  const svg = out.put(REPORT_PLOT, await reportPlotSvg(report));
  out.commit();
  return { report, md, json, svg };
}

export const REPORT_PLOT = 'area-throughput.svg';

/** The report's rows as plot points (area: xc7 LUTs when synthesized for xc7, else iCE40 LUT4s). */
export function reportPlotPoints(rep: Report): PlotPoint[] {
  const xc7 = rep.targets.includes('xc7');
  return rep.rows.map((r) => ({
    label: `${r.unit} ${Object.entries(r.config).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`,
    area: xc7 ? (r.xc7?.resources.lut ?? null) : (r.ice40?.resources.lut4 ?? null),
    throughput: r.elementsPerCycle,
    fmaxMHz: r.ice40?.fits ? r.ice40.fmaxMHz : null,
    fields: { unit: r.unit, ...r.config },
  }));
}

export function reportPlotSvg(rep: Report): Promise<string> {
  const xc7 = rep.targets.includes('xc7');
  return renderSvg(areaThroughputSpec(reportPlotPoints(rep), { area: xc7 ? 'xc7 LUTs' : 'iCE40 LUT4s', throughput: 'input elements / cycle', title: `kvhdl report: area vs throughput (${rep.rows.length} configurations; red: Pareto front)` }));
}
