#!/usr/bin/env python3
"""Independent NumPy/Python checker for the attention golden model, written from gen/attention/README.md.

Usage: attention_ref.py DIR [DIR ...]. Each DIR holds cfg.json (the full attention config), q.npy,
k.npy, v.npy (uint16 patterns), theta.json (a list: theta per row, or null) and earlyexit.json
(true/false). Writes out.npy (uint16 patterns [rows, D]), kept.npy (uint8 [rows, n]), scores.npy
(int64 [rows, n]) and words.json (per row: words per region).

The cache is built by test/units/numpy/kivi_ref.py (the quantizer's independent checker). With
cfg.valueQuant "nuq" (README §1 "NUQ values") DIR also holds codebook.json (the shared per-token
codebook, kvhdl calibrate-nuq --mode per-token); the values t < Tv are quantized by
test/units/numpy/nuq_ref.py (the nuq unit's independent checker: each token's trimmed lo/hi, mid,
half, its codes and outliers) and dequantized as README §1 says, x̂ = fl(fl(cent[code]·half_t) + mid_t)
with the outliers restored exactly; the words add valueCodebook (README §6) and valueScaleMin counts
NUQ token records. Integer arithmetic uses Python ints (exact); nothing here imports the TypeScript model.
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kivi_ref  # noqa: E402
import nuq_ref  # noqa: E402

FMT = {'fp16': (5, 10, 15), 'bf16': (8, 7, 127)}


def decode(fmt, a):
    """finite pattern -> (sign, sig, unit exponent): value = (-1)^sign * sig * 2^e."""
    E, M, bias = FMT[fmt]
    a = int(a)
    sign = a >> 15
    ef = (a >> M) & ((1 << E) - 1)
    frac = a & ((1 << M) - 1)
    assert ef != (1 << E) - 1, 'non-finite'
    if ef == 0:
        return sign, frac, 1 - bias - M
    return sign, frac | (1 << M), ef - bias - M


def rne_shift(m, s):
    """round(m / 2^s) ties to even, m >= 0, s > 0."""
    q, r = divmod(m, 1 << s)
    half = 1 << (s - 1)
    return q + 1 if r > half or (r == half and q & 1) else q


def round_to_format(fmt, sign, num, den):
    """the pattern nearest to (-1)^sign * num/den (num, den positive ints), ties to even."""
    E, M, bias = FMT[fmt]
    # exponent of the leading bit
    e = num.bit_length() - den.bit_length()
    if (num << max(0, -e)) < (den << max(0, e)):
        e -= 1
    q_exp = max(e - M, 1 - bias - M)  # quantum exponent
    # sig = round(num/den / 2^q_exp)
    if q_exp >= 0:
        n2, d2 = num, den << q_exp
    else:
        n2, d2 = num << -q_exp, den
    q, r = divmod(n2, d2)
    if 2 * r > d2 or (2 * r == d2 and q & 1):
        q += 1
    if q == 0:
        return sign << 15
    if q >= (1 << (M + 1)):
        q >>= 1
        q_exp += 1
    # encode
    if q < (1 << M):  # subnormal
        mag = q
    else:
        ef = q_exp + bias + M
        if ef >= (1 << E) - 1:
            mag = ((1 << E) - 1) << M  # inf
        else:
            mag = (ef << M) | (q - (1 << M))
    return (sign << 15) | mag


def kappa(D):
    kf = np.float64(1.4426950408889634) / np.sqrt(np.float64(D))
    e = math.floor(math.log2(kf))
    while 2.0 ** e > kf:
        e -= 1
    while 2.0 ** (e + 1) <= kf:
        e += 1
    x = float(kf) * 2.0 ** (15 - e)
    Kc = int(np.rint(x))
    return Kc, e


def make_term(fmt, D, F):
    Kc, ek = kappa(D)

    def term(x, y, W):
        sx, mx, ex = decode(fmt, x)
        sy, my, ey = decode(fmt, y)
        m = mx * my * Kc
        s = ex + ey + ek - 15 + F
        r = m << s if s >= 0 else rne_shift(m, -s)
        lim = (1 << (W - 1)) - 1
        r = min(r, lim)
        return -r if sx ^ sy else r
    return term


EXP_TABLE = [int(round(2.0 ** (-h / 128) * 65536)) for h in range(129)]


def weight(z, F):
    i = z >> F
    if i > 16:
        return 0
    f = z - (i << F)
    sh = F - 7
    h = f >> sh
    rho = f - (h << sh)
    e = EXP_TABLE[h] - (((EXP_TABLE[h] - EXP_TABLE[h + 1]) * rho) >> sh)
    return e >> i


def quantize(d, name, x, cfg, bits, mode):
    sub = os.path.join(d, name)
    os.makedirs(sub, exist_ok=True)
    json.dump(dict(format=cfg['format'], bits=bits, groupSize=cfg['groupSize'], channels=cfg['dims'],
                   lanes=1, mode=mode, residual=cfg['residual']), open(f'{sub}/cfg.json', 'w'))
    np.save(f'{sub}/x.npy', x)
    kivi_ref.run(sub)
    ld = lambda k: np.load(f'{sub}/{k}.npy')
    return dict(codes=ld('codes'), scale=ld('scale').view(np.uint16), min=ld('min').view(np.uint16),
                residual=ld('residual').view(np.uint16), dequant=ld('dequant').view(np.uint16))


def nuq_values(d, cfg, v, Tv):
    """README §1 "NUQ values": the dequantized values x̂ [Tv, D] (uint16 patterns) of tokens t < Tv."""
    F = nuq_ref.Bf16 if cfg['format'] == 'bf16' else nuq_ref.Fp16
    cb = json.load(open(f'{d}/codebook.json'))
    assert cb['mode'] == 'per-token' and cb['bits'] == cfg['valueBits'] and cb['trim'] <= cfg['valueTrimMax'], 'codebook does not fit the config'
    D = cfg['dims']
    if Tv == 0:
        return np.zeros((0, D), np.uint16)
    q = nuq_ref.quantize_per_token(F, cb, v[:Tv], cfg['valueBits'])
    scales = np.asarray(q['scales']).view(np.uint16)
    outl = q['outliers'].reshape(-1, 3)
    # a token has at most 2·trim outliers (the values outside its trim-th smallest and largest)
    assert all(int((outl[:, 0] == t).sum()) <= 2 * cb['trim'] for t in range(Tv)), 'more than 2*trim outliers in a token'
    # x̂ = fl(fl(cent[code]·half_t) + mid_t), outliers restored (README §1, §5): nuq_ref's per-token dequantizer
    xh = np.asarray(nuq_ref.dequantize_per_token(F, cb, np.asarray(q['codes']), outl, scales)).view(np.uint16)
    # nuq_ref's quantizer computes x̂ its own way; the two agree (a consistency check of the checker)
    assert np.array_equal(xh, np.asarray(q['dequant']).view(np.uint16)), 'nuq_ref dequant differs'
    return xh


def run(d):
    cfg = json.load(open(f'{d}/cfg.json'))
    thetas = json.load(open(f'{d}/theta.json'))
    ee = json.load(open(f'{d}/earlyexit.json'))
    q = np.load(f'{d}/q.npy')
    k = np.load(f'{d}/k.npy')
    v = np.load(f'{d}/v.npy')
    fmt = cfg['format']
    D, B, bv, G, R, F = cfg['dims'], cfg['keyBits'], cfg['valueBits'], cfg['groupSize'], cfg['residual'], cfg['scoreFrac']
    W = cfg['dimsPerCycle'] or D
    C = D // W
    H16 = 16 * D // W
    nuq = cfg.get('valueQuant', 'kivi') == 'nuq'
    MV = -(-32 * (1 + 2 * cfg['valueTrimMax']) // W) if nuq else -(-32 * (D // G) // W)
    KW = -(-16 * (1 << bv) // W) if nuq else 0
    WQ = cfg['queryBits']
    WC = WQ + B
    n = k.shape[0]
    Tk = (n // R) * R
    Tv = max(0, n - R)
    K = quantize(d, 'keys', k, cfg, B, 'per-channel')
    if nuq:
        V = dict(dequant=nuq_values(d, cfg, v, Tv), residual=v[Tv:].astype(np.uint16))
    else:
        V = quantize(d, 'values', v, cfg, bv, 'per-token')
    term = make_term(fmt, D, F)
    ES = {'fp16': 24, 'bf16': 133}[fmt]
    sink = min(cfg['sink'], n)
    forced = [t for t in range(n) if t < sink or t >= n - R]
    cand = [t for t in range(n) if not (t < sink or t >= n - R)]
    rows = q.shape[0]
    outs, kepts, scores_all, words_all = [], [], [], []
    for r in range(rows):
        qr = q[r]
        ng = Tk // G
        qt = [[term(qr[dd], K['scale'][g, dd], WQ) for dd in range(D)] for g in range(ng)]
        cg = [sum(term(qr[dd], K['min'][g, dd], WC) for dd in range(D)) for g in range(ng)]
        qpc = [[sum(max(x, 0) for x in qt[g][c * W:(c + 1) * W]) for c in range(C)] for g in range(ng)]
        qp = [sum(x) for x in qpc]

        def wsum(t):  # w[j][c]
            g = t // G
            codes = K['codes'][t]
            return [[sum(qt[g][dd] for dd in range(c * W, (c + 1) * W) if (int(codes[dd]) >> j) & 1) for c in range(C)] for j in range(B)]

        def score(t):
            if t >= Tk:
                return sum(term(qr[dd], K['residual'][t - Tk, dd], WC) for dd in range(D))
            w = wsum(t)
            return cg[t // G] + sum((1 << j) * sum(w[j]) for j in range(B))

        sel = cfg['selection']
        kw = 0
        kept_c = []
        if sel == 'none':
            kept_c = list(cand)
            kw = len(cand) * B * C
        elif sel == 'threshold':
            th = thetas[r]
            for t in cand:
                if not ee:
                    kw += B * C
                    if score(t) > th:
                        kept_c.append(t)
                    continue
                g = t // G
                w = wsum(t)
                P = cg[g]
                U = P + ((1 << B) - 1) * qp[g]
                fetched = set()
                stop = U <= th
                for j in range(B - 1, -1, -1):
                    for c in range(C):
                        if stop:
                            break
                        P += (1 << j) * w[j][c]
                        fetched.add((j, c))
                        kw += 1
                        U = P + sum((1 << jj) * qpc[g][cc] for jj in range(B) for cc in range(C) if (jj, cc) not in fetched)
                        stop = U <= th
                if not stop:
                    kept_c.append(t)
        else:
            kk = cfg['k']
            rank = lambda xs: [t for s, t in sorted(xs, key=lambda p: (-p[0], p[1]))[:kk]]
            if not ee:
                kw = len(cand) * B * C
                kept_c = rank([(score(t), t) for t in cand])
            else:
                info = []
                for t in cand:
                    g = t // G
                    w = wsum(t)
                    P1 = cg[g] + (1 << (B - 1)) * sum(w[B - 1])
                    kw += C
                    info.append((P1 + ((1 << (B - 1)) - 1) * qp[g], t, P1, w))
                # README §3: a counting sort over 64 buckets of U1, index ascending inside a bucket
                order = []
                if info:
                    umax = max(x[0] for x in info)
                    umin = min(x[0] for x in info)
                    sh = 0
                    while (umax - umin) >> sh >= 64:
                        sh += 1
                    order = sorted(info, key=lambda x: ((umax - x[0]) >> sh, x[1]))
                completed = []  # (position, score, t)
                for p, (U1, t, P1, w) in enumerate(order):
                    pool = sorted([s for (pp, s, _) in completed if pp < p - cfg['keyLanes']], reverse=True)
                    T = pool[kk - 1] if len(pool) >= kk else None
                    g = t // G
                    stop = T is not None and U1 < T
                    P = P1
                    fetched = {(B - 1, c) for c in range(C)}
                    for j in range(B - 2, -1, -1):
                        for c in range(C):
                            if stop:
                                break
                            P += (1 << j) * w[j][c]
                            fetched.add((j, c))
                            kw += 1
                            U = P + sum((1 << jj) * qpc[g][cc] for jj in range(B) for cc in range(C) if (jj, cc) not in fetched)
                            stop = T is not None and U < T
                    if not stop:
                        completed.append((p, P, t))
                kept_c = rank([(s, t) for (_, s, t) in completed])
        kept = sorted(set(forced) | set(kept_c))
        words = dict(keyPlanes=kw + sum(B * C for t in forced if t < Tk), keyScaleMin=(Tk // G) * 2 * H16,
                     keyResidual=(n - Tk) * H16, valueCodes=sum(bv * D // W for t in kept if t < Tv),
                     valueScaleMin=sum(MV for t in kept if t < Tv), valueResidual=(n - Tv) * H16)
        if nuq:
            words['valueCodebook'] = KW if Tv > 0 else 0  # README §6: the codebook once per row when Tv > 0
        words['total'] = sum(words.values())
        S = {t: score(t) for t in kept}
        out = np.zeros(D, dtype=np.uint16)
        if kept:
            M = max(S.values())
            p = {t: weight(M - S[t], F) for t in kept}
            den = sum(p.values())
            for dd in range(D):
                num = 0
                for t in kept:
                    pat = V['dequant'][t, dd] if t < Tv else V['residual'][t - Tv, dd]
                    s, m, e = decode(fmt, pat)
                    val = m << (e + ES)
                    num += p[t] * (-val if s else val)
                if num != 0:
                    out[dd] = round_to_format(fmt, 1 if num < 0 else 0, abs(num), den << ES)
        kr = np.zeros(n, dtype=np.uint8)
        sr = np.zeros(n, dtype=np.int64)
        for t in kept:
            kr[t] = 1
            sr[t] = S[t]
        outs.append(out)
        kepts.append(kr)
        scores_all.append(sr)
        words_all.append(words)
    np.save(f'{d}/out.npy', np.array(outs, dtype=np.uint16).reshape(rows, D))
    np.save(f'{d}/kept.npy', np.array(kepts, dtype=np.uint8).reshape(rows, n))
    np.save(f'{d}/scores.npy', np.array(scores_all, dtype=np.int64).reshape(rows, n))
    json.dump(words_all, open(f'{d}/words.json', 'w'))


if __name__ == '__main__':
    for case_dir in sys.argv[1:]:
        run(case_dir)
