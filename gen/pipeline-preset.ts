/**
 * The `pipeline` config field shared by the units with stage knobs (quantizer, dequantizer, nuq):
 * a preset (hdl/lib/pipeline-preset.ts: area | balanced | fast) that stands for the unit's stage
 * values in its README table; a stage field given explicitly overrides the preset's value for it.
 *
 *   pipeline: pipelineField('fillStages 0/"max"/"max", ...')  (zod field, default "balanced")
 *   fillFromPreset(cfg, PRESETS)  the parsed config with every stage field the user left out taken
 *                                 from PRESETS[cfg.pipeline]
 */
import { z } from 'zod';
import { DEFAULT_PIPELINE_PRESET, PIPELINE_PRESETS, PIPELINE_PRESET_MEANING, type PipelinePreset } from '../hdl/lib/pipeline-preset.ts';

/** The zod field; `table` lists the unit's stage values per preset (shown by `kvhdl list`). */
export function pipelineField(table: string) {
  const meaning = PIPELINE_PRESETS.map((p) => `${p}: ${PIPELINE_PRESET_MEANING[p]}`).join('; ');
  return z
    .enum(PIPELINE_PRESETS)
    .default(DEFAULT_PIPELINE_PRESET)
    .describe(`pipeline preset (${meaning}); sets the stage fields not given explicitly: ${table}`);
}

/** `cfg` with its undefined stage fields filled from `presets[cfg.pipeline]`. */
export function fillFromPreset<C extends { pipeline: PipelinePreset }, S extends object>(cfg: C, presets: Readonly<Record<PipelinePreset, S>>): Omit<C, keyof S> & S {
  const out: Record<string, unknown> = { ...cfg };
  for (const [k, v] of Object.entries(presets[cfg.pipeline])) if (out[k] === undefined) out[k] = v;
  return out as Omit<C, keyof S> & S;
}
