/**
 * examples/dump_kv.py (README, gen/attention/README.md "Inputs from a model"): it compiles; its
 * argparse CLI names --model, --prompt/--text-file, --layer, --kv-head, --out-dir; it fails with one
 * line and exit code 2 without torch; its file writer (NumPy, no model needed) writes q.npy, k.npy,
 * v.npy with the dtypes and shapes `kvhdl golden attention` reads (fp16 and bf16 patterns, rounded
 * to nearest even), rows.json and dump.json, and `kvhdl golden attention` runs on them. The model
 * part is not run here: there is no model hub. NumPy is required (the test fails without it).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { readNpyFile } from '../../data/npy.ts';
import { Rng } from '../../data/rng.ts';
import { fpFromNumber } from '../../hdl/lib/float/golden/index.ts';
import { FORMATS } from '../../hdl/lib/float/format.ts';
import { needTools } from '../helpers/tools.ts';

needTools('numpy');

const SCRIPT = path.resolve('examples/dump_kv.py');
const bin = path.resolve('bin/kvhdl.js');
const py = (args: string[], env: Record<string, string> = {}) => execa('python3', args, { reject: false, timeout: 60_000, env });

/** Runs write_outputs / group_heads of dump_kv.py on arrays given as JSON. */
async function callWriter(dir: string, q: number[][], k: number[][], v: number[][], fmt: 'fp16' | 'bf16'): Promise<string> {
  const arrays = path.join(dir, 'arrays.json');
  writeFileSync(arrays, JSON.stringify({ q, k, v }));
  const code = [
    'import importlib.util, json, sys',
    `spec = importlib.util.spec_from_file_location("dump_kv", ${JSON.stringify(SCRIPT)})`,
    'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
    `a = json.load(open(${JSON.stringify(arrays)}))`,
    'heads = m.group_heads(16, 4, 2)',
    `print(m.write_outputs(${JSON.stringify(path.join(dir, 'out'))}, a["q"], a["k"], a["v"], "${fmt}", 3, heads, {"model": "test"}))`,
  ].join('\n');
  const r = await py(['-c', code]);
  expect(r.exitCode, `python3 with NumPy is required: ${r.stderr}`).toBe(0);
  return r.stdout;
}

function randomRows(r: Rng, rows: number, d: number, s: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: d }, () => s * (r.float() + r.float() + r.float() - 1.5)));
}

