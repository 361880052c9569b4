/**
 * `kvhdl golden quantizer` and `kvhdl cosim quantizer --stall 0.2` (through the bin script) on the
 * same x.npy write byte-identical .npy files with the shapes and dtypes of issue 4 §5 /
 * gen/quantizer/README.md "Files"; in cosim, dequant.npy comes from the dequantizer RTL.
 * Both modes × both formats, synthetic KV data with edge-case groups (NaN/Inf, constant,
 * subnormal, ±0, huge ranges), T not a multiple of anything (a residual flush of odd size).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { readNpyFile, writeNpyFile } from '../../data/npy.ts';
import { quantizerConfig, type QuantizerConfig } from '../../gen/quantizer/config.ts';
import { edgeCaseTensor, syntheticKv } from '../../gen/quantizer/synthetic.ts';
import { quantizedTokens } from '../../gen/quantizer/golden.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 300_000 });

const configs: QuantizerConfig[] = [
  quantizerConfig({ mode: 'per-token', format: 'fp16', bits: 2, groupSize: 8, channels: 16, lanes: 4, residual: 8 }),
  quantizerConfig({ mode: 'per-token', format: 'bf16', bits: 4, groupSize: 8, channels: 16, lanes: 4, residual: 16 }),
  quantizerConfig({ mode: 'per-channel', format: 'fp16', bits: 4, groupSize: 8, channels: 16, lanes: 4, residual: 16 }),
  quantizerConfig({ mode: 'per-channel', format: 'bf16', bits: 2, groupSize: 8, channels: 16, lanes: 4, residual: 16 }),
];

/** [T, D]: edge-case groups in the first half of the rows, synthetic KV data in the rest, a few specials. */
function tensor(cfg: QuantizerConfig, T: number): Uint16Array {
  const D = cfg.channels;
  const a = edgeCaseTensor(cfg, T, 11);
  const b = syntheticKv(cfg, T, 12);
  const x = new Uint16Array(T * D);
  for (let i = 0; i < x.length; i++) x[i] = Math.floor(i / D) < T / 2 ? a[i] : b[i];
  const nanPayload = cfg.format === 'fp16' ? 0xfd01 : 0xff81; // a negative NaN with a payload
  x[(T - 1) * D] = nanPayload; // in the residual: passed through bit for bit
  x[(T - 1) * D + 1] = 0x8000; // −0
  x[(T - 1) * D + 2] = 0x0001; // smallest subnormal
  return x;
}

describe('kvhdl golden / cosim quantizer write identical files', () => {
  for (const cfg of configs) {
    it(`${cfg.mode} ${cfg.format} b${cfg.bits} R${cfg.residual}`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-qcli-'));
      const T = 2 * cfg.residual + 5;
      const D = cfg.channels;
      const G = cfg.groupSize;
      const fdt = cfg.format === 'fp16' ? 'float16' : 'uint16';
      const x = tensor(cfg, T);
      const xf = path.join(dir, 'x.npy');
      const cf = path.join(dir, 'cfg.json');
      await writeNpyFile(xf, { dtype: fdt, shape: [T, D], data: x });
      writeFileSync(cf, JSON.stringify(cfg));
      const g = await kvhdl(['golden', 'quantizer', '--config', cf, '--in', xf, '--out-dir', path.join(dir, 'g')]);
      expect(g.exitCode, g.stderr).toBe(0);
      const c = await kvhdl(['cosim', 'quantizer', '--config', cf, '--in', xf, '--out-dir', path.join(dir, 'c'), '--stall', '0.2', '--seed', '3']);
      expect(c.exitCode, c.stderr + c.stdout).toBe(0);
      expect(c.stderr).toMatch(/dequantizer: \d+ input transactions/);

      const Tq = quantizedTokens(cfg, T);
      expect(Tq).toBeGreaterThan(0);
      expect(T - Tq).toBeGreaterThan(0);
      const groups = cfg.mode === 'per-token' ? [Tq, D / G] : [Tq / G, D];
      const want: Record<string, [string, number[]]> = {
        codes: ['uint8', [Tq, D]],
        scale: [fdt, groups],
        min: [fdt, groups],
        flags: ['uint8', groups],
        packed: ['uint32', cfg.mode === 'per-token' ? [Tq, (D * cfg.bits) / 32] : [D, (Tq * cfg.bits) / 32]],
        residual: [fdt, [T - Tq, D]],
        dequant: [fdt, [Tq, D]],
      };
      for (const [name, [dtype, shape]] of Object.entries(want)) {
        const gf = path.join(dir, 'g', `${name}.npy`);
        const a = await readNpyFile(gf);
        expect([a.dtype, a.shape], name).toEqual([dtype, shape]);
        expect(readFileSync(path.join(dir, 'c', `${name}.npy`)).equals(readFileSync(gf)), `${name}.npy differs`).toBe(true);
      }
      // residual = the last T − Tq input rows, bit for bit (payload NaN included)
      const res = await readNpyFile(path.join(dir, 'c', 'residual.npy'));
      expect(Array.from(res.data as Uint16Array)).toEqual(Array.from(x.subarray(Tq * D)));
      // the edge cases reach the outputs: invalid groups (NaN/Inf) and zero-scale groups, NaN x̂ canonical
      const flags = Array.from((await readNpyFile(path.join(dir, 'c', 'flags.npy'))).data as Uint8Array);
      expect(flags.some((f) => f & 1)).toBe(true);
      expect(flags.some((f) => f === 8)).toBe(true);
      expect(flags.some((f) => f === 0)).toBe(true);
      const nan = cfg.format === 'fp16' ? 0x7e00 : 0x7fc0;
      const dq = Array.from((await readNpyFile(path.join(dir, 'c', 'dequant.npy'))).data as Uint16Array);
      expect(dq).toContain(nan);
      const expNaN = cfg.format === 'fp16' ? 0x7c00 : 0x7f80;
      for (const v of dq) if ((v & 0x7fff) > expNaN) expect(v).toBe(nan);

      const gr = JSON.parse(readFileSync(path.join(dir, 'g', 'report.json'), 'utf8'));
      expect(gr.simulator).toBe('golden');
      const cr = JSON.parse(readFileSync(path.join(dir, 'c', 'report.json'), 'utf8'));
      expect(cr.ok).toBe(true);
      expect(cr.unit).toBe('quantizer');
      expect(cr.transactions.in).toBe((T * D) / cfg.lanes);
      expect(cr.dequantizer.ok).toBe(true);
      expect(cr.dequantizer.config).toMatchObject({ format: cfg.format, bits: cfg.bits, lanes: cfg.lanes });
    }, 600_000);
  }
});
