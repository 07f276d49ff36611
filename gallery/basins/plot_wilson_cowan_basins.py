"""
Bistability in the Wilson-Cowan model: basins and their boundary
================================================================

brainmass' Wilson-Cowan tutorial demonstrates bistability with
``wEE = 16, wEI = 12, wII = 8`` and a constant input ``IE = 0.5``, and draws a
"basin of attraction" by simulating a 40 x 40 grid of initial states one at a
time and thresholding the final ``rE`` at 0.3. As coded (E input
``wEE rE - wIE rI + IE``, I input ``wEI rE - wII rI``) that parameter set has a
single equilibrium, so there is nothing to separate. Here we check that, then
take a set that is bistable for certain (the default weights, with ``IE``
between the two folds of the equilibrium curve at IE = -0.51097 and 0.28335,
see ``wc_bm.json`` in the reference data), map its basins on a grid with early
stopping, and compare the boundary with the saddle's stable manifold.
"""

# %%
# The tutorial's parameter set is monostable
# ------------------------------------------
# :func:`nmanalysis.fixed_points` searches the whole declared box of (rE, rI)
# from many starts; it finds one equilibrium, a stable one. Every initial state
# of the tutorial's grid goes there: the basin map has a single colour.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("wilson_cowan")
seed_set = {"wEE": 16.0, "wEI": 12.0, "wII": 8.0, "IE": 0.5}
fp = nma.fixed_points(model, params=seed_set)
n = int(fp["n_fp"])
print(f"{n} equilibrium:", fp[["rE", "rI", "kind"]].isel(fp=slice(0, n)).to_dataframe())

grid = {"rE": np.linspace(0.0, 1.0, 40), "rI": np.linspace(0.0, 0.8, 40)}
seed_map = nma.basin_map(model, grid, params=seed_set, progress=False)
print("attractors reached:", np.unique(seed_map["attractor"].values))

# %%
# A truly bistable set
# --------------------
# With the default weights (wEE = 12, wIE = 4, wEI = 13, wII = 11) and IE = 0,
# inside the fold interval (-0.511, 0.283), a quiet and an active stable node
# coexist with a saddle. Each initial state of the grid is integrated with RK4
# and stops once it has stayed within 1e-3 (relative to the grid's span) of a
# stable equilibrium: on average after 5 ms instead of the full 84 ms. The
# saddle is never an attractor.
params = {"IE": 0.0}
grid = {"rE": np.linspace(0.0, 1.0, 200), "rI": np.linspace(0.0, 0.8, 160)}
bm = nma.basin_map(model, grid, params=params, progress=False)
cat = bm["attractors"].to_dataset(inherit=False)
print(cat[["label", "rE_point", "rI_point", "fraction"]].to_dataframe())
print("mean time to converge:", float(bm["time_to_converge"].mean()), "ms;",
      "undecided:", int((bm["attractor"] < 0).sum()))

# %%
# The boundary is the saddle's stable manifold
# --------------------------------------------
# :func:`nmanalysis.phase_plane` with ``manifolds=True`` integrates the
# saddle's stable manifold backward in time (an independent computation:
# scipy's DOP853 on the same field). Overlaid on the map it runs exactly along
# the border between the two colours. The same map on a 1000 x 1000 grid takes
# 2.4 s on two cores once the kernels are compiled; a straightforward numba
# loop that integrates every trajectory for the full 84 ms with the same step
# takes 190 s and labels every point the same way (see
# ``benchmarks/bench_basins.py``).
pp = nma.phase_plane(model, "rE", "rI", params=params,
                     ranges={"rE": (0.0, 1.0), "rI": (0.0, 0.8)}, manifolds=True,
                     t=(0.0, 200.0))
fig, axes = plt.subplots(1, 2, figsize=(8, 4), layout="constrained")
nma.plot.basins(seed_map, ax=axes[0], legend=False)
axes[0].set_title("tutorial set (wEE=16, wEI=12, wII=8, IE=0.5)", fontsize=9)
nma.plot.basins(bm, ax=axes[1], nullclines=pp)
axes[1].set_title("default weights, IE = 0: bistable", fontsize=9)

# %%
# How much of the box belongs to each state
# -----------------------------------------
# :func:`nmanalysis.basin_fractions` samples the box uniformly (seeded) and
# reports each fraction with its binomial standard error.
bf = nma.basin_fractions(model, box={"rE": (0.0, 1.0), "rI": (0.0, 0.8)}, params=params,
                         n_samples=4000, progress=False)
for k in range(bf.sizes["attractor"]):
    print(f"{str(bf['label'][k].values):20s} {float(bf['fraction'][k]):.3f} "
          f"+- {float(bf['fraction_se'][k]):.3f}")
