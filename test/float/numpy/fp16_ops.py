#!/usr/bin/env python3
"""NumPy float16 oracle for the kvhdl float golden-model tests (test/float/golden-fp16.test.ts).

Usage: fp16_ops.py MODE DIR. Every file is raw little-endian binary.
  binary  DIR/a.u16, DIR/b.u16 (same length) -> DIR/add.u16, sub.u16, mul.u16, div.u16 (a op b
          as np.float16 bit patterns) and DIR/lt.u8, le.u8, eq.u8 (0/1).
  unary   DIR/a.u16 -> DIR/rint.u16 (np.rint), DIR/f64.f64 (exact value as float64),
          DIR/uint{2,4,8,16}.f64 (np.clip(np.rint(x), 0, 2^b - 1), NaN -> 0, as float64).
  fromf64 DIR/x.f64 -> DIR/h.u16 (np.float64 -> np.float16: one rounding from the double).
  fromint DIR/n.i64 -> DIR/h.u16 (np.int64 -> np.float16).
"""
import sys

import numpy as np


def u16(path):
    return np.fromfile(path, dtype='<u2').view(np.float16)


def put(path, arr, dtype):
    np.ascontiguousarray(arr).astype(dtype).tofile(path)


def main():
    mode, d = sys.argv[1], sys.argv[2]
    with np.errstate(all='ignore'):
        if mode == 'binary':
            a, b = u16(f'{d}/a.u16'), u16(f'{d}/b.u16')
            for name, r in (('add', a + b), ('sub', a - b), ('mul', a * b), ('div', a / b)):
                assert r.dtype == np.float16
                put(f'{d}/{name}.u16', r.view('<u2'), '<u2')
            for name, r in (('lt', a < b), ('le', a <= b), ('eq', a == b)):
                put(f'{d}/{name}.u8', r, 'u1')
        elif mode == 'unary':
            a = u16(f'{d}/a.u16')
            r = np.rint(a)
            assert r.dtype == np.float16
            put(f'{d}/rint.u16', r.view('<u2'), '<u2')
            x = a.astype(np.float64)
            put(f'{d}/f64.f64', x, '<f8')
            for bits in (2, 4, 8, 16):
                q = np.clip(np.nan_to_num(np.rint(x), nan=0.0, posinf=np.inf, neginf=-np.inf), 0, 2**bits - 1)
                put(f'{d}/uint{bits}.f64', q, '<f8')
        elif mode == 'fromf64':
            x = np.fromfile(f'{d}/x.f64', dtype='<f8')
            put(f'{d}/h.u16', x.astype(np.float16).view('<u2'), '<u2')
        elif mode == 'fromint':
            n = np.fromfile(f'{d}/n.i64', dtype='<i8')
            put(f'{d}/h.u16', n.astype(np.float16).view('<u2'), '<u2')
        else:
            raise SystemExit(f'fp16_ops.py: unknown mode {mode!r}')


if __name__ == '__main__':
    main()
