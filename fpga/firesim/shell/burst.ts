/** Burst length: min(16, words left, words to the next 4 KiB boundary). */
import { minOf, mux, type Expr, type ModuleBuilder, type Var } from '../../../hdl/index.ts';
import { U } from './context.ts';
import { MAX_BURST } from './params.ts';

export function burstOf(m: ModuleBuilder, name: string, addr: Expr, left: Expr): Var {
  const toBoundary = m.wire(`${name}_to_4k`, U(10, 512).subWrap(addr.slice(11, 3).zext(10)));
  const small = m.wire(`${name}_left_small`, mux(left.gt(MAX_BURST), U(5, MAX_BURST), left.slice(4, 0)));
  return m.wire(`${name}_burst`, minOf(small.zext(10), toBoundary).slice(4, 0));
}