describe('examples/dump_kv.py', () => {
  it('compiles (python3 -m py_compile)', async () => {
    const r = await py(['-m', 'py_compile', SCRIPT]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('has an argparse CLI with --model, --prompt/--text-file, --layer, --kv-head, --out-dir (help works without torch)', async () => {
    const r = await py([SCRIPT, '--help']);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const o of ['--model', '--prompt', '--text-file', '--layer', '--kv-head', '--out-dir', '--max-tokens', '--format', '--fold-scaling']) expect(r.stdout).toContain(o);
    const missing = await py([SCRIPT, '--prompt', 'x', '--layer', '0', '--out-dir', '/tmp/x']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/the following arguments are required: --model/);
    const both = await py([SCRIPT, '--model', 'm', '--prompt', 'x', '--text-file', 'f', '--layer', '0', '--out-dir', '/tmp/x']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/not allowed with argument/);
    const neg = await py([SCRIPT, '--model', 'm', '--prompt', 'x', '--layer', '-1', '--out-dir', '/tmp/x']);
    expect(neg.exitCode).toBe(2);
    expect(neg.stderr).toMatch(/--layer must be >= 0, got -1/);
  });

  it('without torch: one line naming what to install, exit code 2', async () => {
    const fake = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-notorch-'));
    writeFileSync(path.join(fake, 'torch.py'), 'raise ImportError("No module named \'torch\'", name="torch")\n');
    const r = await py([SCRIPT, '--model', 'm', '--prompt', 'x', '--layer', '0', '--out-dir', path.join(fake, 'o')], { PYTHONPATH: fake });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('dump_kv.py: needs torch, transformers and numpy (torch is missing): pip install torch transformers numpy');
  });

  it('writes q/k/v.npy as kvhdl reads them (fp16 and bf16 patterns, round to nearest even), rows.json, dump.json; kvhdl golden attention runs on them', async () => {
    const r = new Rng(11);
    const D = 32;
    const n = 150; // > R = 128 (the default residual): quantized keys and values
    const q = randomRows(r, 4, D, 2);
    const k = randomRows(r, n, D, 1.5);
    const v = randomRows(r, n, D, 1);
    // a value halfway between two fp16 numbers (1 + 2^-11) rounds to even (1.0); 1 + 3·2^-11 rounds up
    k[0][0] = 1 + 2 ** -11;
    k[0][1] = 1 + 3 * 2 ** -11;
    for (const fmt of ['fp16', 'bf16'] as const) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-dumpkv-'));
      const command = await callWriter(dir, q, k, v, fmt);
      const out = path.join(dir, 'out');
      const f = FORMATS[fmt];
      for (const [name, a] of [['q', q], ['k', k], ['v', v]] as const) {
        const npy = await readNpyFile(path.join(out, `${name}.npy`));
        expect(npy.dtype, `${fmt} ${name}`).toBe(fmt === 'fp16' ? 'float16' : 'uint16');
        expect(npy.shape).toEqual([a.length, D]);
        // float32 first (the model's tensors are float32 when written), then one rounding to the format
        const want = a.flat().map((x) => fpFromNumber(f, Math.fround(x)));
        expect(Array.from(npy.data as Uint16Array), `${fmt} ${name}`).toEqual(want);
      }
      if (fmt === 'fp16') {
        const kk = await readNpyFile(path.join(out, 'k.npy'));
        expect([(kk.data as Uint16Array)[0], (kk.data as Uint16Array)[1]]).toEqual([0x3c00, 0x3c02]);
      }
      expect(JSON.parse(readFileSync(path.join(out, 'rows.json'), 'utf8'))).toEqual({ layers: [3, 3, 3, 3], heads: [8, 9, 10, 11] });
      const info = JSON.parse(readFileSync(path.join(out, 'dump.json'), 'utf8')) as Record<string, unknown>;
      expect(info).toMatchObject({ model: 'test', layer: 3, queryHeads: [8, 9, 10, 11], rows: 4, n, dims: D, format: fmt });
      expect(command).toContain('npx kvhdl golden attention --config attn.json');
      // the files are what kvhdl golden attention reads
      expect(info.config).toEqual({ format: fmt, dims: D, selection: 'none' });
      const cfg = path.join(dir, 'attn.json');
      writeFileSync(cfg, JSON.stringify(info.config));
      const g = await execa('node', [bin, 'golden', 'attention', '--config', cfg, '--q', path.join(out, 'q.npy'), '--k', path.join(out, 'k.npy'), '--v', path.join(out, 'v.npy'), '--out-dir', path.join(dir, 'run')], { reject: false, timeout: 120_000 });
      expect(g.exitCode, g.stderr).toBe(0);
      const o = await readNpyFile(path.join(dir, 'run', 'out.npy'));
      expect(o.shape).toEqual([4, D]);
    }
  }, 120_000);

  it('refuses a KV head out of range and non-finite tensors with one line', async () => {
    const code = [
      'import importlib.util',
      `spec = importlib.util.spec_from_file_location("dump_kv", ${JSON.stringify(SCRIPT)})`,
      'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
      'for f in (lambda: m.group_heads(16, 4, 4), lambda: m.group_heads(12, 5, 0), lambda: m.write_outputs("/tmp/unused-dumpkv", [[float("nan")] * 32], [[0.0] * 32], [[0.0] * 32], "fp16", 0, [0], {})):',
      '    try:',
      '        f(); print("no error")',
      '    except ValueError as e:',
      '        print(e)',
    ].join('\n');
    const r = await py(['-c', code]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      '--kv-head 4 is out of range (the model has 4 KV heads)',
      'num_attention_heads 12 is not a multiple of num_key_value_heads 5',
      'q has non-finite values (the attention unit needs finite inputs)',
    ]);
  });
});
