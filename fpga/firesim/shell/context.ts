/** What every section of the shell builder shares: the module, the register file's ports, the job. */
import { UInt, lit, type Expr, type ModuleBuilder, type Var } from '../../../hdl/index.ts';
import type { ShellLayout } from '../layout.ts';
import type { ShellLimits } from '../regmap.ts';

export const U = (w: number, v: number | bigint): Expr => lit(UInt(w), v);

export interface ShellContext {
  m: ModuleBuilder;
  layout: ShellLayout;
  limits: ShellLimits;
  /** A port of the register-file instance, by register name. */
  reg: (name: string) => Var;
}
