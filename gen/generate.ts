/** Elaborates units into an output set: one Verilog file per module plus the manifest. */
import * as path from 'node:path';
import { emitDesign, type Module } from '../hdl/index.ts';
import type { OutputSet } from '../output/index.ts';
import type { AnyUnit } from './unit.ts';
import { modulePorts, type Manifest, type ManifestModule } from './manifest.ts';

export const generatorName = 'kvhdl 0.1.0';

export interface Generated {
  unit: string;
  top: Module;
  /** Absolute paths the .v files get when the set is committed, children first, top last. */
  files: string[];
  modules: ManifestModule[];
}

/**
 * Puts every module of `unit`'s design for `cfg` into `out` under `relDir` ('' for the set's root);
 * manifest paths are relative to `manifestRel` (default `relDir`). Nothing is written until
 * `out.commit()`, so an elaboration error leaves the previous output untouched.
 */
export function generateUnit(unit: AnyUnit, cfg: unknown, out: OutputSet, relDir = '', manifestRel = relDir): Generated {
  const top = unit.build(cfg);
  const files: string[] = [];
  const modules: ManifestModule[] = [];
  for (const e of emitDesign(top)) {
    const rel = relDir ? `${relDir}/${e.fileName}` : e.fileName;
    files.push(out.put(rel, e.text));
    modules.push({
      name: e.module.name,
      file: path.posix.relative(manifestRel, rel),
      unit: unit.name,
      top: e.module === top,
      parameters: e.module.params,
      ports: modulePorts(e.module),
    });
  }
  return { unit: unit.name, top, files, modules };
}

/** Puts `<manifestRel>/manifest.json` for the generated units into `out`; returns its absolute path. */
export function putManifest(out: OutputSet, gens: { g: Generated; config: unknown }[], manifestRel = ''): string {
  const manifest: Manifest = {
    generator: generatorName,
    units: gens.map(({ g, config }) => ({ unit: g.unit, top: g.top.name, config: config as Record<string, unknown> })),
    modules: gens.flatMap(({ g }) => g.modules),
  };
  return out.put(manifestRel ? `${manifestRel}/manifest.json` : 'manifest.json', JSON.stringify(manifest, null, 2) + '\n');
}
