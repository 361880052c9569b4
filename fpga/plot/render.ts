/**
 * Renders a Vega-Lite spec to SVG text in Node (no browser, no canvas): vega-lite compiles it to a
 * Vega spec, vega's headless View renders SVG. Text widths are estimated (no font metrics), which
 * only affects label layout. Same spec, same bytes.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type VegaLiteSpec = TopLevelSpec;

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
