/**
 * Bit-exact golden models of binary16 (fp16) and bfloat16 (bf16) arithmetic on 16-bit patterns
 * (JS numbers 0..0xffff). Every operation is correctly rounded (round to nearest, ties to even),
 * subnormals are kept (no flush to zero), overflow gives ±inf: for fp16 exactly what NumPy's
 * float16 computes op by op. NaN results are always `canonicalNaN(fmt)` (0x7e00 fp16, 0x7fc0
 * bf16): NumPy's NaN sign and payload are not modelled, tests compare NaN-ness only.
 *
 * The format comes first: `fpAdd(FP16, a, b)`. Rounding lives in `round.ts` (`roundPack`).
 */
export { classify, decode, fpIsInf, fpIsNaN, type Decoded, type FloatClass } from './decode.ts';
export { roundPack, roundPackBig } from './round.ts';
export { fpEq, fpLe, fpLt, fpMax, fpMin } from './compare.ts';
export { fpAdd, fpSub } from './add.ts';
export { fpMul } from './mul.ts';
export { fpDiv } from './div.ts';
export { fpRoundEven, fpToUIntSat } from './round-int.ts';
export { fpFromNumber, fpFromUInt, fpToNumber } from './convert.ts';
