/** Reading Yosys's `stat -json` output (never its text report). */

interface StatBlock {
  num_cells?: number;
  num_cells_by_type?: Record<string, number>;
}

/**
 * Cell counts by type for `top` from a `stat -json` file: the `design` totals when present
 * (hierarchy expanded), else the top module's block. Yosys's bookkeeping cells (`$scopeinfo`,
 * which only records flattened hierarchy) are left out.
 */
export function statCellTypes(statJson: string, top: string): Record<string, number> {
  const stat = JSON.parse(statJson) as { design?: StatBlock; modules?: Record<string, StatBlock> };
  const block = stat.design ?? stat.modules?.[`\\${top}`] ?? stat.modules?.[top];
  if (!block || !block.num_cells_by_type) throw new Error(`yosys stat -json has no cell counts for '${top}'`);
  const out: Record<string, number> = {};
  for (const [type, n] of Object.entries(block.num_cells_by_type).sort(([a], [b]) => a.localeCompare(b))) {
    if (type === '$scopeinfo') continue;
    out[type] = n;
  }
  return out;
}

/** Sum of the counts of the types that `pick` accepts. */
export function countCells(cellTypes: Record<string, number>, pick: (type: string) => boolean): number {
  let n = 0;
  for (const [t, c] of Object.entries(cellTypes)) if (pick(t)) n += c;
  return n;
}
