/** Elaborates units and writes their Verilog and manifest. */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeDesign, type Module } from '../hdl/index.ts';
import type { AnyUnit } from './unit.ts';
import { modulePorts, type Manifest, type ManifestModule } from './manifest.ts';

export const generatorName = 'kvhdl 0.1.0';

export interface Generated {
  unit: string;
  top: Module;
  /** Absolute paths of the written .v files, children first, top last. */
  files: string[];
  modules: ManifestModule[];
}

/** Writes every module of `unit`'s design for `cfg` into `dir` (old .v files there are removed). */
export function generateUnit(unit: AnyUnit, cfg: unknown, dir: string, manifestDir = dir): Generated {
  const top = unit.build(cfg);
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith('.v')) rmSync(path.join(dir, f));
  const written = writeDesign(top, dir);
  const files = written.map((w) => w.path);
  const modules: ManifestModule[] = [];
  for (const e of written) {
    modules.push({
      name: e.module.name,
      file: path.relative(manifestDir, e.path).split(path.sep).join('/'),
      unit: unit.name,
      top: e.module === top,
      parameters: e.module.params,
      ports: modulePorts(e.module),
    });
  }
  return { unit: unit.name, top, files, modules };
}

export function writeManifest(dir: string, gens: { g: Generated; config: unknown }[]): string {
  const manifest: Manifest = {
    generator: generatorName,
    units: gens.map(({ g, config }) => ({ unit: g.unit, top: g.top.name, config: config as Record<string, unknown> })),
    modules: gens.flatMap(({ g }) => g.modules),
  };
  const file = path.join(dir, 'manifest.json');
  writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
  return file;
}
