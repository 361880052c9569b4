/**
 * iCE40 pre-check from an xc7 result (`kvhdl report`): a design whose xc7 netlist already has more
 * flip-flops than the largest candidate iCE40 has logic cells cannot fit any iCE40 (each iCE40
 * logic cell holds one flip-flop; xc7 packs shift registers into SRL LUTs and small memories into
 * LUT RAM, so its flip-flop count is no larger than what an iCE40 netlist needs). The report then
 * skips iCE40 synthesis, which for such designs runs for hours, and says why.
 */
import { ICE40_DEVICES } from './synth-ice40.ts';
import type { Xc7SynthResult } from './synth.ts';

/** The reason iCE40 synthesis is skipped, or undefined when it must run. */
export function ice40SkipReason(xc7: { resources: Pick<Xc7SynthResult['resources'], 'ff'> } | undefined): string | undefined {
  if (!xc7) return undefined;
  const largest = ICE40_DEVICES.reduce((a, d) => (d.logicCells > a.logicCells ? d : a));
  const ff = xc7.resources.ff;
  if (ff <= largest.logicCells) return undefined;
  return `does not fit any candidate iCE40 (not synthesized): the xc7 netlist has ${ff} flip-flops, more than the ${largest.logicCells} logic cells (one flip-flop each) of the largest candidate, ${largest.name}`;
}
