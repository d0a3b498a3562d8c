#!/usr/bin/env python3
"""Checks the page's technique colours (COLORS in web/highlight.js): contrast
against white (WCAG 2) and the smallest CIELAB distance between any two
colours as seen with normal vision and, simulated with the matrices of
Machado, Oliveira and Fernandes (2009, severity 1), with protanopia,
deuteranopia and tritanopia. Exits 1 when a colour is under 3:1.

    python3 scripts/palette.py
"""
import itertools
import math
import pathlib
import re
import sys

MATRICES = {
    "normal": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def linear(c):
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(lin):
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def lab(lin):
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883
    f = lambda t: t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def main():
    source = (pathlib.Path(__file__).parent.parent / "web/highlight.js").read_text()
    block = re.search(r"const COLORS = \{(.*?)\};", source, re.S).group(1)
    colors = dict(re.findall(r"'([^']+)': '(#[0-9a-f]{6})'", block))
    lin = {t: [linear(int(h[i:i + 2], 16)) for i in (1, 3, 5)] for t, h in colors.items()}
    ok = True
    for t in sorted(colors, key=lambda t: -luminance(lin[t])):
        ratio = 1.05 / (luminance(lin[t]) + 0.05)
        ok &= ratio >= 3
        print(f"{colors[t]}  {ratio:4.2f}:1 on white  {t}")
    for name, m in MATRICES.items():
        seen = {t: lab([min(1, max(0, sum(m[i][j] * c[j] for j in range(3)))) for i in range(3)]) for t, c in lin.items()}
        d, a, b = min((math.dist(seen[a], seen[b]), a, b) for a, b in itertools.combinations(colors, 2))
        print(f"{name:13s} closest pair {d:5.1f} ({a}, {b})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
