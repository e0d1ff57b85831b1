"""Writes the synthetic cohort that ../shared/tools/lifelines-anchor.py times
lifelines on — the same seeded draws, so both engines see the same data —
as CSV: x0..x{P-1}, T, E and the group g = (x0 > 0).

usage: python benches/stats_cohort.py N P OUT.csv
"""
import sys

import numpy as np

n, p, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
X = rng.normal(size=(n, p))
beta = rng.normal(scale=0.3, size=p)
t = rng.exponential(np.exp(-X @ beta))
c = rng.exponential(1.0, size=n)
T = np.minimum(t, c).round(3) + 0.001
E = (t <= c).astype(int)
g = (X[:, 0] > 0).astype(int)
risk = X @ beta
columns = np.column_stack([X, T, E, g, X @ beta])
header = ",".join([f"x{i}" for i in range(p)] + ["T", "E", "g", "risk"])
# 17 significant digits: the CSV round-trips every double exactly.
np.savetxt(out, columns, delimiter=",", header=header, comments="", fmt="%.17g")
