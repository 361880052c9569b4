/**
 * The critical path of `clock` from nextpnr's `--report` JSON (`critical_paths`), named in the
 * builder's terms: nextpnr names a cell after the net Yosys derived it from
 * (`core.plane_sum_SB_DFFE_Q_5_D_SB_LUT4_O_LC`), so cutting at the first `_SB_` / `$` gives the
 * design signal (`core.plane_sum`; `core.` is the pin wrapper's instance of the unit).
 */

/** One step of a nextpnr critical path. */
interface PnrPathStep {
  type: string;
  from: { cell: string; port?: string };
  to: { cell: string; port?: string };
  net?: string;
  delay: number;
}

interface PnrCriticalPath {
  from: string;
  to: string;
  path: PnrPathStep[];
}

export interface CriticalPath {
  /** Register (or port) the path starts at, as the builder named it. */
  from: string;
  /** Register (or port) it ends at. */
  to: string;
  /** Total delay in ns (clock-to-out + logic + routing + setup). */
  ns: number;
  logicNs: number;
  routingNs: number;
  /** Logic cells on the path (LUTs and carry steps). */
  cells: number;
  /** Signals whose logic the path goes through, in order, without repeats (cell names cut to the design name). */
  through: string[];
}

/** `core.plane_sum_SB_DFFE_Q_5_D_SB_LUT4_O_LC` -> `core.plane_sum`; `reset$sb_io` -> `reset`. */
export function designName(cell: string): string {
  const cut = cell.search(/_SB_|\$|_DFFLC$|_LC$/);
  return cut > 0 ? cell.slice(0, cut) : cell;
}

/**
 * The register-to-register critical path of the clock named `clock` in a nextpnr report, or
 * undefined when the report has none (a design without such paths, or an older nextpnr).
 */
export function criticalPathOf(report: unknown, clock: string): CriticalPath | undefined {
  const paths = (report as { critical_paths?: PnrCriticalPath[] }).critical_paths;
  if (!Array.isArray(paths)) return undefined;
  const isClock = (s: string) => s.includes(clock) && !s.includes('<async>');
  const p = paths.find((c) => isClock(c.from) && isClock(c.to) && Array.isArray(c.path) && c.path.length > 0);
  if (!p) return undefined;
  let ns = 0;
  let logicNs = 0;
  let routingNs = 0;
  let cells = 0;
  const through: string[] = [];
  for (const s of p.path) {
    ns += s.delay;
    if (s.type === 'logic') {
      logicNs += s.delay;
      cells++;
      const n = designName(s.from.cell);
      if (!n.startsWith('$') && !through.includes(n)) through.push(n); // $nextpnr_...: cells nextpnr made
    } else if (s.type === 'routing') {
      routingNs += s.delay;
    }
  }
  const from = designName(p.path[0].from.cell);
  const to = designName(p.path[p.path.length - 1].to.cell);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { from, to, ns: round(ns), logicNs: round(logicNs), routingNs: round(routingNs), cells, through: through.filter((n) => n !== from && n !== to) };
}

/** One line: `core.a -> core.b: 29.7 ns = 9.5 logic + 17.6 routing + 2.6 register, 12 cells, through core.x, core.y`. */
export function criticalPathText(c: CriticalPath): string {
  const via = c.through.length ? `, through ${c.through.slice(0, 6).join(', ')}${c.through.length > 6 ? ', ...' : ''}` : '';
  const reg = Math.max(0, c.ns - c.logicNs - c.routingNs);
  return `${c.from} -> ${c.to}: ${c.ns.toFixed(1)} ns = ${c.logicNs.toFixed(1)} logic + ${c.routingNs.toFixed(1)} routing + ${reg.toFixed(1)} register (clock-to-out, setup), ${c.cells} logic cells${via}`;
}
