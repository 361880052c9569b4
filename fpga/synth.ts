/**
 * Resource and timing estimates for a unit configuration (see fpga/README.md):
 * - `xc7`: Yosys `synth_xilinx -family xc7 -flatten` (out of context): LUTs, flip-flops, CARRY4,
 *   MUXF7/8, DSP48E1, block RAM and LUT levels; no Fmax (no open-source 7-series place and route).
 * - `ice40`: Yosys `synth_ice40` (counts and LUT levels of the unit alone) and nextpnr-ice40 on the
 *   unit inside a pin wrapper (Fmax of `clock` on the smallest iCE40 that takes it).
 * All numbers come from one back end (`yowasp`, the pinned npm WebAssembly builds, by default) and
 * are cached by content hash.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { emitDesign, type Module } from '../hdl/index.ts';
import type { AnyUnit } from '../gen/unit.ts';
import { parseConfig } from '../gen/config.ts';
import { defaultBackend, edaVersion, type EdaBackend } from './eda.ts';
import { runXc7, type Xc7Resources } from './synth-xc7.ts';
import { ICE40_TARGET_MHZ, NEXTPNR_SEED, runIce40, type Ice40DeviceName, type Ice40Resources, type PnrResult } from './synth-ice40.ts';
import { pinWrapper } from './pin-wrapper.ts';
import { readSynthCache, synthCacheDirs, synthCacheKey, writeSynthCache } from './synth-cache.ts';
import type { LogicDepth } from './logic-depth.ts';

export type SynthTarget = 'xc7' | 'ice40';
export const SYNTH_TARGETS: readonly SynthTarget[] = ['xc7', 'ice40'];

/** Bump when a script, a count rule or the result format changes (invalidates the cache). */
export const SYNTH_FLOW_VERSION = 3;

/** The note for structural loops cut in the level count (fpga/logic-depth.ts). */
function loopNote(loopsCut: number | undefined): string[] {
  return loopsCut ? [`LUT levels: ${loopsCut} structural loop arc(s) through carry/mux cells of the mapped netlist were cut, as static timing does (logic shared by ABC, not a functional loop)`] : [];
}

export interface SynthOptions {
  target: SynthTarget;
  /** Progress lines (each step takes seconds). */
  log?: (line: string) => void;
  /** Default `$KVHDL_EDA_BACKEND`, else `yowasp`. */
  backend?: EdaBackend;
  /** iCE40 device: `auto` (default) takes the first of up5k, hx8k that fits. */
  ice40Device?: Ice40DeviceName | 'auto';
  /** Cache root (default `$KVHDL_CACHE_DIR`, else `<repo>/.cache`); results go to `<root>/synth/`. */
  cacheDir?: string;
  /** Ignore (but refresh) the cache. */
  noCache?: boolean;
  timeoutMs?: number;
}

interface SynthResultBase {
  top: string;
  tools: { backend: EdaBackend; yosys: string; nextpnr?: string };
  /** Every cell type of the mapped unit and its count (from `stat -json`). */
  cellTypes: Record<string, number>;
  /** LUT levels (see fpga/logic-depth.ts): reg-to-reg, and including paths from/to ports. */
  logicDepth: number;
  logicDepthAny: number;
  /** The deepest register-to-register LUT path, as signal names from the start register on (fpga/logic-depth.ts). */
  levelPath: (string | null)[];
  /** Fmax of `clock` in MHz after place and route; null when not available (see notes). */
  fmaxMHz: number | null;
  notes: string[];
  /** Wall-clock seconds of the tool runs that produced this result (not of a cache hit). */
  seconds: number;
  cached: boolean;
  cacheKey: string;
}

export interface Xc7SynthResult extends SynthResultBase {
  target: 'xc7';
  resources: Xc7Resources;
}

export interface Ice40SynthResult extends SynthResultBase {
  target: 'ice40';
  /** The unit alone (synth_ice40, no wrapper). */
  resources: Ice40Resources;
  /** The unit inside the pin wrapper: what was placed and routed. */
  wrapped: { top: string; inputBits: number; outputBits: number; resources: Ice40Resources; cellTypes: Record<string, number> };
  /** The device the Fmax is for; null when the design fits no candidate. */
  device: { name: Ice40DeviceName; package: string } | null;
  fits: boolean;
  utilization: PnrResult['utilization'];
  /** The critical path behind `fmaxMHz` (register to register, named as in the design; `core.` is the unit inside the pin wrapper), or null. */
  criticalPath: PnrResult['criticalPath'];
}

export type SynthResult = Xc7SynthResult | Ice40SynthResult;
export type UnitSynthResult<R extends SynthResult = SynthResult> = R & { unit: string; config: unknown };

/** Synthesizes one unit configuration (raw config: defaults fill the rest; ConfigError if invalid). */
export async function synthUnit(unit: AnyUnit, cfg: unknown, opts: SynthOptions): Promise<UnitSynthResult> {
  const config = parseConfig(unit, cfg);
  const r = await synthModule(unit.build(config), opts);
  return { unit: unit.name, config, ...r };
}

