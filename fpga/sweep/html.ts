/**
 * sweep.html: one self-contained page (no network, no external files): the sweep's facts, the SVG
 * plots inline, and the table with one row per point, sortable by clicking a column header.
 */
import type { Plot } from './plots.ts';
import type { SweepResult } from './run.ts';
import { sweepColumns } from './table.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const SORT_SCRIPT = `
document.querySelectorAll('table.sweep th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0];
    var numeric = th.dataset.numeric === '1';
    var dir = th.dataset.dir === 'asc' ? 'desc' : 'asc';
    table.querySelectorAll('th').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = dir;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent, y = b.cells[col].textContent, c;
      if (numeric) {
        var nx = x === '' ? Infinity : Number(x), ny = y === '' ? Infinity : Number(y);
        c = nx - ny;
      } else c = x.localeCompare(y);
      return dir === 'asc' ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
`;

export function sweepHtml(r: SweepResult, plots: readonly Plot[]): string {
  const cols = sweepColumns(r);
  const facts = [
    `unit <b>${esc(r.unit)}</b>`,
    `${r.points.length} point(s)${r.shard ? ` (shard ${r.shard.index}/${r.shard.count} of ${r.totalPoints})` : ''}`,
    `targets ${esc(r.targets.join(', ') || 'none')}`,
    `EDA back end ${esc(r.backend)}`,
    `throughput from ${r.simTransactions} input transactions without stalls`,
    esc(r.generator),
  ];
  const problems = [
    ...r.failed.map((f) => `point #${f.index} ${esc(JSON.stringify(f.config))} failed: ${esc(f.error.split('\n')[0])}`),
    ...r.invalid.map((i) => `skipped ${esc(i.errors.join('; '))}`),
    ...r.points.flatMap((p) => (p.problems ?? []).map((pr) => `point #${p.index} ${esc(JSON.stringify(p.config))}: ${esc(pr)} (not cached: a rerun tries again)`)),
  ];
  const cell = (v: string | number | boolean | null) => (v === null ? '' : esc(String(v)));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kvhdl sweep: ${esc(r.unit)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
figure { display: inline-block; margin: 0 1.5em 1.5em 0; vertical-align: top; }
figcaption { font-size: 0.9em; color: #555; }
table.sweep { border-collapse: collapse; font-size: 0.85em; }
table.sweep th, table.sweep td { border: 1px solid #ccc; padding: 2px 6px; }
table.sweep th { background: #f0f0f0; cursor: pointer; user-select: none; position: sticky; top: 0; }
table.sweep th[data-dir="asc"]::after { content: " \\25B2"; }
table.sweep th[data-dir="desc"]::after { content: " \\25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>kvhdl sweep: ${esc(r.unit)}</h1>
<p>${facts.join(' &middot; ')}</p>
${problems.length ? `<ul class="problems">\n${problems.map((p) => `<li>${p}</li>`).join('\n')}\n</ul>` : ''}
<section class="plots">
${plots.map((p) => `<figure class="plot" id="plot-${esc(p.file.replace(/\.svg$/, ''))}">\n${p.svg}\n<figcaption>${esc(p.title)} (plots/${esc(p.file)})</figcaption>\n</figure>`).join('\n')}
</section>
<h2>Points</h2>
<p>Click a column header to sort.</p>
<table class="sweep">
<thead><tr>${cols.map((c) => `<th data-numeric="${c.numeric ? 1 : 0}">${esc(c.header)}</th>`).join('')}</tr></thead>
<tbody>
${r.points.map((p) => `<tr>${cols.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${cell(c.get(p))}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table>
<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}
