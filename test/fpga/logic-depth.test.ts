import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { logicDepth } from '../../fpga/logic-depth.ts';
import { xc7DepthRules, xc7Resources } from '../../fpga/synth-xc7.ts';
import { ICE40_DEVICES, fitsLowerBound, ice40Resources, isCapacityError } from '../../fpga/synth-ice40.ts';
import { statCellTypes } from '../../fpga/yosys-stat.ts';

// A hand-made mapped netlist: in -> LUT -> LUT -> LUT -> FF1 -> LUT -> CARRY4 -> LUT6 -> FF2 -> LUT -> out
const cell = (type: string, ins: Record<string, number[]>, outs: Record<string, number[]>) => ({
  type,
  port_directions: { ...Object.fromEntries(Object.keys(ins).map((p) => [p, 'input'])), ...Object.fromEntries(Object.keys(outs).map((p) => [p, 'output'])) },
  connections: { ...ins, ...outs },
});
const netlist = JSON.stringify({
  modules: {
    top: {
      ports: { clk: { direction: 'input', bits: [1] }, a: { direction: 'input', bits: [2] }, y: { direction: 'output', bits: [20] } },
      cells: {
        l1: cell('LUT1', { I0: [2] }, { O: [3] }),
        l2: cell('LUT2', { I0: [3], I1: [2] }, { O: [4] }),
        l3: cell('INV', { I: [4] }, { O: [5] }),
        f1: cell('FDRE', { C: [1], D: [5], CE: ['1' as unknown as number], R: ['0' as unknown as number] }, { Q: [6] }),
        l4: cell('LUT3', { I0: [6], I1: [6], I2: [6] }, { O: [7] }),
        c1: cell('CARRY4', { S: [7, 7, 7, 7], CI: ['0' as unknown as number] }, { O: [8, 9, 10, 11], CO: [12, 13, 14, 15] }),
        l5: cell('LUT6', { I0: [11], I1: [6], I2: [6], I3: [6], I4: [6], I5: [6] }, { O: [16] }),
        f2: cell('FDSE', { C: [1], D: [16] }, { Q: [17] }),
        l6: cell('LUT1', { I0: [17] }, { O: [20] }),
      },
      netnames: { q1: { bits: [6] }, mid: { bits: [7], hide_name: 0 }, q2: { bits: [17] }, '$abc$16': { bits: [16], hide_name: 1 }, q2_SB_LUT4_O: { bits: [16] } },
    },
  },
});

describe('logic depth (LUT levels of a mapped netlist)', () => {
  it('counts LUT cells on the longest path; carry cells add no level; FFs cut paths', () => {
    expect(logicDepth(netlist, 'top', xc7DepthRules)).toEqual({ regToReg: 2, any: 3, path: ['q1', 'mid', null, 'q2'] });
  });
  it('names the deepest register-to-register path: start register, each LUT output (null: no design name), end register', () => {
    const nl = JSON.parse(netlist) as { modules: { top: { netnames?: unknown } } };
    delete nl.modules.top.netnames; // no names kept: the registers are named by their cell types
    expect(logicDepth(JSON.stringify(nl), 'top', xc7DepthRules).path).toEqual(['FDRE', null, null, 'FDSE']);
  });
  it('cuts a structural loop through a carry chain (the fp16 adder as Yosys synth_xilinx maps it) and counts the cut', () => {
    // test/fixtures/netlists/fpadd_fp16_s1.xc7.json: fpAdd(FP16, stages 1) in test/float/op-harness.ts's
    // opModule, YoWASP Yosys 0.55 synth_xilinx -flatten, reduced to cell types, directions and connections.
    // ABC shares XOR terms of the exponent subtractor with the swap comparator: CARRY4 CO[0] feeds LUTs
    // that feed the same CARRY4's inputs. It used to throw "combinational loop through a CARRY4 cell".
    const nl = readFileSync('test/fixtures/netlists/fpadd_fp16_s1.xc7.json', 'utf8');
    const d = logicDepth(nl, 't_fpadd_s1', xc7DepthRules);
    expect(d.loopsCut).toBe(2);
    expect(d.regToReg).toBeGreaterThan(0);
    expect(d.any).toBeGreaterThanOrEqual(d.regToReg);
    // the same loop, hand-made: a carry output through a LUT back into the carry's own input
    const small = JSON.stringify({
      modules: {
        top: {
          ports: { a: { direction: 'input', bits: [2] }, y: { direction: 'output', bits: [9] } },
          cells: {
            f: cell('FDRE', { D: [8] }, { Q: [3] }),
            l1: cell('LUT2', { I0: [3], I1: [4] }, { O: [5] }),
            c: cell('CARRY4', { S: [5, 2, 2, 2], DI: [3, 3, 3, 3], CI: ['0' as unknown as number] }, { O: [6, 10, 11, 12], CO: [4, 13, 14, 15] }),
            l2: cell('LUT1', { I0: [6] }, { O: [8] }),
            g: cell('FDRE', { D: [6] }, { Q: [9] }),
          },
        },
      },
    });
    expect(logicDepth(small, 'top', xc7DepthRules)).toMatchObject({ regToReg: 2, any: 2, loopsCut: 1 });
  });
  it('reports a combinational loop of LUTs instead of hanging', () => {
    const loop = JSON.stringify({
      modules: { top: { ports: {}, cells: { a: cell('LUT1', { I0: [3] }, { O: [2] }), b: cell('LUT1', { I0: [2] }, { O: [3] }), f: cell('FDRE', { D: [3] }, { Q: [4] }) } } },
    });
    expect(() => logicDepth(loop, 'top', xc7DepthRules)).toThrow(/combinational loop through 2 LUT cell/);
  });
});

