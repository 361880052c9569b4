import { describe, expect, it } from 'vitest';
import { Bool, ModuleBuilder, SInt, UInt, type Module } from '../../hdl/index.ts';
import {
  connectStream, counter, fifo, fire, maxOp, minOp, reduceTree, registerLevels, skidBuffer, streamIn, streamOut, sumOp, treeLevels,
  type Fields, type Source,
} from '../../hdl/lib/index.ts';
import { Rng, randomTable } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import { simulateBoth } from '../helpers/simulate.ts';

const payload: Fields = { a: UInt(13), b: SInt(40), last: Bool };
const fieldSpecs = Object.entries(payload).map(([name, t]) => ({ name, width: t.width, signed: t.signed }));

/** in -> f(in) -> out, for a stream function of the library. */
function wrap(name: string, f: (m: ModuleBuilder, s: Source<Fields>) => Source<Fields>): Module {
  const m = new ModuleBuilder(name);
  const i = streamIn(m, 'in', payload);
  connectStream(streamOut(m, 'out', payload), f(m, i));
  return m.build();
}

const identity = (inputs: Record<string, TxnTable>) => ({ out: inputs.in });

describe('stdlib: skid buffer', () => {
  const top = wrap('t_skid', (m, s) => skidBuffer(m, 'skid', s));
  it('passes every transfer in order under random stalls and backpressure', async () => {
    for (const seed of [1, 2]) {
      const stim = { in: randomTable(fieldSpecs, 3000, new Rng(seed)) };
      await simulateBoth(top, identity, stim, { seed, stall: 0.3, backpressure: 0.4 });
    }
  });
  it('sustains one transfer per cycle with latency 1', async () => {
    const stim = { in: randomTable(fieldSpecs, 5000, new Rng(9)) };
    const r = await simulateBoth(top, identity, stim, { seed: 9 });
    expect(r.throughput.ii).toBeCloseTo(1, 2);
    expect(r.latency).toBe(1);
  });
  it('two buffers in a row still run at full rate', async () => {
    const top2 = wrap('t_skid2', (m, s) => skidBuffer(m, 'b', skidBuffer(m, 'a', s)));
    const r = await simulateBoth(top2, identity, { in: randomTable(fieldSpecs, 2000, new Rng(3)) }, { seed: 3 });
    expect(r.throughput.ii).toBeCloseTo(1, 2);
    expect(r.latency).toBe(2);
  });
});

describe('stdlib: FIFO', () => {
  for (const depth of [2, 4, 16]) {
    it(`depth ${depth}: order and contents kept under stalls; full rate when unstalled`, async () => {
      const top = wrap(`t_fifo_${depth}`, (m, s) => fifo(m, 'q', s, depth));
      await simulateBoth(top, identity, { in: randomTable(fieldSpecs, 3000, new Rng(depth)) }, { seed: depth, stall: 0.2, backpressure: 0.5 });
      const r = await simulateBoth(top, identity, { in: randomTable(fieldSpecs, 3000, new Rng(depth + 100)) }, { seed: depth });
      expect(r.throughput.ii).toBeCloseTo(1, 2);
    });
  }
  it('rejects a depth that is not a power of two', () => {
    expect(() => wrap('t_fifo_bad', (m, s) => fifo(m, 'q', s, 6))).toThrow(/power of two/);
  });
});

