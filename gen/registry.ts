/** Every generator unit, by command-line name. */
import type { AnyUnit } from './unit.ts';
import { minmaxUnit } from './minmax/index.ts';
import { dequantizerUnit } from './dequantizer/index.ts';
import { quantizerUnit } from './quantizer/index.ts';
import { selectorUnit } from './selector/index.ts';
import { earlyexitUnit } from './earlyexit/index.ts';
import { attentionUnit } from './attention/index.ts';
import { nuqUnit } from './nuq/index.ts';

export const units: readonly AnyUnit[] = [minmaxUnit, dequantizerUnit, quantizerUnit, selectorUnit, earlyexitUnit, attentionUnit, nuqUnit];

export function findUnit(name: string): AnyUnit | undefined {
  return units.find((u) => u.name === name);
}