describe('resource counting from stat -json', () => {
  it('sums LUT1..6 (+INV), flip-flops and block RAMs; drops $scopeinfo', () => {
    const stat = JSON.stringify({ design: { num_cells: 0, num_cells_by_type: { $scopeinfo: 1, LUT1: 1, LUT6: 4, INV: 1, FDRE: 3, FDCE: 2, CARRY4: 2, RAMB36E1: 1, SRLC32E: 2 } } });
    const cells = statCellTypes(stat, 'top');
    expect(cells.$scopeinfo).toBeUndefined();
    expect(xc7Resources(cells)).toEqual({ lut: 6, ff: 5, carry4: 2, muxf7: 0, muxf8: 0, dsp48e1: 0, ramb18e1: 0, ramb36e1: 1, lutMemory: 2 });
    expect(ice40Resources({ SB_LUT4: 7, SB_DFFE: 2, SB_DFFESR: 1, SB_CARRY: 3, SB_RAM40_4K: 1 })).toEqual({ lut4: 7, carry: 3, ff: 3, ram40_4k: 1, mac16: 0 });
  });
});

describe('iCE40 device choice', () => {
  it('treats nextpnr-ice40\'s placement failures as "does not fit this device", other errors not', () => {
    // nuq fp16 b2 D4 P1 opStages 3 on the UP5K (5288 of 5280 cells): the placer's message
    expect(isCapacityError('ERROR: Failed to expand region (0, 0) |_> (25, 31) of 5288 ICESTORM_LCs')).toBe(true);
    expect(isCapacityError('ERROR: Unable to find legal placement for cell \'$gbuf\' of type \'SB_GB\'')).toBe(true);
    expect(isCapacityError('ERROR: Unable to place cell \'x\', no BELs remaining')).toBe(true);
    expect(isCapacityError('ERROR: cell \'y\' has unconnected port')).toBe(false);
  });
  const [up5k, hx8k] = ICE40_DEVICES;
  const res = (lut4: number, ff: number, extra: Partial<{ ram40_4k: number; mac16: number }> = {}) => ({ lut4, ff, carry: 0, ram40_4k: 0, mac16: 0, ...extra });
  it('skips a device whose logic cells, RAMs or MACs cannot hold the design', () => {
    expect(fitsLowerBound(res(5000, 5280), up5k)).toBeNull();
    expect(fitsLowerBound(res(5000, 5281), up5k)).toBe('up5k: needs at least 5281 logic cells, has 5280');
    expect(fitsLowerBound(res(6000, 10), hx8k)).toBeNull();
    expect(fitsLowerBound(res(10, 10, { mac16: 1 }), hx8k)).toMatch(/SB_MAC16/);
    expect(fitsLowerBound(res(10, 10, { ram40_4k: 31 }), up5k)).toMatch(/SB_RAM40_4K/);
  });
});

describe('logic depth through carry chains and long paths', () => {
  it('a carry chain whose low sum bit feeds a LUT that feeds a higher carry bit is not a loop', () => {
    // FF -> CARRY4.S[0]; O[0] -> LUT -> S[1]; CO[3] -> FF: depth counts the one LUT.
    const nl = JSON.stringify({
      modules: {
        top: {
          ports: {},
          cells: {
            f0: cell('FDRE', { D: [9] }, { Q: [2] }),
            c: cell('CARRY4', { S: [2, 5, 2, 2], DI: [2, 2, 2, 2], CI: ['0' as unknown as number] }, { O: [3, 6, 7, 8], CO: [10, 11, 12, 9] }),
            l: cell('LUT1', { I0: [3] }, { O: [5] }),
            f1: cell('FDRE', { D: [8] }, { Q: [20] }),
          },
        },
      },
    });
    expect(logicDepth(nl, 'top', xc7DepthRules)).toMatchObject({ regToReg: 1, any: 1 });
  });

  it('a 200,000-LUT chain does not overflow the stack', () => {
    const cells: Record<string, unknown> = { f0: cell('FDRE', { D: [1] }, { Q: [2] }) };
    const n = 200_000;
    for (let i = 0; i < n; i++) cells[`l${i}`] = cell('LUT1', { I0: [2 + i] }, { O: [3 + i] });
    cells.f1 = cell('FDRE', { D: [2 + n] }, { Q: [1] });
    const nl = JSON.stringify({ modules: { top: { ports: {}, cells } } });
    expect(logicDepth(nl, 'top', xc7DepthRules).regToReg).toBe(n);
  });
});
