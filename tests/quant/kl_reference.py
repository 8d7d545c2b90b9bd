#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Independent reference for tests/quant/test_kl_pinned.c: computes the KL (entropy)
# calibration threshold of two integer-defined histograms in plain Python (no numpy here),
# (a) as src/quant/calib_kl.c documents its algorithm (TensorRT's entropy calibration with
# MXNet's smoothing, each side clipped on its own, exact zeros set aside), and (b) by the
# classic symmetric MXNet _get_optimal_threshold (what TensorRT describes: 128 levels per side,
# num_merged_bins = width // levels, remainder to the last level). Prints the numbers the C
# test pins. Run: python3 tests/quant/kl_reference.py
import math

LEVELS, MAX_CAND, EPS = 255, 512, 1e-4


def case_histogram(name):
    """The two test histograms, integer counts the C test builds the same way."""
    n = 2048
    if name == "laplace":  # symmetric, bins of 1/128 over [-8, 8), far outliers
        n_neg, width = 1024, 1.0 / 128
        h = [0] * n
        for k in range(n):
            d = abs(k - n_neg)
            if d < 960:
                h[k] = (1 << 20) >> (d // 48)
        h[3] += 5
        h[2040] += 5
        zero, lo_bin, hi_bin = 0, 3, 2040
    else:  # "silu": small negative side, a spike of exact zeros, long right tail
        n_neg, width = 64, 1.0 / 256
        h = [0] * n
        for k in range(n):
            d = k - n_neg
            if d < 0:
                h[k] = 300 + 40 * (d + 64)  # -0.25 .. 0: rising towards 0
            elif d < 1900:
                h[k] = (1 << 18) >> (d // 40)
        h[n_neg] += 500000  # exact zeros (post-activation)
        h[2046] += 3
        zero, lo_bin, hi_bin = 500000, 0, 2046
    # observed min/max: lower edge of the lowest bin, upper edge of the highest
    omin = (lo_bin - n_neg) * width
    omax = (hi_bin + 1 - n_neg) * width
    return h, n_neg, width, zero, omin, omax


def smooth(d):
    nz = sum(1 for v in d if v != 0.0)
    if nz == 0:
        return None
    eps1 = EPS * (len(d) - nz) / nz
    return [v - eps1 if v != 0.0 else EPS for v in d]


def kl_div(p, q):
    sp, sq = sum(p), sum(q)
    if not (sp > 0 and sq > 0):
        return math.inf
    return sum((a / sp) * math.log((a / sp) / (b / sq)) for a, b in zip(p, q) if a > 0 and b > 0)


def yoloq_spec(name):
    h, n_neg, width, zero, omin, omax = case_histogram(name)
    n = len(h)
    h = [float(v) for v in h]
    h[n_neg] = max(0.0, h[n_neg] - zero)
    n_pos = n - n_neg
    k_max = max(n_neg, n_pos)
    k_min = 1
    while k_min < k_max and min(k_min, n_neg) + min(k_min, n_pos) < LEVELS:
        k_min += 1
    step = (k_max - k_min) // MAX_CAND + 1
    best, best_k = math.inf, k_max
    ks = list(range(k_min, k_max, step)) + [k_max]
    for k in ks:
        s, e = n_neg - min(k, n_neg), n_neg + min(k, n_pos)
        w = e - s
        p = h[s:e]
        p[0] += sum(h[:s])
        p[-1] += sum(h[e:])
        lev_sum, lev_nz = [0.0] * LEVELS, [0] * LEVELS
        for i in range(w):
            j = i * LEVELS // w
            lev_sum[j] += h[s + i]
            lev_nz[j] += p[i] != 0.0
        q = [lev_sum[i * LEVELS // w] / lev_nz[i * LEVELS // w]
             if p[i] != 0.0 and lev_nz[i * LEVELS // w] else 0.0 for i in range(w)]
        ps, qs = smooth(p), smooth(q)
        kl = math.inf if ps is None or qs is None else kl_div(ps, qs)
        if kl < best:
            best, best_k = kl, k
    t = best_k * width
    return best_k, max(-t, omin), min(t, omax)


def mxnet_classic(name):
    """MXNet _get_optimal_threshold on the same counts (symmetric; TensorRT's 128 levels)."""
    h, n_neg, width, zero, omin, omax = case_histogram(name)
    hist = [float(v) for v in h]
    nq = 255  # MXNet num_quantized_bins
    zero_bin = n_neg
    half = min(n_neg, len(h) - n_neg)
    best, best_i = math.inf, None
    for i in range(nq // 2, half + 1):
        s, e = zero_bin - i, zero_bin + i
        sliced = hist[s:e]
        p = sliced[:]
        p[0] += sum(hist[:s])
        p[-1] += sum(hist[e:])
        nz = [v != 0 for v in p]
        m = len(sliced) // nq
        qb = [sum(sliced[j * m:(j + 1) * m]) for j in range(nq)]
        qb[-1] += sum(sliced[nq * m:])
        q = [0.0] * len(sliced)
        for j in range(nq):
            a, b = j * m, (len(sliced) if j == nq - 1 else (j + 1) * m)
            norm = sum(nz[a:b])
            if norm:
                for x in range(a, b):
                    q[x] = qb[j] / norm if nz[x] else 0.0
        ps, qs = smooth(p), smooth(q)
        kl = math.inf if ps is None or qs is None else kl_div(ps, qs)
        if kl < best:
            best, best_i = kl, i
    return best_i, best_i * width


if __name__ == "__main__":
    for name in ("laplace", "silu"):
        k, lo, hi = yoloq_spec(name)
        print(f"{name}: spec k={k} lo={lo!r} hi={hi!r}")
    i, t = mxnet_classic("laplace")
    print(f"laplace: mxnet classic i={i} threshold={t!r}")
