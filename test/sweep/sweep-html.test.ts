/**
 * sweep.html as a person sees it: a real (small) sweep of minmax with xc7 synthesis, its page
 * rendered in headless Chromium (Debian's `chromium`, driven by playwright-core), screenshot
 * decoded with pngjs: every plot's region must hold drawn marks (coloured pixels), the table must
 * have one row per point and sort on a header click; every SVG is also checked structurally.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { chromium } from 'playwright-core';
import { minmaxUnit } from '../../gen/minmax/index.ts';
import { expandGrid, parseGrid } from '../../fpga/sweep/grid.ts';
import { runSweep } from '../../fpga/sweep/run.ts';
import { writeSweep } from '../../fpga/sweep/write.ts';
import { findOnPath } from '../../toolchain/tools.ts';
import { needTools } from '../helpers/tools.ts';
import { checkSvg } from '../helpers/svg-check.ts';

needTools('verilator', 'ccache', 'yosys', 'chromium');

/** Pixels in a box that are clearly coloured (not white, not grey: the dots, the front, the mean lines). */
function colouredPixels(png: PNG, box: { x: number; y: number; width: number; height: number }): number {
  let n = 0;
  for (let y = Math.floor(box.y); y < Math.min(png.height, box.y + box.height); y++) {
    for (let x = Math.floor(box.x); x < Math.min(png.width, box.x + box.width); x++) {
      const i = (y * png.width + x) * 4;
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
    }
  }
  return n;
}

describe('sweep.html in headless Chromium', () => {
  it('draws every plot and lists one sortable row per point', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-sweep-html-'));
    const grid = parseGrid({ base: { width: 4 }, fields: { lanes: [1, 2, 4], stages: [0, 1] } }, 'grid.json');
    const expanded = expandGrid(minmaxUnit, grid); // 5 valid points (lanes=1 stages=1 is invalid)
    const run = await runSweep(minmaxUnit, grid, expanded, {
      targets: ['xc7'], simTransactions: 16, backend: 'native', jobs: 2, pointCacheDir: path.join(dir, 'points'),
    });
    expect(run.result.failed).toEqual([]);
    const n = run.result.points.length;
    expect(n).toBe(5);
    await writeSweep(run.result, path.join(dir, 'out'), { command: 'kvhdl sweep' });
    const out = path.join(dir, 'out');

    const plots = readdirSync(path.join(out, 'plots')).sort();
    expect(plots).toEqual(['area-throughput.svg', 'effect-lanes.svg', 'effect-stages.svg']);
    const area = checkSvg(readFileSync(path.join(out, 'plots', 'area-throughput.svg'), 'utf8'));
    expect(area.marks.symbol).toBeGreaterThanOrEqual(n + 1); // every point's dot plus at least one Pareto ring
    expect(area.marks.line).toBe(1); // the front
    expect(area.texts).toEqual(expect.arrayContaining(['xc7 LUTs', 'input elements / cycle']));
    const effect = checkSvg(readFileSync(path.join(out, 'plots', 'effect-lanes.svg'), 'utf8'));
    expect(effect.marks.symbol).toBeGreaterThanOrEqual(2 * n); // area and throughput panels
    const html = readFileSync(path.join(out, 'sweep.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)=["']?(https?:|\/\/)/); // self-contained

    const browser = await chromium.launch({ executablePath: (await findOnPath('chromium', process.env.PATH))!, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
      await page.goto(`file://${path.join(out, 'sweep.html')}`);
      expect(await page.locator('table.sweep tbody tr').count()).toBe(n);
      // at the top of the page (scroll 0), so viewport boxes are page coordinates of the full-page screenshot
      const boxes = await page.locator('figure.plot svg').evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; }));
      expect(boxes).toHaveLength(plots.length);
      const png = PNG.sync.read(await page.screenshot({ fullPage: true }));
      for (const box of boxes) {
        expect(box.width * box.height).toBeGreaterThan(10_000);
        expect(colouredPixels(png, box)).toBeGreaterThan(100);
      }
      // the page's own background is blank: the coloured pixels come from the plots
      expect(colouredPixels(png, { x: 0, y: 0, width: png.width, height: 40 })).toBe(0);
      // sorting: click "xc7_lut" twice: descending
      const col = await page.locator('table.sweep th').allTextContents();
      const k = col.indexOf('xc7_lut');
      expect(k).toBeGreaterThan(0);
      const lutColumn = () => page.locator('table.sweep tbody tr').evaluateAll((rows, c) => rows.map((r) => Number(r.children[c].textContent)), k);
      await page.locator('table.sweep th').nth(k).click();
      const asc = await lutColumn();
      expect(asc).toEqual([...asc].sort((a, b) => a - b));
      await page.locator('table.sweep th').nth(k).click();
      const desc = await lutColumn();
      expect(desc).toEqual([...asc].reverse());
      expect(desc).toEqual(run.result.points.map((p) => p.xc7!.lut).sort((a, b) => b - a));
    } finally {
      await browser.close();
    }
  }, 300_000);
});
