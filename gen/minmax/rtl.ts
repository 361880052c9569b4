/** minmax RTL: P-lane streaming group minimum/maximum (see README.md for ports and timing). */
import { Bool, ModuleBuilder, SInt, minOf, maxOf, moduleName, type Expr, type Module } from '../../hdl/index.ts';
import { maxOp, minOp, reduceTree, skidBuffer, streamIn, streamOut } from '../../hdl/lib/index.ts';
import type { MinmaxConfig } from './config.ts';

export function minmaxRtl(cfg: MinmaxConfig): Module {
  const w = cfg.width;
  const elem = SInt(w);
  const m = new ModuleBuilder(moduleName('kv_minmax', { p: cfg.lanes, w, s: cfg.stages }), {
    params: { lanes: cfg.lanes, width: w, stages: cfg.stages },
    doc: 'streaming group min/max over P signed lanes',
  });
  const inp = streamIn(m, 'in', { data: elem.vec(cfg.lanes), last: Bool });
  const out = streamOut(m, 'out', { min: elem, max: elem });
  const beat = skidBuffer(m, 'in_skid', inp);

  // The whole pipeline advances together unless a finished result is waiting for the consumer.
  const resValid = m.reg('res_valid', Bool, { reset: 0 });
  const advance = m.wire('advance', resValid.not().or(out.ready));
  beat.ready.set(advance);

  const lanes = beat.bits.data.lanesOf();
  const beatMin = reduceTree(m, 'beat_min', lanes, minOp, { stages: cfg.stages, enable: advance });
  const beatMax = reduceTree(m, 'beat_max', lanes, maxOp, { stages: cfg.stages, enable: advance });

  // valid/last travel beside the tree's pipeline registers.
  let valid: Expr = beat.valid;
  let last: Expr = beat.bits.last;
  for (let k = 1; k <= cfg.stages; k++) {
    const v = m.reg(`pipe_valid_${k}`, Bool, { reset: 0 });
    const l = m.reg(`pipe_last_${k}`, Bool);
    const [pv, pl] = [valid, last];
    m.when(advance, () => {
      v.set(pv);
      l.set(pl);
    });
    valid = v;
    last = l;
  }

  const accMin = m.reg('acc_min', elem, { reset: elem.max });
  const accMax = m.reg('acc_max', elem, { reset: elem.min });
  const groupMin = m.wire('group_min', minOf(accMin, beatMin.result));
  const groupMax = m.wire('group_max', maxOf(accMax, beatMax.result));
  const resMin = m.reg('res_min', elem);
  const resMax = m.reg('res_max', elem);
  const groupEnd = m.wire('group_end', valid.and(last));

  m.when(advance, () => {
    resValid.set(groupEnd);
    m.when(valid, () => {
      m.when(last, () => {
        accMin.set(elem.max);
        accMax.set(elem.min);
        resMin.set(groupMin);
        resMax.set(groupMax);
      }).otherwise(() => {
        accMin.set(groupMin);
        accMax.set(groupMax);
      });
    });
  });

  out.valid.set(resValid);
  out.bits.min.set(resMin);
  out.bits.max.set(resMax);
  return m.build();
}
