/**
 * Pipelined reduction tree (min / max / sum / any associative operator). Each level is a row of
 * named wires `<name>_l<level>_<i>`; `stages` pipeline registers `<name>_s<level>_<i>` are spread
 * evenly over the levels and advance when `enable` is high.
 */
import type { Expr } from '../core/expr.ts';
import { minOf, maxOf } from '../core/expr.ts';
import type { ModuleBuilder } from '../core/module-builder.ts';

export type ReduceOp = (a: Expr, b: Expr) => Expr;

export const minOp: ReduceOp = minOf;
export const maxOp: ReduceOp = maxOf;
/** Sum that grows one bit per level (never overflows). */
export const sumOp: ReduceOp = (a, b) => a.add(b);

export interface ReduceOptions {
  /** Pipeline registers, 0 (combinational) up to the number of levels, ceil(log2(n)). */
  stages?: number;
  /** The registers load when this is high (default: every cycle). */
  enable?: Expr;
}

export interface ReduceResult {
  result: Expr;
  /** Clock cycles from inputs to result (= stages). */
  latency: number;
  levels: number;
}

/** Number of tree levels for n inputs. */
export function treeLevels(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

/** The levels (1-based) after which a pipeline register sits. */
export function registerLevels(levels: number, stages: number): number[] {
  return Array.from({ length: stages }, (_, k) => Math.round(((k + 1) * levels) / stages));
}

export function reduceTree(m: ModuleBuilder, name: string, inputs: readonly Expr[], op: ReduceOp, opts: ReduceOptions = {}): ReduceResult {
  if (inputs.length === 0) throw new RangeError(`reduceTree '${name}': no inputs`);
  const levels = treeLevels(inputs.length);
  const stages = opts.stages ?? 0;
  if (!Number.isInteger(stages) || stages < 0 || stages > levels) {
    throw new RangeError(`reduceTree '${name}': stages must be 0..${levels} for ${inputs.length} inputs, got ${stages}`);
  }
  const regAfter = new Set(registerLevels(levels, stages));
  let row: Expr[] = [...inputs];
  for (let level = 1; level <= levels; level++) {
    const next: Expr[] = [];
    for (let i = 0; i < row.length; i += 2) {
      const v = i + 1 < row.length ? op(row[i], row[i + 1]) : row[i];
      next.push(m.wire(`${name}_l${level}_${i / 2}`, v));
    }
    row = next;
    if (regAfter.has(level)) {
      row = row.map((v, i) => {
        const r = m.reg(`${name}_s${level}_${i}`, v.type);
        if (opts.enable) m.when(opts.enable, () => r.set(v));
        else r.set(v);
        return r;
      });
    }
  }
  return { result: row[0], latency: stages, levels };
}
