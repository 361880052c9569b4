#!/usr/bin/env python3
"""Independent NumPy reference for the kvhdl nuq unit (gen/nuq/README.md), fp16 and bf16.

Usage: nuq_ref.py DIR [DIR ...]. For each DIR: reads DIR/case.json ({"format": "fp16"|"bf16"
(default fp16), "mode": "per-channel" (default) | "per-token", "bits", "channels",
"outlierFraction", "shared", "weights": bool}), DIR/k.npy
(calibration keys, uint16 patterns [T, D]), DIR/w.npy (float64 weights, if "weights") and DIR/x.npy
(keys to quantize). Writes DIR/ref_codebook.json (calibration) and, quantizing x.npy with that
codebook, DIR/{codes,packed,outliers,dequant,flags}.npy with numpy.save (dequant: float16 for fp16,
uint16 bfloat16 patterns for bf16); per-token mode ("Per-token mode") also DIR/scales.npy.
A case with "op": "dequantize" (per-token dequantize, "Per-token dequantize") instead reads
DIR/codebook.json, DIR/codes.npy, DIR/outliers.npy and DIR/scales.npy (uint16 patterns) and writes
DIR/dequant.npy.

fp16: every operation is a NumPy float16 operation (NumPy computes float16 +, -, *, / in float32
and rounds once, which is exact since 24 >= 2*11 + 2); float64 -> float16 casts round once.
bf16: NumPy has no bfloat16; values are held as float64 and every operation is computed in float64
on the exact operands and rounded once to bfloat16 by `round_bf16` (RNE, subnormals kept, overflow
to inf): exact for +, -, *, / since 53 >= 2*8 + 2, and float64 covers bfloat16's range.
"""
import json
import math
import sys

import numpy as np

F_OUT, F_NAN, F_INF = 1, 2, 4
BF16_MIN_CENTROID = 2.0 ** -40


def bf16_quantum(v):
    _, e = np.frexp(np.where(np.isfinite(v) & (v != 0), v, 1.0))  # |v| in [2^(e-1), 2^e)
    return np.maximum(e - 8, -133)  # 8 significant bits; subnormal quantum 2^-133


def round_bf16(v, mode=np.rint):
    """float64 -> bfloat16 value (as float64): RNE (mode rint) or toward -inf (mode floor), subnormals kept, overflow to inf."""
    v = np.asarray(v, dtype=np.float64)
    out = v.copy()
    fin = np.isfinite(v) & (v != 0)
    q = bf16_quantum(v)
    r = np.ldexp(mode(np.ldexp(v, -q)), q)
    r = np.where(np.abs(r) >= 2.0 ** 128, np.copysign(np.inf, v), r)
    out[fin] = r[fin]
    return out[()] if out.ndim == 0 else out


class Fp16:
    name = 'fp16'
    nan = 0x7E00
    load = staticmethod(lambda bits: np.asarray(bits, dtype=np.uint16).view(np.float16))
    bits = staticmethod(lambda v: int(np.array(v, np.float16).view(np.uint16)))
    of = staticmethod(lambda x: np.float16(x))  # float64 -> format, one rounding
    add = staticmethod(lambda a, b: a + b)
    sub = staticmethod(lambda a, b: a - b)
    mul = staticmethod(lambda a, b: a * b)
    div = staticmethod(lambda a, b: a / b)

    @staticmethod
    def round_down(m):
        h = np.float16(m)
        if float(h) > m:
            h = np.nextafter(h, np.float16(-np.inf))
        return h


class Bf16:
    name = 'bf16'
    nan = 0x7FC0
    load = staticmethod(lambda bits: (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32).astype(np.float64))
    of = staticmethod(lambda x: np.float64(round_bf16(np.float64(x))))
    add = staticmethod(lambda a, b: np.float64(round_bf16(np.float64(a) + np.float64(b))))
    sub = staticmethod(lambda a, b: np.float64(round_bf16(np.float64(a) - np.float64(b))))
    mul = staticmethod(lambda a, b: np.float64(round_bf16(np.float64(a) * np.float64(b))))
    div = staticmethod(lambda a, b: np.float64(round_bf16(np.float64(a) / np.float64(b))))
    round_down = staticmethod(lambda m: np.float64(round_bf16(np.float64(m), np.floor)))

    @staticmethod
    def bits(v):
        v = np.float64(v)
        if np.isnan(v):
            return 0x7FC0
        return int(np.array(v, np.float32).view(np.uint32) >> 16)  # exact: v is a bf16 value


