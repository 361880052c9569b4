/**
 * fpAdd / fpSub RTL against the golden model in Verilator: every pair of a special-value set,
 * then seeded random pairs (uniform patterns and pairs with close exponents, where alignment,
 * cancellation and rounding ties happen), combinational and pipelined under random stalls.
 */
import { describe, expect, it } from 'vitest';
import { specialValues } from './values.ts';
import { cat } from '../../hdl/index.ts';
import { Rng } from '../../data/rng.ts';
import { BF16, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpAdd, fpSub } from '../../hdl/lib/float/add.ts';
import * as golden from '../../hdl/lib/float/golden/index.ts';
import { checkOp, opModule } from './op-harness.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';


/** All ordered pairs of the special values, then `n` random pairs: half uniform, half close exponents. */
function operandPairs(f: FloatFormat, n: number, seed: number): { a: Uint32Array; b: Uint32Array } {
  const sv = specialValues(f);
  const total = sv.length * sv.length + n;
  const a = new Uint32Array(total);
  const b = new Uint32Array(total);
  let k = 0;
  for (const x of sv) for (const y of sv) (a[k] = x), (b[k++] = y);
  const rng = new Rng(seed);
  while (k < total) {
    const x = rng.u32() & 0xffff;
    let y = rng.u32() & 0xffff;
    if (k & 1) {
      // y's exponent within man + 3 of x's
      const ex = (x >> f.man) & ((1 << f.exp) - 1);
      const ey = Math.min((1 << f.exp) - 1, Math.max(0, ex + rng.int(-(f.man + 3), f.man + 3)));
      y = (y & ~(((1 << f.exp) - 1) << f.man)) | (ey << f.man);
    }
    a[k] = x;
    b[k++] = y;
  }
  return { a, b };
}

type Op = { f: FloatFormat; op: 'add' | 'sub' };
const rtl = { add: fpAdd, sub: fpSub };
const gold = { add: golden.fpAdd, sub: golden.fpSub };

/**
 * Each configuration runs two operators side by side on the same operands (y = {hi, lo}), so one
 * Verilator build checks both; operand pairs come from the formats of both.
 */
const configs: { stages: number; hi: Op; lo: Op; n: number; stall: number }[] = [
  { stages: 0, hi: { f: FP16, op: 'add' }, lo: { f: FP16, op: 'sub' }, n: 1_000_000, stall: 0 },
  { stages: 1, hi: { f: BF16, op: 'add' }, lo: { f: BF16, op: 'sub' }, n: 1_000_000, stall: 0.2 },
  { stages: 2, hi: { f: BF16, op: 'add' }, lo: { f: FP16, op: 'sub' }, n: 200_000, stall: 0.1 },
  { stages: 3, hi: { f: FP16, op: 'add' }, lo: { f: BF16, op: 'sub' }, n: 200_000, stall: 0.3 },
  { stages: 4, hi: { f: BF16, op: 'add' }, lo: { f: FP16, op: 'add' }, n: 100_000, stall: 0.2 },
  { stages: 5, hi: { f: FP16, op: 'sub' }, lo: { f: BF16, op: 'add' }, n: 100_000, stall: 0.3 },
];

function concat(x: { a: Uint32Array; b: Uint32Array }, y: { a: Uint32Array; b: Uint32Array }): { a: Uint32Array; b: Uint32Array } {
  const a = new Uint32Array(x.a.length + y.a.length);
  const b = new Uint32Array(a.length);
  a.set(x.a), a.set(y.a, x.a.length), b.set(x.b), b.set(y.b, x.b.length);
  return { a, b };
}

describe('float: fpAdd / fpSub RTL', () => {
  for (const c of configs) {
    const label = (o: Op) => `${o.f.name} ${o.op}`;
    it(`stages ${c.stages}: ${label(c.hi)} and ${label(c.lo)}, special pairs + ${c.n} random pairs${c.stall ? ', random stalls' : ''}`, async () => {
      const top = opModule(`t_fpaddsub_s${c.stages}`, 16, (m, a, b, en) => {
        const hi = rtl[c.hi.op](m, `${c.hi.op}_hi`, c.hi.f, a, b, { stages: c.stages, enable: en });
        const lo = rtl[c.lo.op](m, `${c.lo.op}_lo`, c.lo.f, a, b, { stages: c.stages, enable: en });
        expect([hi.latency, lo.latency]).toEqual([c.stages, c.stages]);
        return { result: cat(hi.result, lo.result), latency: c.stages };
      });
      const ops = c.hi.f === c.lo.f ? operandPairs(c.hi.f, c.n, 1000 + c.stages)
        : concat(operandPairs(c.hi.f, c.n / 2, 1000 + c.stages), operandPairs(c.lo.f, c.n / 2, 2000 + c.stages));
      const gh = gold[c.hi.op], gl = gold[c.lo.op];
      await checkOp(top, ops.a, ops.b, 32, (x, y) => (gh(c.hi.f, x, y) << 16) | gl(c.lo.f, x, y), { seed: 7 + c.stages, stall: c.stall });
    });
  }

  it('latency equals stages; the Verilog is lint-clean (verilator -Wall, iverilog)', async () => {
    for (const stages of [0, 1, 2, 3, 4, 5]) {
      const top = opModule(`t_fpadd_lint_s${stages}`, 16, (m, a, b, en) => {
        const r = fpAdd(m, 'add', FP16, a, b, { stages, enable: en });
        expect(r.latency).toBe(stages);
        return r;
      });
      if (stages === 0 || stages === 3 || stages === 5) expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
    }
    const sub = opModule('t_fpsub_lint_bf16', 16, (m, a, b, en) => fpSub(m, 'sub', BF16, a, b, { stages: 2, enable: en }));
    expect(await verilogProblems(writeDesign(sub), sub.name, { synth: false })).toEqual([]);
  });

  it('rejects bad stage counts', () => {
    expect(() => opModule('t_fpadd_bad', 16, (m, a, b) => fpAdd(m, 'add', FP16, a, b, { stages: 6 }))).toThrow(/stages must be 0\.\.5/);
  });
});
