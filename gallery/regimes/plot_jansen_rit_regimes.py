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
a 200 x 200 map takes about a minute on two cores (``benchmarks/bench_regimes.py``).
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
# The map, with the Hopf and fold points of the standard column (C = 135)
# -------------------------------------------------------------------------
# At C = 135 continuation finds folds at p = -41.3 and 113.6 and Hopf points at
# p = -12.1, 89.8 and 315.7: the map's boundaries cross that line there.
fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
plot_regime_map(ds, ax=ax, x="p", y="C", overlay={
    "Hopf (C = 135)": ([-12.15, 89.83, 315.70], [135, 135, 135]),
    "fold (C = 135)": ([-41.30, 113.59], [135, 135])})
ax.set_title("Jansen-Rit: regimes over p and C")

# %%
# Where it oscillates, how fast
# -----------------------------
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ds["frequency"].plot(ax=ax, x="p", y="C", cmap="viridis", vmax=12)
ax.set_title("frequency of the largest cycle [Hz]")
plt.show()