def to_centroid(F, v):
    c = float(F.of(v))
    c = min(1.0, max(-1.0, c))
    if F.name == 'bf16' and abs(c) < BF16_MIN_CENTROID:
        c = 0.0
    return 0.0 if c == 0 else c


def kmeans(F, u, w, K):
    n = len(u)
    c = [to_centroid(F, u[(2 * j + 1) * n // (2 * K)]) for j in range(K)]
    it = 0
    while it < 50:
        it += 1
        c = sorted(c)
        ca = np.array(c, dtype=np.float64)
        assign = np.argmin(np.abs(u[:, None] - ca[None, :]), axis=1)  # first minimum: lower index
        changed = False
        nxt = []
        for j in range(K):
            m = assign == j
            if not m.any():
                nxt.append(c[j])
                continue
            S = np.cumsum(w[m] * u[m])[-1]  # left to right in point order
            W = np.cumsum(w[m])[-1]
            if not W > 0:
                nxt.append(c[j])
                continue
            v = to_centroid(F, S / W)
            if v != c[j]:
                changed = True
            nxt.append(v)
        c = nxt
        if not changed:
            break
    return sorted(c), it


def calibrate(F, k, bits, frac, shared, w):
    T, D = k.shape
    K = 2 ** bits
    x = F.load(k)
    lo, hi, mid, half, rcp = [], [], [], [], []
    with np.errstate(all='ignore'):
        for c in range(D):
            col = x[:, c]
            s = np.sort(col[np.isfinite(col)].astype(np.float64))
            n = len(s)
            kk = math.floor(frac / 2 * (n - 1))
            l, h = F.of(s[kk]), F.of(s[n - 1 - kk])
            md = F.mul(F.add(h, l), F.of(0.5))
            hf = F.mul(F.sub(h, l), F.of(0.5))
            r = F.div(F.of(1), hf)
            if float(hf) == 0 or np.isinf(r):
                r = F.of(0)
            lo.append(l); hi.append(h); mid.append(md); half.append(hf); rcp.append(r)
        probs = [[] for _ in range(1 if shared else D)]
        for t in range(T):
            for c in range(D):
                v = x[t, c]
                if not np.isfinite(v) or v < lo[c] or v > hi[c]:
                    continue
                u = F.mul(F.sub(v, mid[c]), rcp[c])
                probs[0 if shared else c].append((float(u), float(w[t, c]) if w is not None else 1.0))
    cents, its, samples = [], [], []
    for p in probs:
        u = np.array([a for a, _ in p], dtype=np.float64)
        ww = np.array([b for _, b in p], dtype=np.float64)
        order = np.argsort(u, kind='stable')
        cs, it = kmeans(F, u[order], ww[order], K)
        cents.append(cs); its.append(it); samples.append(len(p))
    z = lambda a: [0.0 if float(v) == 0 else float(v) for v in a]
    return {'lo': z(lo), 'hi': z(hi), 'mid': z(mid), 'half': z(half), 'rcp': z(rcp), 'centroids': cents, 'iterations': its, 'samples': samples}


def quantize(F, cb, xb, bits, shared):
    x = F.load(xb)
    T, D = x.shape
    lo = [F.of(v) for v in cb['lo']]; hi = [F.of(v) for v in cb['hi']]
    mid = [F.of(v) for v in cb['mid']]; half = [F.of(v) for v in cb['half']]; rcp = [F.of(v) for v in cb['rcp']]
    cents = [[F.of(v) for v in row] for row in cb['centroids']]
    thr = [[F.round_down((float(r[j]) + float(r[j + 1])) / 2) for j in range(len(r) - 1)] for r in cents]
    codes = np.zeros((T, D), np.uint8); flags = np.zeros((T, D), np.uint8)
    deq = np.zeros((T, D), np.uint16); outl = []
    with np.errstate(all='ignore'):
        for t in range(T):
            for c in range(D):
                v = x[t, c]; ci = 0 if shared else c
                fl = 0
                if np.isnan(v):
                    codes[t, c] = 0; flags[t, c] = F_OUT | F_NAN
                    outl.append((t, c, int(xb[t, c]))); deq[t, c] = xb[t, c]
                    continue
                if np.isinf(v):
                    fl |= F_INF
                if v < lo[c]:
                    fl |= F_OUT; v = lo[c]
                elif v > hi[c]:
                    fl |= F_OUT; v = hi[c]
                u = F.mul(F.sub(v, mid[c]), rcp[c])
                code = sum(1 for tj in thr[ci] if u > tj)
                codes[t, c] = code; flags[t, c] = fl
                if fl & F_OUT:
                    outl.append((t, c, int(xb[t, c]))); deq[t, c] = xb[t, c]
                else:
                    r = F.add(F.mul(cents[ci][code], half[c]), mid[c])
                    deq[t, c] = F.nan if np.isnan(r) else F.bits(r)
    per = 32 // bits
    W = -(-T // per)
    packed = np.zeros((D, W), np.uint32)
    for c in range(D):
        for t in range(T):
            packed[c, t // per] |= np.uint32(int(codes[t, c]) << ((t % per) * bits))
    outliers = np.array(outl, dtype=np.int32).reshape(-1, 3)
    return {'codes': codes, 'packed': packed, 'outliers': outliers, 'dequant': deq.view(np.float16) if F.name == 'fp16' else deq, 'flags': flags}


def token_stats(F, row, trim):
    """README "Per-token mode" steps 1-2 on one token's values (format values): lo, hi, mid, half, rcp, overflow."""
    s = np.sort(row[np.isfinite(row)].astype(np.float64))
    n = len(s)
    z = F.of(0.0)
    if n == 0:
        return z, z, z, z, z, False
    kk = min(trim, (n - 1) // 2)
    l = z if s[kk] == 0 else F.of(s[kk])  # -0 as +0
    h = z if s[n - 1 - kk] == 0 else F.of(s[n - 1 - kk])
    sm, df = F.add(h, l), F.sub(h, l)
    md = F.mul(sm, F.of(0.5))
    hf = F.mul(df, F.of(0.5))
    r = F.div(F.of(1), hf)
    if float(hf) == 0 or np.isinf(r):
        r = z
    return l, h, md, hf, r, bool(np.isinf(sm) or np.isinf(df))


def calibrate_per_token(F, k, bits, frac, w):
    T, D = k.shape
    x = F.load(k)
    trim = math.floor(frac / 2 * (D - 1))
    pts = []
    with np.errstate(all='ignore'):
        for t in range(T):
            l, h, md, hf, r, ovf = token_stats(F, x[t], trim)
            if ovf:
                raise ValueError(f'token {t} overflows')
            for c in range(D):
                v = x[t, c]
                if not np.isfinite(v) or v < l or v > h:
                    continue
                pts.append((float(F.mul(F.sub(v, md), r)), float(w[t, c]) if w is not None else 1.0))
    u = np.array([a for a, _ in pts], dtype=np.float64)
    ww = np.array([b for _, b in pts], dtype=np.float64)
    order = np.argsort(u, kind='stable')
    cs, it = kmeans(F, u[order], ww[order], 2 ** bits)
    return {'trim': trim, 'lo': [], 'hi': [], 'mid': [], 'half': [], 'rcp': [], 'centroids': [cs], 'iterations': [it], 'samples': [len(pts)]}


def quantize_per_token(F, cb, xb, bits):
    x = F.load(xb)
    T, D = x.shape
    cent = [F.of(v) for v in cb['centroids'][0]]
    thr = [F.round_down((float(cent[j]) + float(cent[j + 1])) / 2) for j in range(len(cent) - 1)]
    codes = np.zeros((T, D), np.uint8); flags = np.zeros((T, D), np.uint8)
    deq = np.zeros((T, D), np.uint16); scales = np.zeros((T, 2), np.uint16); outl = []
    with np.errstate(all='ignore'):
        for t in range(T):
            lo, hi, mid, half, rcp, _ = token_stats(F, x[t], cb['trim'])
            scales[t] = (F.bits(mid), F.bits(half))
            for c in range(D):
                v = x[t, c]
                if np.isnan(v):
                    flags[t, c] = F_OUT | F_NAN
                    outl.append((t, c, int(xb[t, c]))); deq[t, c] = xb[t, c]
                    continue
                fl = F_INF if np.isinf(v) else 0
                if v < lo:
                    fl |= F_OUT; v = lo
                elif v > hi:
                    fl |= F_OUT; v = hi
                u = F.mul(F.sub(v, mid), rcp)
                code = sum(1 for tj in thr if u > tj)
                codes[t, c] = code; flags[t, c] = fl
                if fl & F_OUT:
                    outl.append((t, c, int(xb[t, c]))); deq[t, c] = xb[t, c]
                else:
                    r = F.add(F.mul(cent[code], half), mid)
                    deq[t, c] = F.nan if np.isnan(r) else F.bits(r)
    per = 32 // bits
    W = -(-D // per)
    packed = np.zeros((T, W), np.uint32)
    for t in range(T):
        for c in range(D):
            packed[t, c // per] |= np.uint32(int(codes[t, c]) << ((c % per) * bits))
    outliers = np.array(outl, dtype=np.int32).reshape(-1, 3)
    fdt = (lambda a: a.view(np.float16)) if F.name == 'fp16' else (lambda a: a)
    return {'codes': codes, 'packed': packed, 'outliers': outliers, 'dequant': fdt(deq), 'flags': flags, 'scales': fdt(scales)}


def dequantize_per_token(F, cb, codes, outliers, scales):
    """README "Per-token dequantize": x = fl(fl(c[code] * half_t) + mid_t) (NaN canonical), (mid_t, half_t)
    the token's row of scales; the rows of outliers (token, channel, pattern) restored bit for bit."""
    T, D = codes.shape
    cent = [F.of(v) for v in cb['centroids'][0]]
    deq = np.zeros((T, D), np.uint16)
    with np.errstate(all='ignore'):
        for t in range(T):
            mid, half = F.load(scales[t, 0]), F.load(scales[t, 1])
            for c in range(D):
                r = F.add(F.mul(cent[int(codes[t, c])], half), mid)
                deq[t, c] = F.nan if np.isnan(r) else F.bits(r)
    for t, c, v in outliers.reshape(-1, 3):
        deq[t, c] = v
    return deq.view(np.float16) if F.name == 'fp16' else deq


def main():
    for d in sys.argv[1:]:
        case = json.load(open(f'{d}/case.json'))
        if case.get('op') == 'dequantize':  # per-token dequantize: codebook.json, codes, outliers, scales (uint16 patterns) -> dequant
            F = Bf16 if case.get('format', 'fp16') == 'bf16' else Fp16
            cb = json.load(open(f'{d}/codebook.json'))
            out = dequantize_per_token(F, cb, np.load(f'{d}/codes.npy'), np.load(f'{d}/outliers.npy'), np.load(f'{d}/scales.npy'))
            np.save(f'{d}/dequant.npy', out)
            continue
        k = np.load(f'{d}/k.npy')
        w = np.load(f'{d}/w.npy') if case['weights'] else None
        F = Bf16 if case.get('format', 'fp16') == 'bf16' else Fp16
        if case.get('mode', 'per-channel') == 'per-token':
            cb = calibrate_per_token(F, k, case['bits'], case['outlierFraction'], w)
            json.dump(cb, open(f'{d}/ref_codebook.json', 'w'))
            out = quantize_per_token(F, cb, np.load(f'{d}/x.npy'), case['bits'])
        else:
            cb = calibrate(F, k, case['bits'], case['outlierFraction'], case['shared'], w)
            json.dump(cb, open(f'{d}/ref_codebook.json', 'w'))
            out = quantize(F, cb, np.load(f'{d}/x.npy'), case['bits'], case['shared'])
        for name, a in out.items():
            np.save(f'{d}/{name}.npy', a)


if __name__ == '__main__':
    main()
