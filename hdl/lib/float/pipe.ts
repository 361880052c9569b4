/**
 * Pipelining shared by the multi-stage float operators (mul, div; the round-and-select stage is div's): named cut points with
 * registers placed to balance rough segment delays, and the common round-and-select stage.
 */
import { mux, type Expr } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import type { FloatFormat } from './format.ts';
import { roundPack } from './normalize-round.ts';
import { infPattern, nanPattern, zeroPattern } from './unpack.ts';

/** A bundle of named values travelling down a pipeline together. */
export type Bundle = Record<string, Expr>;

/**
 * Pipeline cut points. `costs[i]` is a rough delay of the logic between cut i and cut
 * i+1 (costs.length = cuts + 1); the `stages` registers go to the cuts that best balance the
 * segments (the user's output register closes the last one).
 */
export class Pipe {
  private cut = 0;
  private readonly at: Map<number, number>;
  constructor(
    private readonly m: ModuleBuilder,
    private readonly name: string,
    costs: readonly number[],
    readonly stages: number,
    readonly enable?: Expr,
    /** Fixed cut indices per `stages` value (instead of the cost balance), e.g. to keep a placement stable. */
    positions?: readonly (readonly number[])[],
  ) {
    const cuts = costs.length - 1;
    if (!Number.isInteger(stages) || stages < 0 || stages > cuts) {
      throw new RangeError(`'${name}': stages must be 0..${cuts}, got ${stages}`);
    }
    this.at = new Map((positions?.[stages] ?? placeCuts(costs, stages)).map((c, k) => [c, k]));
  }

  /** Whether the next cut point holds a register. */
  nextIsRegistered(): boolean {
    return this.at.has(this.cut + 1);
  }

  /** The name prefix of the next cut's registers. */
  nextName(): string {
    return `${this.name}_p${this.at.get(this.cut + 1) ?? 'x'}`;
  }

  /** Passes a cut point: registers every non-constant value of `b` if a stage sits here. */
  next<T extends Bundle>(b: T): T {
    const prefix = this.nextName();
    this.cut++;
    if (!this.at.has(this.cut)) return b;
    const out: Bundle = {};
    for (const [key, v] of Object.entries(b)) {
      if (v.node.op === 'lit') {
        out[key] = v;
        continue;
      }
      const r = this.m.reg(`${prefix}_${key}`, v.type);
      if (this.enable) this.m.when(this.enable, () => r.set(v));
      else r.set(v);
      out[key] = r;
    }
    return out as T;
  }
}

/** Cut indices (1-based, increasing) for `stages` registers balancing the segment costs. */
export function placeCuts(costs: readonly number[], stages: number): number[] {
  const cuts = costs.length - 1;
  const cum: number[] = [];
  let s = 0;
  for (let i = 0; i < cuts; i++) cum.push((s += costs[i]));
  const total = s + costs[cuts];
  const out: number[] = [];
  let prev = 0;
  for (let k = 1; k <= stages; k++) {
    const target = (k * total) / (stages + 1);
    let best = prev + 1;
    for (let c = prev + 1; c <= cuts - (stages - k); c++) {
      if (Math.abs(cum[c - 1] - target) < Math.abs(cum[best - 1] - target)) best = c;
    }
    out.push(best);
    prev = best;
  }
  return out;
}

/**
 * The final stage of div (and of any operator that normalizes through roundPack): roundPack (with its optional internal register
 * as the pipe's next cut, and with `lzcCut` one more cut before it, after the leading-zero count)
 * and the special-case select (NaN > Inf > zero > rounded).
 */
export function roundAndSelect(
  m: ModuleBuilder,
  name: string,
  fmt: FloatFormat,
  pipe: Pipe,
  v: { sign: Expr; x: Expr; sig: Expr; sticky?: Expr; stop?: Expr; nan: Expr; inf: Expr; zero: Expr },
  opts: { lzcCut?: boolean } = {},
): Expr {
  // with lzcCut, roundPack holds two cut points: after the leading-zero count, after normalization
  const regL = opts.lzcCut === true && pipe.nextIsRegistered();
  let f = { sign: v.sign, nan: v.nan, inf: v.inf, zero: v.zero };
  if (opts.lzcCut) f = pipe.next(f);
  const regd = pipe.nextIsRegistered();
  const rp = roundPack(m, `${name}_rp`, fmt, { sign: v.sign, exp: v.x, sig: v.sig, sticky: v.sticky, stop: v.stop }, { stages: regd ? 1 : 0, lzcCut: regL, enable: pipe.enable });
  f = pipe.next(f);
  return m.wire(`${name}_result`, mux(f.nan, nanPattern(fmt), mux(f.inf, infPattern(fmt, f.sign), mux(f.zero, zeroPattern(fmt, f.sign), rp.result))));
}
