"""
Two coexisting states of the Montbrió-Pazó-Roxin mean field
===========================================================

The exact mean field of a QIF network (``montbrio_pazo_roxin``; J = 15,
Delta = 1, tau = 1 ms) has a fold of equilibria at eta = -5.7435 and -3.1361
(``mpr_qif.json`` in the reference data). Between the folds a low-rate node and
a high-rate focus coexist, separated by the stable manifold of a saddle. We map
the basins at eta = -5 (brainmass' default) and at eta = -4, closer to the
upper fold, where the low state's basin shrinks.
"""

# %%
# Basins at two values of eta
# ---------------------------
# The high-rate focus attracts the region enclosed by the two branches of the
# saddle's stable manifold (dashed); every other initial state, including those
# that start with a large membrane potential, returns to
# the low-rate node. Moving eta towards the upper fold enlarges the high
# state's basin (in this box from about a quarter to about three quarters).
# Initial states whose trajectory escapes to infinity (the ``v^2`` term) would
# be flagged ``diverged`` and left undecided (grey); in this box there are none.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("montbrio_pazo_roxin")
grid = {"r": np.linspace(0.0, 2.5, 180), "v": np.linspace(-3.0, 1.5, 160)}
ranges = {"r": (0.0, 2.5), "v": (-3.0, 1.5)}
fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), layout="constrained", sharey=True)
for ax, eta in zip(axes, (-5.0, -4.0)):
    bm = nma.basin_map(model, grid, params={"eta": eta}, progress=False)
    pp = nma.phase_plane(model, "r", "v", params={"eta": eta}, ranges=ranges,
                         manifolds=True, t=(0.0, 100.0))
    nma.plot.basins(bm, ax=ax, nullclines=pp, legend=ax is axes[0])
    ax.set_title(f"eta = {eta:g}", fontsize=9)
    cat = bm["attractors"]
    status = bm["status"].values
    print(f"eta = {eta:g}:", ", ".join(f"{lab} {frac:.3f}" for lab, frac in
                                       zip(cat["label"].values, cat["fraction"].values)),
          f"; diverged {np.mean(status == 1):.3f}")
axes[1].set_ylabel("")
