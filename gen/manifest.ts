/** rtl-out/manifest.json: what was generated, per module (name, file, parameters, ports). */
import type { Module, ParamValue } from '../hdl/index.ts';
import { portsOf } from '../hdl/ports/from-module.ts';

export interface ManifestPort {
  name: string;
  direction: 'input' | 'output';
  width: number;
  signed: boolean;
}

export interface ManifestModule {
  name: string;
  /** Path relative to the manifest's directory. */
  file: string;
  unit: string;
  top: boolean;
  parameters: Record<string, ParamValue>;
  ports: ManifestPort[];
}

export interface ManifestUnit {
  unit: string;
  top: string;
  config: Record<string, unknown>;
}

export interface Manifest {
  generator: string;
  units: ManifestUnit[];
  modules: ManifestModule[];
}

export function modulePorts(m: Module): ManifestPort[] {
  return portsOf(m).map((p) => ({ name: p.name, direction: p.dir, width: p.width, signed: p.signed }));
}
