#!/usr/bin/env python3
"""Independent NumPy float model of KIVI attention (design.md §4, KIVI's quant/new_pack.py), for the attention unit's
accuracy references (gen/attention/README.md §1 and §7).

Usage: attention_float_kivi.py DIR [DIR ...]. Each DIR holds cfg.json (the attention config: dims, keyBits,
valueBits, groupSize, residual), q.npy [rows, D], k.npy, v.npy [n, D] (uint16 fp16 bit patterns) and kept.npy
(uint8 [rows, n], the kept set to evaluate (b) on). Writes

  khat.npy  uint16 [Tk, D]  dequantized keys (fp16 patterns), Tk = floor(n / R) * R (keys per channel, groups of G tokens)
  vhat.npy  uint16 [Tv, D]  dequantized values, Tv = max(0, n - R) (values per token, groups of G channels)
  outA.npy  float64 [rows, D]  (a) softmax(q.k / sqrt(D)) v over all n tokens with the original fp16 K and V
  outB.npy  float64 [rows, D]  (b) the same over the kept tokens with khat / vhat (residual tokens raw)

KIVI in float16, every operation a NumPy float16 operation (each correctly rounded): per group mn = min, mx = max,
scale = (mx - mn) / (2^b - 1), code = round_half_even(clip((x - mn) / scale, 0, 2^b - 1)), xhat = code * scale + mn.
A zero scale (a constant group) gives code 0 (KIVI would divide by zero; kvhdl's quantizer README, step 5).
Attention in float64: s_t = q.k_t / sqrt(D), p = exp(s - max s), out = sum p v / sum p.
"""
import json
import os
import sys

import numpy as np


def kivi_groups(x, bits):
    """x: float16 [groups, G] -> xhat float16 [groups, G], each row one KIVI group."""
    maxq = np.float16(2**bits - 1)
    mn = x.min(axis=1, keepdims=True)
    mx = x.max(axis=1, keepdims=True)
    scale = ((mx - mn) / maxq).astype(np.float16)
    zero = scale == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = ((x - mn) / np.where(zero, np.float16(1), scale)).astype(np.float16)
    code = np.rint(np.clip(t, np.float16(0), maxq)).astype(np.float16)  # np.rint: round half to even
    code = np.where(zero, np.float16(0), code)
    return (code * scale + mn).astype(np.float16)


def quantize_keys(k, bits, G, R):
    n, D = k.shape
    tk = (n // R) * R
    blocks = k[:tk].reshape(tk // G, G, D).transpose(0, 2, 1).reshape(-1, G)  # per channel, G tokens
    return kivi_groups(blocks, bits).reshape(tk // G, D, G).transpose(0, 2, 1).reshape(tk, D)


def quantize_values(v, bits, G, R):
    n, D = v.shape
    tv = max(0, n - R)
    return kivi_groups(v[:tv].reshape(-1, G), bits).reshape(tv, D)  # per token, G channels


def attention(q, keys, vals):
    q = q.astype(np.float64)
    if keys.shape[0] == 0:
        return np.zeros(q.shape[0])
    s = keys.astype(np.float64) @ q / np.sqrt(q.shape[0])
    p = np.exp(s - s.max())
    return (p[:, None] * vals.astype(np.float64)).sum(axis=0) / p.sum()


def run(d):
    cfg = json.load(open(os.path.join(d, "cfg.json")))
    load = lambda name: np.load(os.path.join(d, name)).astype(np.uint16).view(np.float16)  # noqa: E731
    q, k, v = load("q.npy"), load("k.npy"), load("v.npy")
    kept = np.load(os.path.join(d, "kept.npy")).astype(bool)
    G, R = cfg["groupSize"], cfg["residual"]
    khat = quantize_keys(k, cfg["keyBits"], G, R)
    vhat = quantize_values(v, cfg["valueBits"], G, R)
    kq = np.concatenate([khat, k[khat.shape[0]:]])
    vq = np.concatenate([vhat, v[vhat.shape[0]:]])
    out_a = np.stack([attention(row, k, v) for row in q])
    out_b = np.stack([attention(row, kq[m], vq[m]) for row, m in zip(q, kept)])
    np.save(os.path.join(d, "khat.npy"), khat.view(np.uint16))
    np.save(os.path.join(d, "vhat.npy"), vhat.view(np.uint16))
    np.save(os.path.join(d, "outA.npy"), out_a)
    np.save(os.path.join(d, "outB.npy"), out_b)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        run(arg)
