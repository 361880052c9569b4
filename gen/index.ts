/**
 * kvhdl's units as a library (`import { units, findUnit, parseConfig } from 'kvhdl/gen'`): the unit
 * registry, each unit's contract, config validation and elaboration into an output set.
 */
export { units, findUnit } from './registry.ts';
export type { UnitDef, AnyUnit, StreamData, JsonInput } from './unit.ts';
export { ConfigError, parseConfig, loadConfig, describeConfig, type FieldDoc } from './config.ts';
export { generateUnit, putManifest, generatorName, type Generated } from './generate.ts';
export type { Manifest, ManifestModule, ManifestPort, ManifestUnit } from './manifest.ts';
