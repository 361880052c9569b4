/** The special operand values every float test uses: one list, so every operator sees the same edge cases. */
import { Rng } from '../../data/rng.ts';
import { canonicalNaN, type FloatFormat } from '../../hdl/lib/float/format.ts';

/**
 * Zeros; subnormal extremes and neighbours; normal extremes; 1 and its neighbours, 0.5, 1.5, 2, 2.5;
 * ulp(1) and ulp(1)/2 with neighbours (1 + ulp/2 ties); 2^man and 2^(man+1) (+1 ties there);
 * infinities; several NaNs of both signs; six seeded random finite values. Both signs of most.
 */
export function specialValues(f: FloatFormat, seed = 7): number[] {
  const sm = 1 << (f.width - 1);
  const inf = ((1 << f.exp) - 1) << f.man;
  const one = f.bias << f.man;
  const big = (f.bias + f.man + 1) << f.man;
  const pos = [
    0, 1, 2, 3, (1 << f.man) - 1, 1 << (f.man - 1), (1 << (f.man - 1)) + 1, // subnormals
    1 << f.man, (1 << f.man) + 1, inf - 1, inf - 2, inf - (1 << f.man), // normal edges
    one, one + 1, one - 1, one - (1 << f.man), one + (1 << f.man), one + (1 << (f.man - 1)), // 1, 1+ulp, 1-ulp/2, 0.5, 2, 1.5
    ((f.bias + 1) << f.man) | (1 << (f.man - 2)), // 2.5
    (f.bias - f.man - 1) << f.man, ((f.bias - f.man - 1) << f.man) + 1, ((f.bias - f.man - 1) << f.man) - 1, // ulp(1)/2 and neighbours
    (f.bias - f.man) << f.man, // ulp(1)
    (f.bias + f.man) << f.man, ((f.bias + f.man) << f.man) - 1, big, big + 1, // 2^man (spacing 1), below, 2^(man+1) (+1 ties)
    0x1234 & (inf - 1), 0x2a5 & (inf - 1),
    inf, inf | 1, canonicalNaN(f), inf | ((1 << f.man) - 1),
  ];
  const r = new Rng(seed);
  for (let i = 0; i < 6; i++) pos.push(r.int(0, inf - 1));
  return [...new Set([...pos, ...pos.map((x) => x | sm)])];
}
