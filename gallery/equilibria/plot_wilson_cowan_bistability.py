"""
Three equilibria of the Wilson-Cowan model
==========================================

With no external input (``IE = 0``) the brainmass form of the Wilson-Cowan
model has three equilibria: a quiet state, an active state, and a saddle
between them whose stable manifold separates the two basins. We find all
three, classify them, and draw the phase portrait with both nullclines.
"""

# %%
# All equilibria at one parameter point
# -------------------------------------
# :func:`nmanalysis.fixed_points` searches the states' declared box from a
# Sobol set of starting points with a damped Newton method, and polishes every
# solution to machine precision.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("wilson_cowan")
fp = nma.fixed_points(model, params={"IE": 0.0})
print(fp[["rE", "rI", "kind", "residual"]].to_dataframe())

# %%
# The phase portrait
# ------------------
# The nullclines are contoured on a grid and every vertex is then moved onto
# the curve by Newton's method; the equilibria sit exactly at their
# intersections. Filled circles are stable, the cross is the saddle. With
# ``manifolds=True`` the saddle's stable manifold (dashed green: the separatrix
# between the two basins) and its unstable manifold (purple: the two orbits
# running into the stable nodes) are traced too. Trajectories started on
# either side of the separatrix end in different states.
pp = nma.phase_plane(model, "rE", "rI", params={"IE": 0.0},
                     ranges={"rE": (-0.05, 0.6), "rI": (-0.05, 0.35)}, resolution=61,
                     trajectories=[(0.15, 0.02), (0.22, 0.02), (0.05, 0.3), (0.55, 0.3)],
                     t=(0, 30), manifolds=True)
fig, ax = plt.subplots(figsize=(6.5, 5), layout="constrained")
nma.plot.phase_portrait(pp, ax)
ax.set_title("Wilson-Cowan (brainmass form), IE = 0")
print("largest nullcline residual:",
      float(max(pp["nullcline_rE_residual"].max(), pp["nullcline_rI_residual"].max())))

# %%
# How the equilibria change with the input
# ----------------------------------------
# Sweeping ``IE`` shows the S-shaped curve of equilibria: the three coexist
# between the two folds (near IE = -0.511 and 0.283); outside that window only
# one remains. Joins across the folds are left open: continuation traces the
# curve through them exactly.
sweep = nma.fixed_points(model, params={"IE": np.linspace(-1.5, 1.5, 151)})
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
nma.plot.equilibria(sweep, "rE", ax)
counts = sweep["n_fp"].values
ie = sweep["IE"].values
print("three equilibria for IE in", ie[counts == 3].min(), "...", ie[counts == 3].max())
