/**
 * IEEE binary16 / bfloat16 arithmetic: operator builders `(m, name, fmt, a, b, { stages, enable })`
 * returning `{ result, latency }` on 16-bit patterns, round-to-nearest-even, subnormals kept, one
 * canonical NaN; bit-exact golden functions of the same operations in `golden/`.
 */
export { FP16, BF16, FORMATS, floatType, canonicalNaN, type FloatFormat } from './format.ts';
export type { FloatOpOptions, FloatOpResult } from './op.ts';
export { fpAdd, fpSub, FP_ADD_MAX_STAGES, FP_ADD_CUTS } from './add.ts';
export { fpMul, FP_MUL_MAX_STAGES, FP_MUL_CUTS } from './mul.ts';
export { fpDiv, fpDivMaxStages } from './div.ts';
export { fpLt, fpLe, fpEq, fpMin, fpMax } from './compare.ts';
export { fpRoundEven, fpToUIntSat, FP_TO_UINT_MAX_STAGES } from './round-int.ts';
export { fpFromUInt } from './from-uint.ts';
export { floatPresetStages, opStages, type FloatPresetOp } from './presets.ts';
export { fpIntQuotient, type IntQuotient, type IntQuotientIn } from './int-quotient.ts';
export { floatFields, floatPack, infPattern, zeroPattern, nanPattern, type FloatFields } from './unpack.ts';
export { roundPack, leadingZeros, normStop, type RoundPackInput } from './normalize-round.ts';
