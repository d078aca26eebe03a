#!/usr/bin/env python3
"""Independent NumPy reference for the estimators in src/rules/image/estimators.rs.

Written from the papers, vectorised rather than looped, to cross-check the Rust code:
Sample Pairs Analysis (Dumitrescu, Wu, Wang 2003), RS analysis (Fridrich, Goljan, Du 2001),
Weighted Stego with the Ker-Bohme predictor, weights and bias correction (2008), and the
chi-square attack (Westfeld, Pfitzmann 1999). Prints one line per plane and estimator;
`python3 testdata/estimators_reference.py > testdata/estimators_reference.txt`.
Needs numpy and scipy.
"""
import numpy as np
from scipy.stats import chi2


def plane(embed):
    state = 12345
    def nxt():
        nonlocal state
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        return state >> 16
    a = np.zeros((16, 16), dtype=np.int64)
    for y in range(16):
        for x in range(16):
            a[y, x] = 60 + 4 * x + 3 * y + nxt() % 7
    if embed:
        flat = a.reshape(-1)
        for i in range(flat.size):
            bit = nxt() & 1
            if i % 3 == 0:
                flat[i] = (flat[i] & ~1) | bit
    return a


def spa(a):
    u = np.concatenate([a[:, :-1].ravel(), a[:-1, :].ravel()])
    v = np.concatenate([a[:, 1:].ravel(), a[1:, :].ravel()])
    even = v % 2 == 0
    x = np.sum((even & (u < v)) | (~even & (u > v)))
    y = np.sum((even & (u > v)) | (~even & (u < v)))
    gamma = np.sum(u // 2 == v // 2)
    roots = np.roots([gamma / 2, 2 * x - u.size, y - x])
    return float(min(np.real(roots)))


def rs(a):
    h, w = a.shape
    groups = a[:, : (w // 4) * 4].reshape(h, -1, 4).reshape(-1, 4)
    mask = np.array([0, 1, 1, 0], dtype=bool)

    def f(g):
        return np.abs(np.diff(g, axis=1)).sum(axis=1)

    def d(g, negative):
        flipped = g.copy()
        if negative:
            flipped[:, mask] = ((flipped[:, mask] + 1) ^ 1) - 1
        else:
            flipped[:, mask] ^= 1
        before, after = f(g), f(flipped)
        return (np.sum(after > before) - np.sum(after < before)) / len(g)

    d0, dn0 = d(groups, False), d(groups, True)
    d1, dn1 = d(groups ^ 1, False), d(groups ^ 1, True)
    roots = np.roots([2 * (d1 + d0), dn0 - dn1 - d1 - 3 * d0, d0 - dn0])
    z = roots[np.argmin(np.abs(roots))].real
    return float(z / (z - 0.5))


def ws(a):
    a = a.astype(float)
    k = np.array([[-1, 2, -1], [2, 0, 2], [-1, 2, -1]]) / 4.0
    sign = np.where(a.astype(int) % 2 == 1, 1.0, -1.0)
    h, w = a.shape
    pred = np.zeros((h - 2, w - 2))
    pred_sign = np.zeros((h - 2, w - 2))
    neigh = []
    for dy in range(3):
        for dx in range(3):
            window = a[dy : dy + h - 2, dx : dx + w - 2]
            pred += k[dy, dx] * window
            pred_sign += k[dy, dx] * sign[dy : dy + h - 2, dx : dx + w - 2]
            if (dy, dx) != (1, 1):
                neigh.append(window)
    var = np.var(np.stack(neigh), axis=0)
    weights = 1 / (5 + var)
    weights /= weights.sum()
    centre = a[1:-1, 1:-1]
    s = sign[1:-1, 1:-1]
    raw = 2 * np.sum(weights * s * (centre - pred))
    bias = np.sum(weights * s * pred_sign)
    return float(raw * (1 + bias))


def chi_square_p(a):
    hist = np.bincount(a.ravel().astype(int), minlength=256)
    even, odd = hist[0::2].astype(float), hist[1::2].astype(float)
    expected = (even + odd) / 2
    keep = expected > 4
    stat = np.sum((even[keep] - expected[keep]) ** 2 / expected[keep])
    return float(1 - chi2.cdf(stat, keep.sum() - 1))


if __name__ == "__main__":
    print("# plane estimator value  (python3 testdata/estimators_reference.py)")
    for name in ("clean", "embedded"):
        a = plane(name == "embedded")
        for est in (spa, rs, ws, chi_square_p):
            print(f"{name} {est.__name__} {est(a):.15f}")
