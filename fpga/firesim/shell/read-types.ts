/** What the read DMA hands to the rest of the shell. */
import { UInt, type Expr, type Var } from '../../../hdl/index.ts';
import type { Fields, Source } from '../../../hdl/lib/index.ts';
import { BUS_BITS } from '../layout.ts';

export interface ReadAddress {
  rdAddr: Var;
  rdLeft: Var;
  arValid: Var;
  arAddr: Var;
  arLen: Var;
  /** Length of the next input burst. */
  rdBurst: Var;
  /** Input words of the job. */
  rdTotal: Var;
}

export const rFields = { data: UInt(BUS_BITS) } satisfies Fields;

export interface ReadData {
  /** The input words, in order. */
  rq: Source<typeof rFields>;
  /** No read burst is waiting for its last beat (tracked with a memory port; otherwise implied by rd_left and the input count). */
  readsIdle: Expr;
}
