/** rtl-out/manifest.json: what was generated, per module (name, file, parameters, ports). */
import type { Module, ParamValue } from '../hdl/index.ts';

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
  const ports: ManifestPort[] = [];
  if (m.usesClock) ports.push({ name: 'clock', direction: 'input', width: 1, signed: false });
  if (m.usesReset) ports.push({ name: 'reset', direction: 'input', width: 1, signed: false });
  for (const p of m.ports) ports.push({ name: p.name, direction: p.kind === 'input' ? 'input' : 'output', width: p.type.width, signed: p.type.signed });
  return ports;
}
