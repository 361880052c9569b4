/**
 * Control and request checks: START (a 0 -> 1 edge of ctrl[0]) launches a job when the block is
 * idle and the request is sound; otherwise it sets MISALIGNED / ZERO_LEN / SHAPE (and DONE), or
 * BUSY while a job runs. Also the error and done wires the other sections drive.
 */
import { Bool, cat, lit, type Expr, type Var } from '../../../hdl/index.ts';
import { CTRL_IRQ_EN, CTRL_START, ERR, ERR_WIDTH, type ErrName } from '../regmap.ts';
import type { ShellContext } from './context.ts';
import { MAX_LEN } from './params.ts';

export interface Control {
  busy: Var;
  startEdge: Var;
  /** START accepted: the job begins. */
  launch: Var;
  reqOk: Var;
  /** One wire per error bit, set by the section that detects it. */
  errSet: Record<ErrName, Var>;
  doneSet: Var;
  rows: Var;
  cols: Var;
  srcAddr: Var;
  /** Per output stream: its buffer address and length registers. */
  outAddrs: Var[];
  outLens: Var[];
}

export function control(c: ShellContext, irq: Var): Control {
  const { m, layout, limits, reg } = c;
  const ctrl = reg('ctrl');
  const startQ = m.reg('start_q', Bool, { reset: 0 });
  startQ.set(ctrl.bit(CTRL_START));
  const startEdge = m.wire('start_edge', ctrl.bit(CTRL_START).and(startQ.not()));
  const busy = m.reg('busy', Bool, { reset: 0 });
  reg('status').set(busy);
  irq.set(reg('done').and(ctrl.bit(CTRL_IRQ_EN)));
  const rows = reg('rows');
  const cols = reg('cols');
  const srcAddr = reg('src_addr');

  const errBit = (e: ErrName): number => ERR[e].bit;
  const errSet: Record<ErrName, Var> = {} as Record<ErrName, Var>;
  for (const k of Object.keys(ERR) as ErrName[]) errSet[k] = m.wire(`err_${k.toLowerCase()}`, Bool);
  reg('error_set').set(cat(...(Object.keys(ERR) as ErrName[]).sort((a, b) => errBit(b) - errBit(a)).map((k) => errSet[k])));
  if (Object.keys(ERR).length !== ERR_WIDTH) throw new Error('internal: error width');
  const doneSet = m.wire('done_set', Bool);
  reg('done_set').set(doneSet);

  // request checks (at the START edge)
  const outAddrs = layout.outputs.map((s) => reg(`${s.name}_addr`));
  const outLens = layout.outputs.map((s) => reg(`${s.name}_len`));
  const alignChecks: Expr[] = [srcAddr, ...outAddrs].map((a) => a.slice(2, 0).orR());
  if (layout.memory) alignChecks.push(reg('mem_addr').slice(Math.log2(layout.memory.stride) + 2, 0).orR());
  const misaligned = m.wire('req_misaligned', alignChecks.reduce((a, b) => a.or(b)));
  const zeroLen = m.wire('req_zero_len', rows.eq(0).or(cols.eq(0)));
  let shapeBad: Expr = rows.gt(limits.maxRows).or(cols.gt(limits.maxCols));
  for (const l of outLens) shapeBad = shapeBad.or(l.gt(MAX_LEN));
  if (limits.fixedCols > 0) shapeBad = shapeBad.or(cols.ne(limits.fixedCols));
  const badShape = m.wire('req_bad_shape', shapeBad);
  const reqOk = m.wire('req_ok', misaligned.or(zeroLen).or(badShape).not());
  const launch = m.wire('launch', startEdge.and(busy.not()).and(reqOk));
  errSet.MISALIGNED.set(startEdge.and(busy.not()).and(misaligned));
  errSet.ZERO_LEN.set(startEdge.and(busy.not()).and(zeroLen));
  errSet.SHAPE.set(startEdge.and(busy.not()).and(badShape));
  errSet.BUSY.set(startEdge.and(busy));
  if (!layout.memory) errSet.MEM_RANGE.set(lit(Bool, 0));
  return { busy, startEdge, launch, reqOk, errSet, doneSet, rows, cols, srcAddr, outAddrs, outLens };
}
