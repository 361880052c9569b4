/**
 * The θ values that matter for W-bit scores (README "Table load"): [−2^(W−1) − 1, 2^(W−1) − 1].
 * Clamping θ into it changes no decision `s > θ` on a W-bit score (the low end keeps every score,
 * the high end none), so a θ of any size, even beyond float64 (bigint) or ±Infinity, has an exact
 * stand-in that fits the RTL's W + 1-bit table.
 */

/** The widest score the selector takes (scoreBits ≤ 32): calibration without a config clamps to it. */
export const WIDEST_SCORE_BITS = 32;

/** The decision-preserving θ range for W-bit scores. */
export function thetaRange(scoreBits: number): { lo: number; hi: number } {
  const hi = 2 ** (scoreBits - 1) - 1;
  return { lo: -hi - 2, hi };
}

/** θ clamped into thetaRange(scoreBits); `theta` is an integer, a bigint or ±Infinity. */
export function clampThetaTo(scoreBits: number, theta: number | bigint): number {
  const { lo, hi } = thetaRange(scoreBits);
  if (typeof theta === 'bigint') return theta < BigInt(lo) ? lo : theta > BigInt(hi) ? hi : Number(theta);
  return Math.min(hi, Math.max(lo, theta));
}
