/**
 * Pipeline presets: one word that asks for a logic depth, for units and operators whose registers
 * are placed by stage knobs. Each unit (and the float library, hdl/lib/float/presets.ts) maps a
 * preset to its own stage values in a documented table; explicit stage values override the preset.
 *
 *   area      fewest registers: the shortest latency, the deepest logic (the pre-issue-19 defaults)
 *   balanced  the defaults: aims at no more than 8 xc7 LUT levels register to register
 *   fast      every register the unit or operator has: its shallowest logic, its longest latency
 */
export const PIPELINE_PRESETS = ['area', 'balanced', 'fast'] as const;

export type PipelinePreset = (typeof PIPELINE_PRESETS)[number];

/** The preset used when none is asked for. */
export const DEFAULT_PIPELINE_PRESET: PipelinePreset = 'balanced';

/** One line per preset, for documentation and `kvhdl list`. */
export const PIPELINE_PRESET_MEANING: Readonly<Record<PipelinePreset, string>> = {
  area: 'fewest registers (shortest latency, deepest logic)',
  balanced: 'the default: aims at <= 8 xc7 LUT levels register to register',
  fast: 'every register available (shallowest logic, longest latency)',
};
