/**
 * Elaboration + Verilog emission time for each unit's default configuration and for one large
 * configuration (many lanes, deep pipelined trees: thousands of IR nodes).
 */
import { emitDesign, collectModules, type Module } from '../hdl/index.ts';
import { units, findUnit } from '../gen/registry.ts';
import { parseConfig } from '../gen/config.ts';
import { forEachExprIn } from '../hdl/core/stmt-tree.ts';
import type { Expr } from '../hdl/index.ts';
import { medianMs, writeResult } from './result.ts';

function irSize(top: Module): { statements: number; exprNodes: number; signals: number } {
  let exprNodes = 0;
  let statements = 0;
  let signals = 0;
  const count = (e: Expr): void => {
    exprNodes++;
    const n = e.node;
    if (n.op === 'bin') { count(n.a); count(n.b); }
    else if (n.op === 'un' || n.op === 'slice' || n.op === 'rep' || n.op === 'ext' || n.op === 'cast') count(n.a);
    else if (n.op === 'index') { count(n.a); count(n.idx); }
    else if (n.op === 'cat') n.parts.forEach(count);
    else if (n.op === 'mux') { count(n.c); count(n.a); count(n.b); }
  };
  for (const m of collectModules(top)) {
    signals += m.signals.length;
    forEachExprIn(m.body, (e) => { statements++; count(e); });
  }
  return { statements, exprNodes, signals };
}

export function benchElaboration(): void {
  for (const u of units) {
    const cfg = parseConfig(u, {});
    const ms = medianMs(() => emitDesign(u.build(cfg)), 20);
    writeResult({ name: `elab-${u.name}-default`, metric: 'elaborate+emit time (median of 20)', value: ms, unit: 'ms', config: cfg, ...irSize(u.build(cfg)) });
  }
  const minmax = findUnit('minmax')!;
  const big = parseConfig(minmax, { lanes: 256, width: 32, stages: 8 });
  const elabOnly = medianMs(() => minmax.build(big), 5);
  const total = medianMs(() => emitDesign(minmax.build(big)), 5);
  writeResult({
    name: 'elab-minmax-large',
    metric: 'elaborate+emit time (median of 5), 256 lanes x 32 bits, 8-stage trees',
    value: total,
    unit: 'ms',
    elaborateOnlyMs: elabOnly,
    config: big,
    ...irSize(minmax.build(big)),
  });
}
