/** Every generator unit, by command-line name. */
import type { AnyUnit } from './unit.ts';
import { minmaxUnit } from './minmax/index.ts';
import { dequantizerUnit } from './dequantizer/index.ts';

export const units: readonly AnyUnit[] = [minmaxUnit, dequantizerUnit];

export function findUnit(name: string): AnyUnit | undefined {
  return units.find((u) => u.name === name);
}