export function synthModule(top: Module, opts: SynthOptions & { target: 'xc7' }): Promise<Xc7SynthResult>;
export function synthModule(top: Module, opts: SynthOptions & { target: 'ice40' }): Promise<Ice40SynthResult>;
export function synthModule(top: Module, opts: SynthOptions): Promise<SynthResult>;
export async function synthModule(top: Module, opts: SynthOptions): Promise<SynthResult> {
  const backend = opts.backend ?? defaultBackend();
  const log = opts.log ?? (() => {});
  const emitted = emitDesign(top).map((e) => ({ name: e.fileName, text: e.text }));
  const wrapper = opts.target === 'ice40' ? pinWrapper(top) : undefined;
  const wrapperEmitted = wrapper ? emitDesign(wrapper.module).find((e) => e.module === wrapper.module)! : undefined;
  const tools: SynthResultBase['tools'] = { backend, yosys: await edaVersion('yosys', backend) };
  if (opts.target === 'ice40') tools.nextpnr = await edaVersion('nextpnr-ice40', backend);
  const device = opts.ice40Device ?? 'auto';
  const key = synthCacheKey({
    flow: SYNTH_FLOW_VERSION, target: opts.target, tools, files: emitted,
    ...(wrapperEmitted ? { wrapper: wrapperEmitted.text, device, freq: ICE40_TARGET_MHZ, seed: NEXTPNR_SEED } : {}),
  });
  const cacheDirs = synthCacheDirs(opts.cacheDir);
  if (!opts.noCache) {
    const hit = await readSynthCache<SynthResult>(cacheDirs, key);
    if (hit) {
      log(`${opts.target}: ${top.name}: cached (${key.slice(0, 12)})`);
      return { ...hit, cached: true };
    }
  }

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `kvhdl-synth-${opts.target}-`));
  const t0 = performance.now();
  try {
    for (const f of emitted) await fs.writeFile(path.join(dir, f.name), f.text);
    const files = emitted.map((f) => f.name);
    let result: SynthResult;
    if (opts.target === 'xc7') {
      log(`xc7: yosys synth_xilinx ${top.name} (${tools.yosys})...`);
      const x = await runXc7(dir, files, top.name, backend, opts.timeoutMs);
      result = {
        target: 'xc7', top: top.name, tools, resources: x.resources, cellTypes: x.cellTypes,
        logicDepth: x.depth.regToReg, logicDepthAny: x.depth.any, levelPath: x.depth.path, fmaxMHz: null,
        notes: [
          'no Fmax: there is no open-source place and route for Xilinx 7-series; counts are out-of-context synthesis estimates (Vivado usually differs)',
          ...loopNote(x.depth.loopsCut),
        ],
        seconds: 0, cached: false, cacheKey: key,
      };
    } else {
      const w = wrapper!;
      await fs.writeFile(path.join(dir, wrapperEmitted!.fileName), wrapperEmitted!.text);
      log(`ice40: yosys synth_ice40 ${top.name} and its pin wrapper (${tools.yosys})...`);
      const i = await runIce40(dir, files, top.name, wrapperEmitted!.fileName, w.module.name, { backend, device, timeoutMs: opts.timeoutMs, log });
      const notes = [
        ...loopNote(i.core.depth.loopsCut),
        `resources are of the unit alone; Fmax is of the unit inside a pin wrapper (${w.inputBits}-bit input shift register, ${w.outputBits} output bits XOR-reduced in ${w.xorLevels} registered levels), placed and routed with nextpnr-ice40 --freq ${ICE40_TARGET_MHZ} --seed ${NEXTPNR_SEED} --timing-allow-fail`,
      ];
      if (!i.pnr) notes.push(`does not fit any candidate iCE40: ${i.rejected.join('; ')}`);
      else if (i.rejected.length) notes.push(`not placed on: ${i.rejected.join('; ')}`);
      result = {
        target: 'ice40', top: top.name, tools, resources: i.core.resources, cellTypes: i.core.cellTypes,
        logicDepth: i.core.depth.regToReg, logicDepthAny: i.core.depth.any, levelPath: i.core.depth.path, fmaxMHz: i.pnr?.fmaxMHz ?? null, notes,
        wrapped: { top: w.module.name, inputBits: w.inputBits, outputBits: w.outputBits, resources: i.wrapped.resources, cellTypes: i.wrapped.cellTypes },
        device: i.pnr ? { name: i.pnr.device, package: i.pnr.package } : null, fits: i.pnr !== null,
        utilization: i.pnr?.utilization ?? {},
        criticalPath: i.pnr?.criticalPath ?? null,
        seconds: 0, cached: false, cacheKey: key,
      };
    }
    result.seconds = Math.round((performance.now() - t0) / 100) / 10;
    log(`${opts.target}: ${top.name}: done in ${result.seconds} s`);
    if (!(await writeSynthCache(cacheDirs, key, result))) log(`${opts.target}: could not store the result in ${cacheDirs.join(' or ')} (not writable)`);
    return result;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
