#!/usr/bin/env python3
"""Independent NumPy reference for the kvhdl quantizer golden model (gen/quantizer/README.md).

Usage: kivi_ref.py DIR [DIR ...]. For each DIR: reads DIR/cfg.json (the quantizer config) and DIR/x.npy (uint16 bit
patterns [T, D]); writes DIR/{codes,scale,min,flags,packed,residual,dequant}.npy with the README's
dtypes and shapes (scale/min/residual/dequant: float16 for fp16, uint16 bfloat16 patterns for bf16),
with numpy.save.

fp16: every operation is a NumPy float16 operation, step by step (NumPy rounds each float16
+, -, *, / correctly: it computes in float32, and 24 >= 2*11 + 2 makes that double rounding exact).
bf16: NumPy has no bfloat16, so each operation is computed in float64 on the exact operand values
and rounded once to bfloat16 by `round_bf16` (round to nearest, ties to even, subnormals kept,
overflow to inf). Double rounding through float64 is exact for +, -, *, / because
53 >= 2*8 + 2 (Figueroa), and float64 covers bfloat16's whole range including its subnormals.
"""
import json
import sys

import numpy as np

FLAG_NAN, FLAG_INF, FLAG_RANGE_OVF, FLAG_ZERO_SCALE = 1, 2, 4, 8


def round_bf16(v):
    """float64 array -> nearest bfloat16 value (as float64), RNE, subnormals kept, overflow to inf."""
    v = np.asarray(v, dtype=np.float64)
    out = v.copy()
    fin = np.isfinite(v) & (v != 0)
    _, e = np.frexp(np.where(fin, v, 1.0))  # |v| in [2^(e-1), 2^e)
    q = np.maximum(e - 8, -133)  # quantum: 8 significant bits, subnormal quantum 2^-133
    r = np.rint(np.ldexp(v, -q))  # exact scaling, then ties-to-even rounding
    r = np.ldexp(r, q)
    r = np.where(np.abs(r) >= 2.0 ** 128, np.copysign(np.inf, v), r)
    out[fin] = r[fin]
    return out


class Fp16:
    nan = 0x7E00

    @staticmethod
    def load(bits):
        return bits.astype('<u2').view(np.float16)

    @staticmethod
    def bits(v):
        return np.asarray(v, dtype=np.float16).view('<u2')

    sub = staticmethod(lambda a, b: a - b)
    div = staticmethod(lambda a, b: a / b)
    mul = staticmethod(lambda a, b: a * b)
    add = staticmethod(lambda a, b: a + b)
    const = staticmethod(lambda c: np.float16(c))


class Bf16:
    nan = 0x7FC0

    @staticmethod
    def load(bits):
        return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)

    @staticmethod
    def bits(v):
        v = np.asarray(v, dtype=np.float64)
        b = (v.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)  # exact: v is a bf16 value
        return np.where(np.isnan(v), np.uint16(0x7FC0), b).astype('<u2')

    sub = staticmethod(lambda a, b: round_bf16(a - b))
    div = staticmethod(lambda a, b: round_bf16(a / b))
    mul = staticmethod(lambda a, b: round_bf16(a * b))
    add = staticmethod(lambda a, b: round_bf16(a + b))
    const = staticmethod(lambda c: np.float64(c))


def pack(codes, bits):
    """uint8 [rows, n] -> uint32 [rows, n*bits/32], LSB-first along the last axis."""
    per = 32 // bits
    rows, n = codes.shape
    c = codes.astype(np.uint64).reshape(rows, n // per, per)
    shifts = (np.arange(per, dtype=np.uint64) * np.uint64(bits))
    return np.bitwise_or.reduce(c << shifts, axis=2).astype('<u4')


def run(d):
    cfg = json.load(open(f'{d}/cfg.json'))
    xb = np.load(f'{d}/x.npy')
    F = Fp16 if cfg['format'] == 'fp16' else Bf16
    b, G, D, R, mode = cfg['bits'], cfg['groupSize'], cfg['channels'], cfg['residual'], cfg['mode']
    T = xb.shape[0]
    assert xb.shape == (T, D) and xb.dtype == np.uint16
    Tq = max(0, T - R) if mode == 'per-token' else (T // R) * R
    x = F.load(xb[:Tq])
    # groups: [rows, cols, G] in group order
    if mode == 'per-token':
        g = x.reshape(Tq, D // G, G)
    else:
        g = x.reshape(Tq // G, G, D).transpose(0, 2, 1)
    maxq = 2 ** b - 1
    with np.errstate(all='ignore'):
        has_nan = np.isnan(g).any(axis=2)
        has_inf = np.isinf(g).any(axis=2)
        mn = g[:, :, 0].copy()
        mx = g[:, :, 0].copy()
        for i in range(1, G):  # left fold, strict comparisons: ties keep the earlier element
            v = g[:, :, i]
            mn = np.where(v < mn, v, mn)
            mx = np.where(v > mx, v, mx)
        rng = F.sub(mx, mn)
        ovf = np.isinf(rng) & ~has_nan & ~has_inf
        bad = has_nan | has_inf | ovf
        scale = F.div(rng, F.const(maxq))
        zero = (scale == 0) & ~bad
        dd = F.sub(g, mn[:, :, None])
        t = F.div(dd, scale[:, :, None])
        code = np.minimum(np.rint(t), F.const(maxq))
        code = np.where(bad[:, :, None] | zero[:, :, None] | np.isnan(code), 0, code)
        code = np.maximum(code, 0)  # t may be -0
        code = code.astype(np.uint8)
        sc = np.where(bad, np.nan, scale)  # invalid groups: scale = min = NaN, so x-hat is NaN
        m = np.where(bad, np.nan, mn)
        xh = F.add(F.mul(code.astype(x.dtype), sc[:, :, None]), m[:, :, None])
    flags = (has_nan * FLAG_NAN | has_inf * FLAG_INF | ovf * FLAG_RANGE_OVF | zero * FLAG_ZERO_SCALE).astype(np.uint8)
    scale_b = np.where(bad, np.uint16(F.nan), F.bits(scale)).astype('<u2')
    min_b = np.where(bad, np.uint16(F.nan), F.bits(mn)).astype('<u2')
    xh_b = F.bits(xh)
    xh_b = np.where(np.isnan(xh), np.uint16(F.nan), xh_b).astype('<u2')  # canonical NaN pattern
    if mode == 'per-token':
        codes = code.reshape(Tq, D)
        dequant = xh_b.reshape(Tq, D)
        packed = pack(codes, b)
    else:
        codes = code.transpose(0, 2, 1).reshape(Tq, D)
        dequant = xh_b.transpose(0, 2, 1).reshape(Tq, D)
        packed = pack(np.ascontiguousarray(codes.T), b)
    fdt = np.float16 if cfg['format'] == 'fp16' else np.uint16
    out = dict(codes=codes, scale=scale_b.view(fdt), min=min_b.view(fdt), flags=flags, packed=packed,
               residual=xb[Tq:].view(fdt), dequant=dequant.view(fdt))
    for k, v in out.items():
        np.save(f'{d}/{k}.npy', np.ascontiguousarray(v))


if __name__ == '__main__':
    for case_dir in sys.argv[1:]:
        run(case_dir)
