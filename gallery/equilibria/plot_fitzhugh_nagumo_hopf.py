"""
FitzHugh-Nagumo around its Hopf points
======================================

The FitzHugh-Nagumo model has a single equilibrium for every input current
``I``; it loses stability where a pair of complex eigenvalues crosses the
imaginary axis, at I = 0.3313 and I = 1.4187. Here we follow the eigenvalues
along a sweep of ``I`` and look at the phase plane on either side.
"""

# %%
# Eigenvalues along the sweep
# ---------------------------
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("fitzhugh_nagumo")
fp = nma.fixed_points(model, params={"I": np.linspace(0, 1.8, 181)})
re = fp["eig_real"].isel(fp=0, eig=0)
im = fp["eig_imag"].isel(fp=0, eig=0)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.5), layout="constrained")
ax1.plot(fp["I"], re, "k")
ax1.axhline(0, color="0.6", lw=0.8)
ax1.set_xlabel("external current I")
ax1.set_ylabel("largest real part of eigenvalues")
ax2.plot(re, im, "k.", ms=3)
ax2.axvline(0, color="0.6", lw=0.8)
ax2.set_xlabel("Re λ")
ax2.set_ylabel("Im λ")
ax2.set_title("leading eigenvalue as I varies")

# the sign changes of Re λ bracket the Hopf points (continuation locates them exactly)
crossings = fp["I"].values[np.flatnonzero(np.diff(np.sign(re.values)))]
print("Re λ changes sign between I =", crossings, "and the next sweep value")

# %%
# Phase portraits before and after the first Hopf point
# -----------------------------------------------------
# At I = 0.2 the equilibrium is a stable focus and trajectories spiral into
# it; at I = 0.5 it is an unstable focus surrounded by a relaxation
# oscillation that follows the cubic v-nullcline.
fig, axes = plt.subplots(1, 2, figsize=(8, 4), layout="constrained", sharey=True)
for ax, current in zip(axes, (0.2, 0.5)):
    pp = nma.phase_plane(model, "v", "w", params={"I": current},
                         ranges={"v": (-2.5, 2.5), "w": (-1, 2.5)}, resolution=41,
                         trajectories=[(-0.5, 0.0), (2.0, 2.0)], t=(0, 150))
    nma.plot.phase_portrait(pp, ax, legend=current == 0.2)
    ax.set_title(f"I = {current}: {pp['fp_kind'].values[0]}")
