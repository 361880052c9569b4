/** `kvhdl calibrate`: Top-theta thresholds per (layer, head, row-length bucket) from sample score rows. */
import { commitSingleFile, precheckSingleFile } from '../../output/index.ts';
import { outPathArg } from '../out-arg.ts';
import { parse, UsageError, type Command } from '../args.ts';
import { integerOption, numberOption } from '../numeric-option.ts';
import { InputError } from './unit-io.ts';
import { readNpyFile } from '../../data/npy.ts';
import { loadConfig } from '../../gen/config.ts';
import { readJsonFile } from '../../gen/json-file.ts';
import { JsonTextError } from '../../gen/json-text.ts';
import { selectorUnit } from '../../gen/selector/index.ts';
import type { SelectorConfig } from '../../gen/selector/config.ts';
import { calibrate, type CalibrationRow } from '../../gen/selector/calibrate.ts';
import { parseRowsMeta, scoresMatrix } from '../../gen/selector/stimulus.ts';

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: 'calibrate Top-theta thresholds (selector threshold mode) from sample score rows',
  usage: `usage: kvhdl calibrate --scores rows.npy --meta rows.json --k K --sigma c --out thresholds.json [--buckets n0,n1,...] [--config f.json]

Computes theta per (layer, head, row-length bucket) as gen/selector/README.md "Calibration" states:
per row (n > K) the lower quantile at 1 - K/n (the (K+1)-th largest score), per cell
floor(mean + c * std) over its rows. Prints the rows per cell.
  --scores rows.npy   integer scores [rows, C]; row r uses its first lengths[r] entries
  --meta rows.json    { "lengths": [...], "heads": [...], "layers": [...] }, one entry per row
  --k K               kept scores per row the thresholds aim at (the selector's k, 1..65536)
  --sigma c           standard deviations added to the mean (Top-theta's calib_add_sigma; may be negative)
  --out F             thresholds.json to write
  --buckets LIST      calibrated row lengths, ascending (default: the config's rowBuckets, else every length > K seen)
  --config f.json     selector config: rowBuckets, heads and layers (and its k must equal --k)`,
  async run(argv) {
    const { values, help } = parse(this, argv, {
      scores: { type: 'string' }, meta: { type: 'string' }, k: { type: 'string' }, sigma: { type: 'string' },
      out: { type: 'string' }, buckets: { type: 'string' }, config: { type: 'string' },
    }, { min: 0, max: 0 });
    if (help) return console.log(this.usage), 0;
    for (const o of ['scores', 'meta', 'k', 'sigma', 'out'] as const) if (typeof values[o] !== 'string') throw new UsageError(`--${o} is required`, this.usage);
    const k = integerOption('k', values.k as string, this.usage, 1, 65536);
    const sigma = numberOption('sigma', values.sigma as string, this.usage, 'a finite number (negative allowed)');
    const outFile = outPathArg(values.out, '--out', this.usage);
    precheckSingleFile(
      outFile,
      'kvhdl calibrate',
      Object.fromEntries((['scores', 'meta', 'config'] as const).filter((o) => typeof values[o] === 'string').map((o) => [`--${o}`, values[o] as string])),
    );
    const cfg = values.config ? loadConfig<SelectorConfig>(selectorUnit, values.config as string) : null;
    if (cfg && cfg.k !== k) throw new UsageError(`--k ${k} differs from the config's k (${cfg.k})`, this.usage);
    let buckets: number[] | null = null;
    if (typeof values.buckets === 'string') {
      buckets = values.buckets.split(',').map((x) => (/^\s*\d+\s*$/.test(x) ? Number(x) : NaN));
      if (buckets.some((b, i) => !Number.isInteger(b) || b < 1 || (i > 0 && b <= buckets![i - 1]))) throw new UsageError(`--buckets must be strictly increasing positive integers, got '${values.buckets}'`, this.usage);
    } else if (cfg) buckets = cfg.rowBuckets;

    const arr = await readNpyFile(values.scores as string);
    let metaJson: unknown;
    try {
      metaJson = readJsonFile(values.meta as string);
    } catch (e) {
      if (e instanceof JsonTextError) throw new InputError(`--meta ${values.meta}: ${e.message}`);
      throw e;
    }
    let rows: CalibrationRow[];
    let heads: number;
    let layers: number;
    try {
      const m = scoresMatrix(arr, null, '--scores');
      const meta = parseRowsMeta(metaJson, m.rows, { maxRow: m.cols, heads: cfg?.heads, layers: cfg?.layers });
      rows = meta.lengths.map((n, r) => ({ layer: meta.layers[r], head: meta.heads[r], scores: Array.from({ length: n }, (_, c) => m.at(r, c)) }));
      heads = cfg ? cfg.heads : meta.heads.reduce((a, b) => Math.max(a, b), 0) + 1;
      layers = cfg ? cfg.layers : meta.layers.reduce((a, b) => Math.max(a, b), 0) + 1;
      if (!buckets) {
        buckets = [...new Set(meta.lengths.filter((n) => n > k))].sort((a, b) => a - b);
        if (!buckets.length) throw new Error(`no row is longer than k = ${k}: nothing to calibrate`);
      }
    } catch (e) {
      throw new InputError(`--scores ${values.scores}, --meta ${values.meta}: ${(e as Error).message}`);
    }
    const table = calibrate(rows, { k, sigma, buckets, heads, layers, scoreBits: cfg?.scoreBits });
    commitSingleFile(outFile, JSON.stringify(table) + '\n', 'kvhdl calibrate');
    console.log(`calibrate: k=${k} sigma=${sigma} buckets=[${buckets.join(', ')}], ${rows.length} rows; rows per cell (layer, head: per bucket):`);
    table.rows!.forEach((l, li) => l.forEach((h, hi) => console.log(`  layer ${li} head ${hi}: ${h.join(' ')}`)));
    console.log(`wrote ${values.out as string}`);
    return 0;
  },
};
