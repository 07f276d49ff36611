"""
Jansen-Rit regimes over input rate and connectivity
===================================================

The Jansen-Rit column rests, oscillates at alpha frequency, or produces slow
large "spike-wave" cycles depending on its input rate ``p`` and its
connectivity constant ``C``. :func:`nmanalysis.analysis.regimes.regime_map`
integrates a few initial states at every point of a ``p`` x ``C`` grid,
classifies each trajectory (equilibrium / cycle / undecided) and counts the
distinct attractors.

This grid is small (36 x 30 points, two initial states each, a few seconds);
a 200 x 200 map takes about half a minute on two cores
(``benchmarks/bench_regimes.py``).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma
from nmanalysis.analysis.regimes import regime_map
from nmanalysis.plot.regimes import regime_map as plot_regime_map

model = nma.get_model("jansen_rit")
ds = regime_map(model, {"p": np.linspace(-50, 350, 36), "C": np.linspace(80, 260, 30)},
                t=(0, 4), transient=2, method="rk4", dt=1e-3, n_initial=2, progress=False)

# %%
# The map, with its boundaries located exactly
# --------------------------------------------
# The map resolves its boundaries only to the grid. Equilibrium continuation
# in ``p`` at a few values of ``C`` (:func:`~nmanalysis.analysis.regimes.bifurcation_curves`)
# places the folds (LP) and Hopf points (HB) exactly in ``p``; the regime
# boundaries run through them.
from nmanalysis.analysis.regimes import bifurcation_curves

curves = bifurcation_curves(model, "p", (-400, 400), "C", np.linspace(90, 250, 17),
                            progress=False)
is_hb = curves["type"].values == "HB"
print(f"{int(is_hb.sum())} Hopf points and {int((~is_hb).sum())} folds over 17 values of C")

# the two folds at each C, joined into a left and a right fold curve (NaN between them)
left, right = [], []
for c in np.unique(curves["C"].values):
    lp = np.sort(curves["p"].values[(curves["C"].values == c) & ~is_hb])
    if lp.size == 2:
        left.append((lp[0], c))
        right.append((lp[1], c))
folds = np.array(left + [(np.nan, np.nan)] + right)
fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
plot_regime_map(ds, ax=ax, x="p", y="C", overlay={
    "fold (continuation)": (folds[:, 0], folds[:, 1]),
    "Hopf (continuation)": (curves["p"].values[is_hb], curves["C"].values[is_hb])})
ax.set_xlim(float(ds["p"].min()) - 6, float(ds["p"].max()) + 6)
ax.set_title("Jansen-Rit: regimes over p and C")

# %%
# Above C of about 140 the edge of the oscillating region follows the right
# fold curve to the grid's resolution: there the large slow cycle is born on
# the fold itself (a saddle-node on an invariant circle, as in the full
# diagram at C = 135), so the fold curve *is* the regime boundary. Below it the
# two folds enclose the bistable band (dark blue), and the few Hopf points sit
# near C = 130, where the alpha cycle appears.

# %%
# Where it oscillates, how fast
# -----------------------------
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ds["frequency"].plot(ax=ax, x="p", y="C", cmap="viridis", vmax=12)
ax.set_title("frequency of the largest cycle [Hz]")
plt.show()
