/**
 * Logic depth of a technology-mapped netlist (Yosys `write_json`): the largest number of LUT cells
 * on any combinational path. Sequential cells (flip-flops, block RAMs, DSPs) start and end paths;
 * cells that are neither LUTs nor sequential (carry chains, wide-function muxes, buffers) pass
 * paths through without adding a level. Two figures:
 * - `regToReg`: paths that start at a sequential cell's output and end at a sequential cell's input;
 * - `any`: also paths from primary inputs and to primary outputs.
 *
 * Structural loops. ABC may share logic between a carry chain's inputs and a function of its own
 * carry outputs (the fp16 adder's swap comparator and exponent subtractor share XOR terms), giving a
 * netlist loop through a carry (or wide-mux) cell that is not a functional one. As static timing
 * does, such a loop is cut at one arc: the dependency that closes it is treated as a path start
 * (no LUT level, not a register). The count of cut arcs is returned (`loopsCut`, absent when 0). A
 * loop of LUTs alone is a real combinational loop and still an error.
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
  /** Structural loops through carry / wide-mux cells cut for the count (absent when none). */
  loopsCut?: number;
  /**
   * The deepest register-to-register path: the start register's name, one entry per LUT level (the
   * design's signal name of that LUT's output where Yosys kept one, else null), the end register's
   * name. Empty when there is no register-to-register path.
   */
  path: (string | null)[];
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
  netnames?: Record<string, { bits: Bit[]; hide_name?: number }>;
}

/** Per net bit, a name Yosys kept from the design (null: only generated `$` names). */
function bitNames(mod: JsonModule): Map<number, string | null> {
  const names = new Map<number, string | null>();
  // names Yosys derived from a cell (`x_SB_DFFE_Q_D_SB_LUT4_O`, `$abc$...`) are not the design's
  const score = (n: string, hidden: boolean) => (hidden || n.startsWith('$') ? 2 : n.includes('$') || /_SB_[A-Z]/.test(n) ? 1 : 0);
  const best = new Map<number, number>();
  for (const [n, net] of Object.entries(mod.netnames ?? {})) {
    const sc = score(n, net.hide_name === 1);
    net.bits.forEach((b, i) => {
      if (typeof b !== 'number') return;
      const prev = best.get(b);
      const label = net.bits.length > 1 ? `${n}[${i}]` : n;
      if (prev === undefined || sc < prev || (sc === prev && label < (names.get(b) ?? ''))) {
        best.set(b, sc);
        names.set(b, sc === 0 ? label : null);
      }
    });
  }
  return names;
}

