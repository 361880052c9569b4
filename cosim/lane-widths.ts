/** Lane layouts of a module's packed stream fields, so a mismatch report can name the differing lane. */
import type { Module } from '../hdl/index.ts';
import type { StreamSpec } from '../hdl/ports/design.ts';
import type { LaneWidths } from './report.ts';

/** Lane layout of every packed multi-lane stream field (`<stream>.<field>`), for mismatch reports. */
export function laneWidthsOf(top: Module, streams: readonly StreamSpec[]): LaneWidths {
  const out: LaneWidths = {};
  for (const s of streams) {
    for (const f of s.fields) {
      const port = top.ports.find((p) => p.name === `${s.name}_${f.name}`);
      const lanes = port?.type.lanes;
      if (lanes && lanes.count > 1) out[`${s.name}.${f.name}`] = { width: lanes.elem.width, signed: lanes.elem.signed };
    }
  }
  return out;
}
