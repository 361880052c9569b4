/** Walks over the statement tree shared by the checks and the emitter. */
import type { Expr, Signal } from './expr.ts';
import type { Stmt } from './ir.ts';

/**
 * The signals a when/switch statement assigns, computed once per statement: pruneFor runs for every
 * signal of a module (checks and emitter, after the body is complete), and without this it walked
 * every statement for every signal (quadratic: 48-lane selector, ~10 s of its elaboration).
 */
const targetsUnder = new WeakMap<Stmt, ReadonlySet<Signal>>();
function assigns(s: Stmt, target: Signal): boolean {
  let t = targetsUnder.get(s);
  if (!t) {
    t = targetsOf([s]);
    targetsUnder.set(s, t);
  }
  return t.has(target);
}

/** The statements that affect `target`, with their enclosing when/switch structure; [] if none. */
export function pruneFor(stmts: readonly Stmt[], target: Signal): Stmt[] {
  const out: Stmt[] = [];
  for (const s of stmts) {
    if (s.k === 'connect') {
      if (s.target === target) out.push(s);
    } else if (!assigns(s, target)) {
      continue;
    } else if (s.k === 'when') {
      const t = pruneFor(s.then, target);
      const e = pruneFor(s.else, target);
      if (t.length || e.length) out.push({ ...s, then: t, else: e });
    } else if (s.k === 'switch') {
      const cases = s.cases.map((c) => ({ ...c, body: pruneFor(c.body, target) }));
      const dflt = s.dflt ? pruneFor(s.dflt, target) : null;
      if (cases.some((c) => c.body.length) || (dflt && dflt.length)) out.push({ ...s, cases, dflt });
    }
  }
  return out;
}

/** The memory writes of a memory, with their enclosing structure. */
export function pruneMemWrites(stmts: readonly Stmt[], mem: unknown): Stmt[] {
  const out: Stmt[] = [];
  for (const s of stmts) {
    if (s.k === 'memwrite') {
      if (s.mem === mem) out.push(s);
    } else if (s.k === 'when') {
      const t = pruneMemWrites(s.then, mem);
      const e = pruneMemWrites(s.else, mem);
      if (t.length || e.length) out.push({ ...s, then: t, else: e });
    } else if (s.k === 'switch') {
      const cases = s.cases.map((c) => ({ ...c, body: pruneMemWrites(c.body, mem) }));
      const dflt = s.dflt ? pruneMemWrites(s.dflt, mem) : null;
      if (cases.some((c) => c.body.length) || (dflt && dflt.length)) out.push({ ...s, cases, dflt });
    }
  }
  return out;
}

/** True when every path through `stmts` assigns (stmts already pruned to one target). */
export function coversAllPaths(stmts: readonly Stmt[]): boolean {
  for (const s of stmts) {
    if (s.k === 'connect') return true;
    if (s.k === 'when' && coversAllPaths(s.then) && coversAllPaths(s.else)) return true;
    if (s.k === 'switch') {
      const allCases = s.cases.every((c) => coversAllPaths(c.body));
      const n = s.cases.reduce((k, c) => k + c.values.length, 0);
      const full = BigInt(n) === 1n << BigInt(s.sel.width);
      if (allCases && (full || (s.dflt !== null && coversAllPaths(s.dflt)))) return true;
    }
  }
  return false;
}

/** Every signal a statement list targets, in first-connect order. */
export function targetsOf(stmts: readonly Stmt[], out: Set<Signal> = new Set()): Set<Signal> {
  for (const s of stmts) {
    if (s.k === 'connect') out.add(s.target);
    else if (s.k === 'when') {
      targetsOf(s.then, out);
      targetsOf(s.else, out);
    } else if (s.k === 'switch') {
      for (const c of s.cases) targetsOf(c.body, out);
      if (s.dflt) targetsOf(s.dflt, out);
    }
  }
  return out;
}

/** Calls `fn` on each signal referenced by an expression. */
export function forEachRef(e: Expr, fn: (sig: Signal, e: Expr) => void): void {
  const n = e.node;
  switch (n.op) {
    case 'ref': fn(n.sig, e); break;
    case 'lit': break;
    case 'bin': forEachRef(n.a, fn); forEachRef(n.b, fn); break;
    case 'un': case 'slice': case 'rep': case 'ext': case 'cast': forEachRef(n.a, fn); break;
    case 'index': forEachRef(n.a, fn); forEachRef(n.idx, fn); break;
    case 'cat': for (const p of n.parts) forEachRef(p, fn); break;
    case 'mux': forEachRef(n.c, fn); forEachRef(n.a, fn); forEachRef(n.b, fn); break;
  }
}

/** Signals a pruned statement list reads: in values and in the conditions that guard them. */
export function readsOf(stmts: readonly Stmt[], out: Set<Signal> = new Set()): Set<Signal> {
  const add = (e: Expr) => forEachRef(e, (s) => out.add(s));
  for (const s of stmts) {
    if (s.k === 'connect') add(s.value);
    else if (s.k === 'memwrite') { add(s.addr); add(s.data); }
    else if (s.k === 'when') { add(s.cond); readsOf(s.then, out); readsOf(s.else, out); }
    else if (s.k === 'switch') {
      add(s.sel);
      for (const c of s.cases) readsOf(c.body, out);
      if (s.dflt) readsOf(s.dflt, out);
    }
  }
  return out;
}

/** Calls `fn` on every expression in the statement tree (values, conditions, selectors, addresses). */
export function forEachExprIn(stmts: readonly Stmt[], fn: (e: Expr) => void): void {
  for (const s of stmts) {
    if (s.k === 'connect') fn(s.value);
    else if (s.k === 'memwrite') { fn(s.addr); fn(s.data); }
    else if (s.k === 'when') { fn(s.cond); forEachExprIn(s.then, fn); forEachExprIn(s.else, fn); }
    else if (s.k === 'switch') {
      fn(s.sel);
      for (const c of s.cases) forEachExprIn(c.body, fn);
      if (s.dflt) forEachExprIn(s.dflt, fn);
    }
  }
}