describe('stdlib: reduction tree', () => {
  it('places registers evenly over the levels', () => {
    expect(treeLevels(1)).toBe(0);
    expect(treeLevels(8)).toBe(3);
    expect(treeLevels(9)).toBe(4);
    expect(registerLevels(3, 1)).toEqual([3]);
    expect(registerLevels(4, 2)).toEqual([2, 4]);
    expect(registerLevels(5, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  for (const [lanes, stages] of [[1, 0], [5, 0], [7, 2], [8, 3], [16, 1]] as const) {
    it(`${lanes} lanes, ${stages} stages: min, max and full-width sum per beat`, async () => {
      const w = 12;
      const m = new ModuleBuilder(`t_tree_${lanes}_${stages}`);
      const inp = streamIn(m, 'in', { x: SInt(w).vec(lanes) });
      const xs = inp.bits.x.lanesOf();
      const en = m.wire('en', Bool);
      const mn = reduceTree(m, 'mn', xs, minOp, { stages, enable: en });
      const mx = reduceTree(m, 'mx', xs, maxOp, { stages, enable: en });
      const sm = reduceTree(m, 'sm', xs, sumOp, { stages, enable: en });
      expect(mn.latency).toBe(stages);
      const sumW = w + treeLevels(lanes);
      expect(sm.result.width).toBe(sumW);
      const out = streamOut(m, 'out', { mn: SInt(w), mx: SInt(w), sm: SInt(sumW) });
      // a valid pipeline beside the tree; everything stalls together
      en.set(out.valid.not().or(out.ready));
      inp.ready.set(en);
      let v = fire(inp);
      for (let k = 0; k < stages; k++) {
        const r = m.reg(`v${k}`, Bool, { reset: 0 });
        const prev = v;
        m.when(en, () => r.set(prev));
        v = r;
      }
      const ov = m.reg('ov', Bool, { reset: 0 });
      const [omn, omx, osm] = [m.reg('omn', SInt(w)), m.reg('omx', SInt(w)), m.reg('osm', SInt(sumW))];
      m.when(en, () => {
        ov.set(v);
        omn.set(mn.result);
        omx.set(mx.result);
        osm.set(sm.result);
      });
      out.valid.set(ov);
      out.bits.mn.set(omn);
      out.bits.mx.set(omx);
      out.bits.sm.set(osm);
      const top = m.build();

      const golden = (ins: Record<string, TxnTable>) => {
        const t = ins.in;
        const o = new TxnTable([{ name: 'mn', width: w, signed: true }, { name: 'mx', width: w, signed: true }, { name: 'sm', width: sumW, signed: true }], t.count);
        for (let i = 0; i < t.count; i++) {
          const bits = t.get(i, 'x');
          const vals = Array.from({ length: lanes }, (_, k) => BigInt.asIntN(w, bits >> BigInt(k * w)));
          o.set(i, 'mn', vals.reduce((a, b) => (b < a ? b : a)));
          o.set(i, 'mx', vals.reduce((a, b) => (b > a ? b : a)));
          o.set(i, 'sm', vals.reduce((a, b) => a + b, 0n));
        }
        return { out: o };
      };
      const stim = { in: randomTable([{ name: 'x', width: w * lanes, signed: false }], 2000, new Rng(lanes * 10 + stages)) };
      await simulateBoth(top, golden, stim, { seed: lanes, stall: 0.2, backpressure: 0.3 });
    });
  }
});

describe('stdlib: counter', () => {
  it('counts enabled cycles, wraps after max (pulsing wrap), clears with priority', async () => {
    const max = 5;
    const m = new ModuleBuilder('t_counter');
    const inp = streamIn(m, 'in', { clear: Bool });
    const out = streamOut(m, 'out', { value: UInt(3), wrap: Bool });
    inp.ready.set(out.ready);
    out.valid.set(inp.valid);
    const go = fire(inp);
    const c = counter(m, 'cnt', { max, enable: go, clear: go.and(inp.bits.clear) });
    out.bits.value.set(c.value);
    // count the wrap pulses (a register, so the payload holds still under backpressure)
    const wraps = m.reg('wraps', UInt(1), { reset: 0 });
    m.when(c.wrap, () => wraps.set(wraps.not()));
    out.bits.wrap.set(wraps);
    const top = m.build();
    const golden = (ins: Record<string, TxnTable>) => {
      const t = ins.in;
      const o = new TxnTable([{ name: 'value', width: 3, signed: false }, { name: 'wrap', width: 1, signed: false }], t.count);
      let v = 0n;
      let wraps = 0n;
      for (let i = 0; i < t.count; i++) {
        const clear = t.get(i, 'clear') === 1n;
        o.set(i, 'value', v);
        o.set(i, 'wrap', wraps);
        if (v === BigInt(max)) wraps ^= 1n;
        v = clear ? 0n : v === BigInt(max) ? 0n : v + 1n;
      }
      return { out: o };
    };
    const rng = new Rng(4);
    const stim = { in: randomTable([{ name: 'clear', width: 1, signed: false }], 2000, rng, { clear: () => (rng.chance(0.05) ? 1n : 0n) }) };
    await simulateBoth(top, golden, stim, { seed: 4, stall: 0.3, backpressure: 0.3 });
  });
});
