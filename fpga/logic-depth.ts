/**
 * Logic depth of a technology-mapped netlist (Yosys `write_json`): the largest number of LUT cells
 * on any combinational path. Sequential cells (flip-flops, block RAMs, DSPs) start and end paths;
 * cells that are neither LUTs nor sequential (carry chains, wide-function muxes, buffers) pass
 * paths through without adding a level. Two figures:
 * - `regToReg`: paths that start at a sequential cell's output and end at a sequential cell's input;
 * - `any`: also paths from primary inputs and to primary outputs.
 */

export interface DepthRules {
  /** Cell types that count one level each (e.g. LUT1..LUT6, SB_LUT4). */
  isLut(type: string): boolean;
  /** Cell types whose outputs start and whose inputs end paths (flip-flops, RAMs, DSPs). */
  isSequential(type: string): boolean;
}

export interface LogicDepth {
  regToReg: number;
  any: number;
}

type Bit = number | string;

interface JsonCell {
  type: string;
  port_directions?: Record<string, 'input' | 'output' | 'inout'>;
  connections: Record<string, Bit[]>;
}

interface JsonModule {
  ports?: Record<string, { direction: 'input' | 'output' | 'inout'; bits: Bit[] }>;
  cells?: Record<string, JsonCell>;
}

export function logicDepth(netlistJson: string, top: string, rules: DepthRules): LogicDepth {
  const nl = JSON.parse(netlistJson) as { modules: Record<string, JsonModule> };
  const mod = nl.modules[top];
  if (!mod) throw new Error(`netlist has no module '${top}' (modules: ${Object.keys(nl.modules).join(', ')})`);
  const cells = Object.values(mod.cells ?? {});
  const driver = new Map<number, JsonCell>();
  for (const c of cells) {
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions?.[port] !== 'output') continue;
      for (const b of bits) if (typeof b === 'number') driver.set(b, c);
    }
  }
  const NONE = Number.NEGATIVE_INFINITY;
  // Per bit: [levels from any start, levels from a sequential start] (-inf: no such path).
  const memo = new Map<number, [number, number]>();
  const cellMemo = new Map<JsonCell, [number, number]>();
  const onStack = new Set<JsonCell>();

  const bitDepth = (b: Bit): [number, number] => {
    if (typeof b !== 'number') return [0, NONE]; // constant
    const m = memo.get(b);
    if (m) return m;
    const c = driver.get(b);
    let r: [number, number];
    if (!c) r = [0, NONE]; // primary input (or undriven)
    else if (rules.isSequential(c.type)) r = [0, 0];
    else r = cellDepth(c);
    memo.set(b, r);
    return r;
  };
  const cellDepth = (c: JsonCell): [number, number] => {
    const m = cellMemo.get(c);
    if (m) return m;
    if (onStack.has(c)) throw new Error(`combinational loop through a ${c.type} cell in the mapped netlist`);
    onStack.add(c);
    let any = 0;
    let fromReg = NONE;
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions?.[port] !== 'input') continue;
      for (const b of bits) {
        const [a, r] = bitDepth(b);
        any = Math.max(any, a);
        fromReg = Math.max(fromReg, r);
      }
    }
    onStack.delete(c);
    const w = rules.isLut(c.type) ? 1 : 0;
    const res: [number, number] = [any + w, fromReg + w];
    cellMemo.set(c, res);
    return res;
  };

  let any = 0;
  let regToReg = 0;
  for (const c of cells) {
    if (!rules.isSequential(c.type)) continue;
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions?.[port] !== 'input') continue;
      for (const b of bits) {
        const [a, r] = bitDepth(b);
        any = Math.max(any, a);
        if (r > regToReg) regToReg = r;
      }
    }
  }
  for (const p of Object.values(mod.ports ?? {})) {
    if (p.direction !== 'output') continue;
    for (const b of p.bits) any = Math.max(any, bitDepth(b)[0]);
  }
  return { regToReg, any };
}
