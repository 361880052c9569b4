/** Combinational loop detection over wires, outputs and instance ports (registers break paths). */
import type { Signal } from '../expr.ts';
import type { Instance, Stmt } from '../ir.ts';
import { pruneFor, readsOf } from '../stmt-tree.ts';

const combKinds = new Set(['wire', 'output', 'instin', 'instout', 'input']);

/** For each combinational signal, the combinational signals it reads (directly). */
export function combDeps(signals: readonly Signal[], body: readonly Stmt[], instances: readonly Instance[]): Map<Signal, Signal[]> {
  const deps = new Map<Signal, Signal[]>();
  for (const s of signals) {
    if (s.kind === 'wire' || s.kind === 'output' || s.kind === 'instin') {
      deps.set(s, [...readsOf(pruneFor(body, s))].filter((r) => combKinds.has(r.kind)));
    }
  }
  for (const inst of instances) {
    for (const [port, sig] of inst.ports) {
      if (sig.kind !== 'instout') continue;
      const ins = inst.module.combPaths.get(port) ?? new Set<string>();
      deps.set(sig, [...ins].map((p) => inst.ports.get(p)).filter((x): x is Signal => !!x));
    }
  }
  return deps;
}

/** Each combinational cycle, as the list of signals along it (first signal repeated at the end). */
export function findLoops(deps: Map<Signal, Signal[]>): Signal[][] {
  // Tarjan's strongly connected components, iteration order = declaration order (deterministic).
  let index = 0;
  const idx = new Map<Signal, number>();
  const low = new Map<Signal, number>();
  const onStack = new Set<Signal>();
  const stack: Signal[] = [];
  const sccs: Signal[][] = [];
  const visit = (v: Signal) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of deps.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: Signal[] = [];
      let w: Signal;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      const selfLoop = comp.length === 1 && (deps.get(v) ?? []).includes(v);
      if (comp.length > 1 || selfLoop) sccs.push(comp);
    }
  };
  for (const v of deps.keys()) if (!idx.has(v)) visit(v);
  // Turn each component into one concrete cycle: walk from its first-declared member.
  const order = [...deps.keys()];
  return sccs.map((comp) => {
    const members = new Set(comp);
    const start = order.find((s) => members.has(s))!;
    const path = [start];
    const seen = new Set([start]);
    const walk = (v: Signal): boolean => {
      for (const w of deps.get(v) ?? []) {
        if (w === start) return true;
        if (members.has(w) && !seen.has(w)) {
          seen.add(w);
          path.push(w);
          if (walk(w)) return true;
          path.pop();
        }
      }
      return false;
    };
    walk(start);
    // deps point from a signal to what it reads; print in data-flow order (driver -> driven).
    const cycle = [start, ...path.slice(1).reverse()];
    return [...cycle, start];
  });
}

/** For each output: the inputs reachable through combinational dependencies. */
export function combPathsOf(ports: readonly Signal[], deps: Map<Signal, Signal[]>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const p of ports) {
    if (p.kind !== 'output') continue;
    const seen = new Set<Signal>();
    const ins = new Set<string>();
    const todo = [p];
    while (todo.length) {
      const v = todo.pop()!;
      for (const w of deps.get(v) ?? []) {
        if (seen.has(w)) continue;
        seen.add(w);
        if (w.kind === 'input') ins.add(w.name);
        else todo.push(w);
      }
    }
    out.set(p.name, ins);
  }
  return out;
}
