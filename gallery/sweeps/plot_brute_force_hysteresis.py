"""
Hysteresis in a brute-force sweep of the Wilson-Cowan model
===========================================================

The brainmass Wilson-Cowan tutorial draws a "brute-force" bifurcation diagram:
one node per input value ``IE``, all started from the same state, and the
minimum and maximum of ``rE`` after a while. That picture shows one attractor
per input. When the model is bistable it cannot show the other one, nor where
the system jumps between them.

Continuing the sweep fixes this: at each value the run starts where the run at
the previous value ended, once with ``IE`` increasing and once decreasing.
With the brainmass parameters as its code runs them (``wEE = 12``,
``wIE = 4``, ``wEI = 13``, ``wII = 11``) the model has a quiet and an active
state between two folds at ``IE = -0.511`` and ``IE = 0.283``; the two sweep
directions jump at different folds and enclose a hysteresis loop.
"""

# %%
# The continuation diagram
# ------------------------
# :func:`nmanalysis.continuation` follows the S-shaped curve of equilibria and
# locates the two folds (LP).
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma
from nmanalysis.analysis.sweeps import brute_force_diagram
from nmanalysis.plot.sweeps import brute_force

model = nma.get_model("wilson_cowan")
tree = nma.continuation(model, "IE", p_range=(-1.5, 1.5))
folds = nma.special_points(tree)
print(folds[["type", "IE", "rE"]].to_dataframe())

# %%
# The sweep, both ways
# --------------------
# Forty-one values of ``IE``; at each, 60 time units of RK4 with the first
# half discarded, for the two directions and two initial states at once. The
# result has no time axis: dims ``direction``, ``IE`` and ``start``.
IE = np.linspace(-1.5, 1.5, 41)
sweep = brute_force_diagram(model, "IE", IE, y0={"rE": [0.0, 0.5], "rI": [0.0, 0.3]},
                            t=(0, 60), dt=0.01)
print(sweep["rE_max"].sizes)

# %%
# Where does each direction jump? The forward sweep leaves the quiet branch at
# the upper fold, the backward sweep leaves the active branch at the lower one;
# each jump lies within one grid step (0.075) of the fold found by continuation.
active = sweep["rE_mean"].isel(start=0) > 0.2
step = IE[1] - IE[0]
for direction in ("forward", "backward"):
    a = active.sel(direction=direction).values
    k = int(np.flatnonzero(a[1:] != a[:-1])[0])
    print(f"{direction:8s} jumps between IE = {IE[k]:+.3f} and {IE[k + 1]:+.3f}")
print("folds at IE =", np.round(folds["IE"].values, 4))

# %%
# The two pictures together
# -------------------------
# Forward markers (filled, pointing right) follow the quiet branch up to the
# fold at 0.283, backward markers (open, pointing left) the active branch down
# to -0.511: between the folds the two directions sit on the two stable
# branches of the continuation diagram, on either side of the unstable middle
# branch (dashed). The right panel is the seed's picture: independent runs
# from one state, which only ever find the quiet state inside the window.
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8, 3.8), layout="constrained", sharey=True)
nma.plot.bifurcation(tree, "rE", ax=ax)
brute_force(sweep, "rE", ax=ax)
ax.legend(loc="center right", fontsize="small")
ax.set_title("continued sweep, both directions")

independent = nma.simulate(model, t=(0, 60), dt=0.01, params={"IE": IE},
                           y0={"rE": 0.0, "rI": 0.0}, record="minmax", transient=30)
nma.plot.bifurcation(tree, "rE", ax=ax2, labels=False)
brute_force(independent, "rE", ax=ax2, legend=False)
ax2.legend(loc="center right", fontsize="small")
ax2.set_title("independent runs from rE = 0")

# %%
# Cost
# ----
# The sweep is sequential in the parameter but batched over directions and
# starts. On two cores, 1001 values of ``IE`` with 2 directions and 4 starts
# (8000 runs of 6000 RK4 steps) take about 12 s, mostly the per-value
# bookkeeping; the reductions keep memory independent of the run length.
