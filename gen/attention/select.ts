/**
 * Selection with early exit (README.md §3): threshold (stop when U ≤ θ) and best-first top-k with a
 * running threshold (stop when U < T_p); returns the kept candidates and the key-plane words fetched.
 */
import { attentionDims, type AttentionConfig } from './config.ts';
import type { RowQuery } from './score.ts';

/**
 * Deliberate bugs for the mutation test only (test/units/attention-golden.test.ts): 'bound' starts
 * the remaining bound at (2^B − 2)·Q⁺ (too small), 'kth' takes the running threshold from the
 * (k−1)-th best instead of the k-th. null (always, outside that test) is the README's model.
 */
export type Mutation = 'bound' | 'kth' | null;
let mutation: Mutation = null;
export function setMutationForTest(m: Mutation): void {
  mutation = m;
}

/** Which candidates are kept and the key-plane words they fetch (README §3). */
export function selectCandidates(cfg: AttentionConfig, cand: number[], exact: (t: number) => number, words: (t: number) => number[][], rq: RowQuery, theta: number | null, earlyExit: boolean): { kept: Set<number>; keyWords: number } {
  const d = attentionDims(cfg);
  const { B, C } = d;
  const g = (t: number) => Math.floor(t / d.G);
  const full = B * C;
  if (cfg.selection === 'none') return { kept: new Set(cand), keyWords: cand.length * full };
  if (cfg.selection === 'threshold') {
    if (theta === null) throw new Error('threshold selection needs a theta for every row');
    const kept = new Set<number>();
    let kw = 0;
    for (const t of cand) {
      if (!earlyExit) {
        kw += full;
        if (exact(t) > theta) kept.add(t);
        continue;
      }
      const w = words(t);
      let P = rq.cg[g(t)];
      let rem = (2 ** B - (mutation === 'bound' ? 2 : 1)) * rq.qPlus[g(t)];
      let stopped = P + rem <= theta;
      for (let j = B - 1; j >= 0 && !stopped; j--) {
        for (let ch = 0; ch < C && !stopped; ch++) {
          P += 2 ** j * w[j][ch];
          rem -= 2 ** j * rq.qPlusCh[g(t)][ch];
          kw++;
          if (P + rem <= theta) stopped = true;
        }
      }
      if (!stopped) kept.add(t);
    }
    return { kept, keyWords: kw };
  }
  // topk
  const K = cfg.k;
  const byRank = (a: { t: number; s: number }, b: { t: number; s: number }) => b.s - a.s || a.t - b.t;
  const topOf = (xs: { t: number; s: number }[]) => new Set(xs.sort(byRank).slice(0, K).map((x) => x.t));
  if (!earlyExit) return { kept: topOf(cand.map((t) => ({ t, s: exact(t) }))), keyWords: cand.length * full };
  let kw = 0;
  const info = cand.map((t) => {
    const w = words(t);
    const P1 = rq.cg[g(t)] + 2 ** (B - 1) * w[B - 1].reduce((a, x) => a + x, 0);
    kw += C;
    return { t, w, P1, U1: P1 + (2 ** (B - 1) - 1) * rq.qPlus[g(t)] };
  });
  const order = bucketOrder(info);
  const done: ({ t: number; s: number } | null)[] = [];
  const best: number[] = []; // the K largest completed scores, ascending
  const lag = cfg.keyLanes;
  for (let p = 0; p < order.length; p++) {
    const add = p - lag - 1;
    const e = add >= 0 ? done[add] : null;
    if (e) {
      if (best.length < K) best.splice(lowerBound(best, e.s), 0, e.s);
      else if (e.s > best[0]) {
        best.shift();
        best.splice(lowerBound(best, e.s), 0, e.s);
      }
    }
    const T = mutation === 'kth' ? (best.length >= K - 1 && K > 1 ? best[best.length - K + 1] : -Infinity) : best.length === K ? best[0] : -Infinity;
    const { t, w, P1, U1 } = order[p];
    let stopped = U1 < T;
    let P = P1;
    let rem = (2 ** (B - 1) - 1) * rq.qPlus[g(t)];
    for (let j = B - 2; j >= 0 && !stopped; j--) {
      for (let ch = 0; ch < C && !stopped; ch++) {
        P += 2 ** j * w[j][ch];
        rem -= 2 ** j * rq.qPlusCh[g(t)][ch];
        kw++;
        if (P + rem < T) stopped = true;
      }
    }
    done.push(stopped ? null : { t, s: P });
  }
  return { kept: topOf(done.filter((x): x is { t: number; s: number } => x !== null)), keyWords: kw };
}

/** Buckets of the phase-2 order (README §3: a counting sort over 64 buckets of U1). */
export const TOPK_BUCKETS = 64;

/**
 * The phase-2 order (README §3): with U_max, U_min the largest and smallest U1 of the row's
 * candidates and s the smallest shift with (U_max − U_min) >> s < 64, candidate t goes to bucket
 * (U_max − U1) >> s; buckets ascending (largest U1 first), index ascending inside a bucket.
 */
export function bucketOrder<X extends { t: number; U1: number }>(info: readonly X[]): X[] {
  if (info.length === 0) return [];
  let umax = info[0].U1;
  let umin = info[0].U1;
  for (const x of info) {
    umax = Math.max(umax, x.U1);
    umin = Math.min(umin, x.U1);
  }
  let s = 0;
  while (Math.floor((umax - umin) / 2 ** s) >= TOPK_BUCKETS) s++;
  const bucket = (u: number) => Math.floor((umax - u) / 2 ** s);
  return [...info].sort((a, b) => bucket(a.U1) - bucket(b.U1) || a.t - b.t);
}

function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

