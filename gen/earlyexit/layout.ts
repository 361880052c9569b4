/**
 * The bit-plane memory image of a key cache (README.md, "Memory layout"): an `[n, D]` key matrix
 * to W-bit words, key t's planes most significant first, C = ceil(D/W) words per plane.
 */
import { TxnTable } from '../../data/transactions.ts';
import type { MemorySpec } from '../../hdl/ports/design.ts';
import { dimsOf, type EarlyexitConfig } from './config.ts';

/** The memory as the co-simulation harness sees it: requests on `mem_req`, words on `mem_resp`. */
export function keyMemory(cfg: EarlyexitConfig): MemorySpec {
  return { name: 'keys', request: 'mem_req', addressField: 'addr', response: 'mem_resp', dataField: 'data', wordWidth: dimsOf(cfg).W };
}

/** Word address of beat c of plane j of key t. */
export function keyPlaneAddress(cfg: EarlyexitConfig, t: number, j: number, c = 0): number {
  const { B, C } = dimsOf(cfg);
  return (t * B + (B - 1 - j)) * C + c;
}

/** Checks that a key value fits the configured B-bit range; returns its B-bit pattern. */
export function keyPattern(cfg: EarlyexitConfig, v: number, where: () => string): number {
  const B = cfg.keyBits;
  const lo = cfg.keySigned ? -(2 ** (B - 1)) : 0;
  const hi = cfg.keySigned ? 2 ** (B - 1) - 1 : 2 ** B - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`${where()} = ${v} does not fit ${B}-bit ${cfg.keySigned ? 'signed' : 'unsigned'} (${lo}..${hi})`);
  }
  return v < 0 ? v + 2 ** B : v;
}

/**
 * The memory image of `keys` (row-major `[n, D]`, `keys[t*D + d]`): n·B·C words of W bits, one
 * table record per word. `name` is used in range errors (`k[3, 7] = ...`).
 */
export function keyImage(cfg: EarlyexitConfig, keys: ArrayLike<number>, n: number, name = 'k'): TxnTable {
  const { D, B, W, C } = dimsOf(cfg);
  if (keys.length !== n * D) throw new Error(`${name}: ${keys.length} values for ${n} keys of ${D} dimensions`);
  const img = new TxnTable([{ name: 'data', width: W, signed: false }], n * B * C);
  for (let t = 0; t < n; t++) {
    for (let d = 0; d < D; d++) {
      const bits = keyPattern(cfg, keys[t * D + d], () => `${name}[${t}, ${d}]`);
      const c = Math.floor(d / W);
      const i = d % W;
      for (let j = 0; j < B; j++) {
        if ((bits >>> j) & 1) img.setLane(keyPlaneAddress(cfg, t, j, c), 'data', 1, i, 1);
      }
    }
  }
  return img;
}

/** Decodes key t (D values) from an image by the layout; throws if the image is too short. */
export function keyFromImage(cfg: EarlyexitConfig, img: TxnTable, t: number): number[] {
  const { D, B, W, C } = dimsOf(cfg);
  const end = (t + 1) * B * C;
  if (end > img.count) throw new Error(`key ${t} needs words up to address ${end - 1}, the key image has ${img.count} words`);
  const k: number[] = [];
  for (let d = 0; d < D; d++) {
    let v = 0;
    for (let j = 0; j < B; j++) v += img.lane(keyPlaneAddress(cfg, t, j, Math.floor(d / W)), 'data', 1, d % W, false) * 2 ** j;
    if (cfg.keySigned && v >= 2 ** (B - 1)) v -= 2 ** B;
    k.push(v);
  }
  return k;
}
