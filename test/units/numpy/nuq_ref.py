#!/usr/bin/env python3
"""Independent NumPy reference for the kvhdl nuq unit (gen/nuq/README.md), fp16 only.

Usage: nuq_ref.py DIR [DIR ...]. For each DIR: reads DIR/case.json ({"bits", "channels",
"outlierFraction", "shared", "weights": bool}), DIR/k.npy (calibration keys, uint16 binary16
patterns [T, D]), DIR/w.npy (float64 weights, if "weights") and DIR/x.npy (keys to quantize).
Writes DIR/ref_codebook.json (calibration) and, quantizing x.npy with that codebook,
DIR/{codes,packed,outliers,dequant,flags}.npy with numpy.save.

Every fp16 operation is a NumPy float16 operation (NumPy computes float16 +, -, *, / in float32
and rounds once, which is exact since 24 >= 2*11 + 2); float64 -> float16 casts round once.
"""
import json
import math
import sys

import numpy as np

H = np.float16
F_OUT, F_NAN, F_INF = 1, 2, 4


def as_half(bits):
    return np.asarray(bits, dtype=np.uint16).view(np.float16)


def to_centroid(v):
    c = float(H(v))
    c = min(1.0, max(-1.0, c))
    return 0.0 if c == 0 else c


def kmeans(u, w, K):
    n = len(u)
    c = [to_centroid(u[(2 * j + 1) * n // (2 * K)]) for j in range(K)]
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
            v = to_centroid(S / W)
            if v != c[j]:
                changed = True
            nxt.append(v)
        c = nxt
        if not changed:
            break
    return sorted(c), it


def calibrate(k, bits, frac, shared, w):
    T, D = k.shape
    K = 2 ** bits
    x = as_half(k)
    lo, hi, mid, half, rcp = [], [], [], [], []
    with np.errstate(all='ignore'):
        for c in range(D):
            col = x[:, c]
            s = np.sort(col[np.isfinite(col)].astype(np.float64))
            n = len(s)
            kk = math.floor(frac / 2 * (n - 1))
            l, h = H(s[kk]), H(s[n - 1 - kk])
            md = (h + l) * H(0.5)
            hf = (h - l) * H(0.5)
            r = H(1) / hf
            if float(hf) == 0 or np.isinf(r):
                r = H(0)
            lo.append(l); hi.append(h); mid.append(md); half.append(hf); rcp.append(r)
        probs = [[] for _ in range(1 if shared else D)]
        for t in range(T):
            for c in range(D):
                v = x[t, c]
                if not np.isfinite(v) or v < lo[c] or v > hi[c]:
                    continue
                u = (v - mid[c]) * rcp[c]
                probs[0 if shared else c].append((float(u), float(w[t, c]) if w is not None else 1.0))
    cents, its, samples = [], [], []
    for p in probs:
        u = np.array([a for a, _ in p], dtype=np.float64)
        ww = np.array([b for _, b in p], dtype=np.float64)
        order = np.argsort(u, kind='stable')
        cs, it = kmeans(u[order], ww[order], K)
        cents.append(cs); its.append(it); samples.append(len(p))
    z = lambda a: [0.0 if float(v) == 0 else float(v) for v in a]
    return {'lo': z(lo), 'hi': z(hi), 'mid': z(mid), 'half': z(half), 'rcp': z(rcp), 'centroids': cents, 'iterations': its, 'samples': samples}


def round_down(m):
    h = H(m)
    if float(h) > m:
        h = np.nextafter(h, H(-np.inf))
    return h


def quantize(cb, xb, bits, shared):
    x = as_half(xb)
    T, D = x.shape
    lo = [H(v) for v in cb['lo']]; hi = [H(v) for v in cb['hi']]
    mid = [H(v) for v in cb['mid']]; half = [H(v) for v in cb['half']]; rcp = [H(v) for v in cb['rcp']]
    cents = [[H(v) for v in row] for row in cb['centroids']]
    thr = [[round_down((float(r[j]) + float(r[j + 1])) / 2) for j in range(len(r) - 1)] for r in cents]
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
                u = (v - mid[c]) * rcp[c]
                code = sum(1 for tj in thr[ci] if u > tj)
                codes[t, c] = code; flags[t, c] = fl
                if fl & F_OUT:
                    outl.append((t, c, int(xb[t, c]))); deq[t, c] = xb[t, c]
                else:
                    r = cents[ci][code] * half[c] + mid[c]
                    deq[t, c] = 0x7E00 if np.isnan(r) else np.array(r, np.float16).view(np.uint16)
    per = 32 // bits
    W = -(-T // per)
    packed = np.zeros((D, W), np.uint32)
    for c in range(D):
        for t in range(T):
            packed[c, t // per] |= np.uint32(int(codes[t, c]) << ((t % per) * bits))
    outliers = np.array(outl, dtype=np.int32).reshape(-1, 3)
    return {'codes': codes, 'packed': packed, 'outliers': outliers, 'dequant': deq.view(np.float16), 'flags': flags}


def main():
    for d in sys.argv[1:]:
        case = json.load(open(f'{d}/case.json'))
        k = np.load(f'{d}/k.npy')
        w = np.load(f'{d}/w.npy') if case['weights'] else None
        cb = calibrate(k, case['bits'], case['outlierFraction'], case['shared'], w)
        json.dump(cb, open(f'{d}/ref_codebook.json', 'w'))
        out = quantize(cb, np.load(f'{d}/x.npy'), case['bits'], case['shared'])
        for name, a in out.items():
            np.save(f'{d}/{name}.npy', a)


if __name__ == '__main__':
    main()