export function logicDepth(netlistJson: string, top: string, rules: DepthRules): LogicDepth {
  const nl = JSON.parse(netlistJson) as { modules: Record<string, JsonModule> };
  const mod = nl.modules[top];
  if (!mod) throw new Error(`netlist has no module '${top}' (modules: ${Object.keys(nl.modules).join(', ')})`);
  const cells = Object.values(mod.cells ?? {});

  // Each output bit of each cell is one node. A cell with several output bits (a carry chain:
  // CARRY4's O[i]/CO[i]) is modelled bit by bit: output bit i depends on bits 0..i of each
  // multi-bit input port and on every 1-bit input (CI, CYINIT). Modelling it as one node would
  // invent loops through a carry chain that feeds LUTs that feed the same chain.
  interface Node {
    cell: JsonCell;
    index: number;
    seq: boolean;
  }
  const driver = new Map<number, Node>();
  const outBits = new Map<JsonCell, number>();
  for (const c of cells) {
    let n = 0;
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions?.[port] !== 'output') continue;
      bits.forEach((b, i) => {
        if (typeof b === 'number') driver.set(b, { cell: c, index: i, seq: rules.isSequential(c.type) });
      });
      n += bits.length;
    }
    outBits.set(c, n);
  }
  const inputsOf = (node: Node): Bit[] => {
    const c = node.cell;
    const single = (outBits.get(c) ?? 0) <= 1;
    const out: Bit[] = [];
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions?.[port] !== 'input') continue;
      if (single || bits.length === 1) out.push(...bits);
      else out.push(...bits.slice(0, node.index + 1));
    }
    return out;
  };

  const NONE = Number.NEGATIVE_INFINITY;
  // Per bit: [levels from any start, levels from a sequential start] (-inf: no such path).
  const memo = new Map<number, [number, number]>();
  // Per bit: the dependency on its deepest path from a sequential start.
  const via = new Map<number, number>();
  const onPath = new Set<number>();
  // Arcs (consumer bit -> dependency bit) cut to break structural loops.
  const cut = new Map<number, Set<number>>();
  const isCut = (from: number, dep: Bit) => typeof dep === 'number' && (cut.get(from)?.has(dep) ?? false);
  const leaf = (b: Bit): [number, number] | undefined => {
    if (typeof b !== 'number') return [0, NONE]; // constant
    const m = memo.get(b);
    if (m) return m;
    const d = driver.get(b);
    if (!d) return [0, NONE]; // primary input (or undriven)
    if (d.seq) return [0, 0];
    return undefined;
  };
  // Iterative depth-first evaluation (deep carry chains would overflow a recursive one).
  const bitDepth = (root: Bit): [number, number] => {
    const l = leaf(root);
    if (l) return l;
    const stack: { bit: number; deps: Bit[] }[] = [];
    const enter = (bit: number) => {
      onPath.add(bit);
      stack.push({ bit, deps: inputsOf(driver.get(bit)!) });
    };
    enter(root as number);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const pending = top.deps.find((d) => !isCut(top.bit, d) && !leaf(d));
      if (pending !== undefined) {
        if (onPath.has(pending as number)) {
          // The loop is the stack from `pending` up to `top`, closed by the arc top <- pending.
          const from = stack.findIndex((e) => e.bit === pending);
          const loop = stack.slice(from).map((e) => driver.get(e.bit)!.cell.type);
          if (loop.every((t) => rules.isLut(t))) {
            throw new Error(`combinational loop through ${loop.length} LUT cell(s) (${[...new Set(loop)].join(', ')}) in the mapped netlist`);
          }
          if (!cut.has(top.bit)) cut.set(top.bit, new Set());
          cut.get(top.bit)!.add(pending as number);
          continue;
        }
        enter(pending as number);
        continue;
      }
      let any = 0;
      let fromReg = NONE;
      for (const d of top.deps) {
        const [a, r] = isCut(top.bit, d) ? [0, NONE] : leaf(d)!;
        any = Math.max(any, a);
        if (r > fromReg) {
          fromReg = r;
          if (typeof d === 'number') via.set(top.bit, d);
        }
      }
      const w = rules.isLut(driver.get(top.bit)!.cell.type) ? 1 : 0;
      memo.set(top.bit, [any + w, fromReg + w]);
      onPath.delete(top.bit);
      stack.pop();
    }
    return memo.get(root as number)!;
  };

  let any = 0;
  let regToReg = 0;
  let worst: { bit: number; cell: JsonCell } | undefined;
  for (const c of cells) {
    if (!rules.isSequential(c.type)) continue;
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions?.[port] !== 'input') continue;
      for (const b of bits) {
        const [a, r] = bitDepth(b);
        any = Math.max(any, a);
        if (typeof b === 'number' && (r > regToReg || (worst === undefined && r === regToReg))) {
          regToReg = r;
          worst = { bit: b, cell: c };
        }
      }
    }
  }
  const path = worst === undefined ? [] : tracePath(worst.bit, worst.cell, via, driver, rules, bitNames(mod));
  const names = bitNames(mod);
  const seen = new Map<string, number>();
  const rows: string[] = [];
  for (const c of cells) {
    if (!rules.isSequential(c.type)) continue;
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions?.[port] !== 'input') continue;
      for (const b of bits) {
        if (typeof b !== 'number') continue;
        const r = bitDepth(b)[1];
        if (r <= (globalThis as any).LIMIT) continue;
        const pth = tracePath(b, c, via, driver, rules, names);
        const key = String(pth[0]).replace(/\[\d+\]/g, '') + ' => ' + String(pth[pth.length - 1]).replace(/\[\d+\]/g, '');
        if ((seen.get(key) ?? -1) >= r) continue;
        seen.set(key, r);
        rows.push(`${r}\t${key}\t${pth.filter((x) => x).join(' > ')}`);
      }
    }
  }
  (globalThis as any).DEEP = rows;
  for (const p of Object.values(mod.ports ?? {})) {
    if (p.direction !== 'output') continue;
    for (const b of p.bits) any = Math.max(any, bitDepth(b)[0]);
  }
  const loopsCut = [...cut.values()].reduce((n, s) => n + s.size, 0);
  return loopsCut ? { regToReg, any, loopsCut, path } : { regToReg, any, path };
}

/** Names along the deepest path ending at `end` (an input of `endCell`); see LogicDepth.path. */
function tracePath(
  end: number,
  endCell: JsonCell,
  via: Map<number, number>,
  driver: Map<number, { cell: JsonCell; seq: boolean }>,
  rules: DepthRules,
  names: Map<number, string | null>,
): (string | null)[] {
  const out: (string | null)[] = [];
  const cellName = (c: JsonCell) => {
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions?.[port] !== 'output') continue;
      for (const b of bits) if (typeof b === 'number' && names.get(b)) return names.get(b)!;
    }
    return c.type;
  };
  let b: number | undefined = end;
  while (b !== undefined) {
    const d = driver.get(b);
    if (!d) break;
    if (d.seq) {
      out.push(names.get(b) ?? cellName(d.cell));
      break;
    }
    if (rules.isLut(d.cell.type)) out.push(names.get(b) ?? null);
    b = via.get(b);
  }
  out.reverse();
  out.push(cellName(endCell));
  return out;
}

import * as fs from 'node:fs';
import { xc7DepthRules } from './fpga/synth-xc7.ts';
const [file, top, lim] = process.argv.slice(2);
(globalThis as any).LIMIT = Number(lim ?? 8);
const d = logicDepth(fs.readFileSync(file, 'utf8'), top, xc7DepthRules);
console.log('regToReg', d.regToReg);
const best = new Map<string, string>();
for (const r of (globalThis as any).DEEP as string[]) { const [n, k] = r.split('\t'); const prev = best.get(k); if (!prev || Number(prev.split('\t')[0]) < Number(n)) best.set(k, r); }
console.log([...best.values()].sort((a, b) => Number(b.split('\t')[0]) - Number(a.split('\t')[0])).slice(0, 2000).join('\n'));
