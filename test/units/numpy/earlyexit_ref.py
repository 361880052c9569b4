#!/usr/bin/env python3
"""Independent NumPy checker of the earlyexit unit, written from gen/earlyexit/README.md alone.

usage: earlyexit_ref.py DIR [DIR ...]

Each DIR holds cfg.json (a complete config: dims, queryBits, keyBits, keySigned, dimsPerCycle,
earlyExit, maxKeys), q.npy int [rows, D], k.npy int [n, D] and theta.npy int [rows]. The script
writes, per DIR:
  ref_kept.npy    uint8 [rows, n]   1 iff the key is kept
  ref_scores.npy  int64 [rows, n]   the exact score where kept, else 0
  ref_planes.npy  uint8 [rows, n]   planes fetched and added for the key
  ref_image.npy   uint8 [n*B*C, W]  the key cache image, one row per memory word, column i = bit i
  ref_report.json {planes, words, baseline: {planes, words}}

Method (README "Memory layout", "Arithmetic"): the keys are laid out into the memory image by the
address formula addr(t, j, c) = (t*B + (B-1-j))*C + c, bit i of a word = bit j of k[t, c*W+i]; the
plane bits are then read back *from the image* (not from k), plane sums S_j = sum_d q_d*b_d,j are
weighted by 2^j (-2^(B-1) for the MSB of signed keys) and the prune rule
A_j + (2^j - 1)*Q+ <= theta is applied from plane B-1 down to 0. theta is saturated to SW bits
as the README states; the script also checks the README's claims that the saturation changes no
decision and that the weighted plane sums equal the direct dot product.
"""
import json
import os
import sys

import numpy as np


def widths(cfg):
    D, B, Wq = cfg["dims"], cfg["keyBits"], cfg["queryBits"]
    W = cfg["dimsPerCycle"] or D
    C = -(-D // W)
    clog2 = 0 if D <= 1 else (D - 1).bit_length()
    SW = Wq + B + clog2 + 1
    return D, B, Wq, W, C, SW


def image_of(cfg, k):
    """The README's memory image of k [n, D]: [n*B*C, W] bits."""
    D, B, _, W, C, _ = widths(cfg)
    n = k.shape[0]
    pattern = k.astype(np.int64) & ((1 << B) - 1)  # B-bit two's complement pattern (or the code)
    img = np.zeros((n * B * C, W), dtype=np.uint8)
    for t in range(n):
        for j in range(B):
            for c in range(C):
                addr = (t * B + (B - 1 - j)) * C + c
                for i in range(W):
                    d = c * W + i
                    if d < D:
                        img[addr, i] = (pattern[t, d] >> j) & 1
    return img


def planes_from_image(cfg, img, n):
    """bits[t, j, d] = bit j of key t's element d, read back from the image by the address formula."""
    D, B, _, W, C, _ = widths(cfg)
    bits = np.zeros((n, B, D), dtype=np.int64)
    for t in range(n):
        for j in range(B):
            for d in range(D):
                bits[t, j, d] = img[(t * B + (B - 1 - j)) * C + d // W, d % W]
    return bits


def decide(cfg, q, bits, theta):
    """kept, scores, planes [rows, n] by the prune rule (theta: Python ints)."""
    _, B, _, _, _, _ = widths(cfg)
    rows, n = q.shape[0], bits.shape[0]
    S = np.einsum("rd,tjd->rtj", q.astype(np.int64), bits)  # plane sums [rows, n, B]
    qplus = np.maximum(q.astype(np.int64), 0).sum(axis=1)  # Q+ per row
    kept = np.zeros((rows, n), dtype=np.uint8)
    scores = np.zeros((rows, n), dtype=np.int64)
    planes = np.zeros((rows, n), dtype=np.uint8)
    for r in range(rows):
        for t in range(n):
            acc = 0
            stopped = None
            for j in range(B - 1, -1, -1):
                w = -(1 << j) if (cfg["keySigned"] and j == B - 1) else (1 << j)
                acc += w * int(S[r, t, j])
                if cfg["earlyExit"] and acc + ((1 << j) - 1) * int(qplus[r]) <= theta[r]:
                    stopped = j
                    break
            if stopped is not None:
                planes[r, t] = B - stopped
            else:
                planes[r, t] = B
                if acc > theta[r]:
                    kept[r, t] = 1
                    scores[r, t] = acc
    return kept, scores, planes, S


def check_one(d):
    with open(os.path.join(d, "cfg.json")) as f:
        cfg = json.load(f)
    D, B, Wq, W, C, SW = widths(cfg)
    q = np.load(os.path.join(d, "q.npy")).astype(np.int64)
    k = np.load(os.path.join(d, "k.npy")).astype(np.int64)
    theta_raw = [int(v) for v in np.load(os.path.join(d, "theta.npy"))]
    rows, n = q.shape[0], k.shape[0]
    assert q.shape[1] == D and k.shape[1] == D and len(theta_raw) == rows
    assert q.min(initial=0) >= -(1 << (Wq - 1)) and q.max(initial=0) < (1 << (Wq - 1))
    klo, khi = (-(1 << (B - 1)), (1 << (B - 1)) - 1) if cfg["keySigned"] else (0, (1 << B) - 1)
    assert k.min(initial=0) >= klo and k.max(initial=0) <= khi
    lo, hi = -(1 << (SW - 1)), (1 << (SW - 1)) - 1
    theta = [min(max(v, lo), hi) for v in theta_raw]

    img = image_of(cfg, k)
    bits = planes_from_image(cfg, img, n)
    kept, scores, planes, S = decide(cfg, q, bits, theta)

    # README claims, checked independently of the unit:
    weights = np.array([-(1 << j) if (cfg["keySigned"] and j == B - 1) else (1 << j) for j in range(B)], dtype=np.int64)
    exact = q @ k.T  # direct dot products [rows, n]
    assert np.array_equal((S * weights).sum(axis=2), exact), "sum_j w_j*S_j != q.k"
    want_kept = np.array([[1 if int(exact[r, t]) > theta_raw[r] else 0 for t in range(n)] for r in range(rows)], dtype=np.uint8).reshape(rows, n)
    assert np.array_equal(kept, want_kept), "kept != {t : s_t > theta}"
    assert np.array_equal(scores, np.where(want_kept == 1, exact, 0)), "kept scores not exact"
    k2, s2, p2, _ = decide(cfg, q, bits, theta_raw)
    assert np.array_equal(k2, kept) and np.array_equal(s2, scores) and np.array_equal(p2, planes), "theta saturation changed a decision"
    assert planes.min(initial=1) >= 1 and planes.max(initial=B) <= B

    np.save(os.path.join(d, "ref_kept.npy"), kept)
    np.save(os.path.join(d, "ref_scores.npy"), scores)
    np.save(os.path.join(d, "ref_planes.npy"), planes)
    np.save(os.path.join(d, "ref_image.npy"), img)
    total = int(planes.astype(np.int64).sum())
    report = {"planes": total, "words": total * C, "baseline": {"planes": rows * n * B, "words": rows * n * B * C}}
    with open(os.path.join(d, "ref_report.json"), "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: earlyexit_ref.py DIR [DIR ...]")
    for directory in sys.argv[1:]:
        try:
            check_one(directory)
        except AssertionError as e:
            sys.exit(f"earlyexit_ref.py: {directory}: {e}")
