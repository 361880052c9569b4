/** The common shape of the float library's operator builders: options in, result out. */
import type { Expr } from '../../core/expr.ts';
import type { PipelinePreset } from '../pipeline-preset.ts';

export interface FloatOpOptions {
  /** Pipeline registers (0 = combinational); the maximum depends on the operator and format. */
  stages?: number;
  /** Used when `stages` is not given: the preset's stages (hdl/lib/float/presets.ts). */
  pipeline?: PipelinePreset;
  /** The pipeline registers load when this is high (default: every cycle). */
  enable?: Expr;
}

export interface FloatOpResult {
  /** The result bit pattern, UInt(fmt.width). */
  result: Expr;
  /** Clock cycles from operands to result (= stages). */
  latency: number;
}
