"""
brainmass' Wilson-Cowan tutorial: what the three parameter sets really do
=========================================================================

brainmass' Wilson-Cowan tutorial runs one ``WilsonCowanStep`` node for
100 ms (``dt = 0.1`` ms) three times: with the default parameters and
Ornstein-Uhlenbeck noise on E and I, and with two hand-picked parameter sets
presented as "oscillator dynamics", started from ``rE = rI = 1``. Its text
says the node "may settle to a fixed point or a limit cycle depending on
parameters" and leaves it there. Here we run the same three cases in one
batched call, then ask the noise-free model for its equilibria and their
stability, which settles the question. The library model ``wilson_cowan`` is
``WilsonCowanStep`` as its code computes it (``wIE`` is the I -> E weight).
"""

# %%
# The three runs, batched
# -----------------------
# Parameters that differ between the runs are given as arrays sharing one
# dimension (``set``), so the three runs go in a single :func:`~nmanalysis.simulate`
# call. brainmass' ``OUProcess(sigma=0.01)`` has a 10 ms time constant and
# increments ``sigma/sqrt(tau) dW``; the same process is used here, with one
# difference: brainmass adds it to the input of the sigmoid, nmanalysis adds
# it to the right-hand side (``drE/dt``). As the sigmoid's slope is at most
# ``aE/4``, that is at most a few times stronger, and of the same kind. The
# tutorial's two other runs are noise-free; we give all three the same noise,
# seeded, so that the runs are reproducible.
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

import nmanalysis as nma

model = nma.get_model("wilson_cowan")
names = ["default", "set 2", "set 3"]
sets = {                       # brainmass keyword -> library name: a_E -> aE, a_I -> aI
    "wEE": [12.0, 10.0, 20.0], "wEI": [13.0, 12.0, 21.0], "wIE": [4.0, 8.0, 16.0],
    "wII": [11.0, 3.0, 6.0], "aE": [1.2, 0.2, 1.6], "aI": [1.0, 4.0, 7.0],
}
params = {k: xr.DataArray(v, dims="set", coords={"set": names}) for k, v in sets.items()}
y0 = {"rE": xr.DataArray([0.1, 1.0, 1.0], dims="set", coords={"set": names}),
      "rI": xr.DataArray([0.05, 1.0, 1.0], dims="set", coords={"set": names})}
ou = {"sigma": 0.01 / np.sqrt(10.0), "tau": 10.0}
runs = nma.simulate(model, t=(0.0, 100.0), dt=0.1, method="exp_euler", params=params, y0=y0,
                    noise={"rE": ou, "rI": ou}, seed=2024)

# %%
# Equilibria of the noise-free model
# ----------------------------------
# :func:`~nmanalysis.fixed_points` finds every equilibrium in the box
# ``-0.1 <= rE, rI <= 1.1`` (the model's declared search box) with its
# eigenvalues. With the default 64 Newton starts the multi-start misses the
# stable focus of set 3 for some seeds; 256 starts find all of them.
fp = nma.fixed_points(model, params=params, n_starts=256)
table = fp[["rE", "rI", "kind"]].to_dataframe().dropna()
print(table)
for name in names:
    f = fp.sel(set=name)
    n = int(f["n_fp"])
    lam = f["eig_real"].values[:n, 0]
    print(f"{name}: {n} equilibria, largest real parts of eigenvalues {np.round(lam, 3)}")

# %%
# What each set really does
# -------------------------
# * **default** (wEE=12, wEI=13, wIE=4, wII=11, aE=1.2, aI=1.0): *bistable*,
#   not oscillating. A stable node at rest (0, 0), a saddle at (0.178, 0.063)
#   and a stable node at (0.462, 0.243). From the tutorial's start the node
#   relaxes to rest in a few ms and the noise makes it jitter around it.
# * **set 2** (wEE=10, wEI=12, wIE=8, wII=3, aE=0.2, aI=4.0): *one stable
#   node*, the rest state. With the E gain cut to 0.2 the excitatory sigmoid
#   is almost flat; from (1, 1) the activity decays monotonically to 0. No
#   oscillation is possible.
# * **set 3** (wEE=20, wEI=21, wIE=16, wII=6, aE=1.6, aI=7.0): *bistable*
#   again: the rest node, a saddle at (0.063, 0.000) and a stable *focus* at
#   (0.216, 0.131) with eigenvalues -0.98 +- 6.60i ms^-1. Trajectories reaching
#   the focus ring down with a ~1 ms period, but the ringing is damped within
#   a few ms; from the tutorial's start (1, 1) the node simply falls to rest.
#
# None of the three is a limit cycle. (The brute-force "bifurcation diagram"
# of the tutorial agrees: for this model the equilibrium curve in IE has two
# folds and no Hopf point.) The phase planes show the evidence: nullclines,
# equilibria (filled circles: stable; crosses: saddles), the noisy tutorial
# run in purple and, in black, a noise-free run from a second start that
# finds the other stable state where there is one.
fig, axes = plt.subplots(2, 3, figsize=(12, 7.2), layout="constrained")
second_start = {"default": (0.6, 0.3), "set 2": (0.6, 0.3), "set 3": (0.45, 0.05)}
for j, name in enumerate(names):
    p = {k: float(params[k].sel(set=name)) for k in sets}
    run = runs.sel(set=name)
    ax = axes[0, j]
    ax.plot(run.time, run["rE"], label="rE")
    ax.plot(run.time, run["rI"], label="rI")
    ax.set(title=f"{name}: tutorial run with OU noise", xlabel="time [ms]", ylabel="activity",
           ylim=(-0.05, 1.02))
    ax.legend(loc="upper right", fontsize=9)
    pp = nma.phase_plane(model, "rE", "rI", params=p, resolution=41,
                         ranges={"rE": (-0.05, 1.0), "rI": (-0.05, 1.0)},
                         trajectories=[second_start[name]], t=(0.0, 30.0))
    ax = axes[1, j]
    nma.plot.phase_portrait(pp, ax, density=0.7, legend=(j == 0))
    ax.plot(run["rE"], run["rI"], color="C4", lw=1.2, label="tutorial run (noisy)")
    ax.set(title=f"{name}: phase plane (noise-free)")
    if j == 0:
        ax.legend(loc="upper right", fontsize=7)

# %%
# The knobs
# ---------
# The tutorial's table of "knobs" lists a typical range for each parameter;
# ``nmanalysis info wilson_cowan`` prints the same table. Here each knob is
# swept over its range (41 values, the others at their defaults) from two
# starting states, one near rest and one near the active state, keeping only
# the minimum and maximum of rE over the last 200 ms of 600 (``record="minmax"``;
# one batched call per knob). Where the two starts end in different values
# the model is bistable; where minimum and maximum part, it would oscillate.
#
# They never part: over these ranges no knob makes the node oscillate. The
# weights, gains, thresholds, the input and ``r`` move the folds that bound
# the bistable range (the active state appears or vanishes abruptly); the
# time constants ``tauE`` and ``tauI`` change nothing here, because the
# equilibria do not depend on them and both stable states stay stable over
# 1-10 ms, contrary to the tutorial's "timescale separation knob" that
# promises rhythms for ``tauI >> tauE``.
knobs = ["IE", "II", "wEE", "wIE", "wEI", "wII", "aE", "aI", "thE", "thI", "r", "tauE",
         "tauI"]
starts = {"rE": xr.DataArray([0.05, 0.6], dims="start"),
          "rI": xr.DataArray([0.0, 0.3], dims="start")}
fig, axes = plt.subplots(4, 4, figsize=(12, 10.5), layout="constrained")
for ax, knob in zip(axes.flat, knobs):
    info = model.param_info[knob]
    values = np.linspace(*info.range, 41)
    sw = nma.simulate(model, t=(0.0, 600.0), dt=0.05, method="rk4", params={knob: values},
                      y0=starts, record="minmax", transient=400.0)
    for k, (color, label) in enumerate([("C0", "from rest"), ("C3", "from active")]):
        s = sw.isel(start=k)
        ax.plot(values, s["rE_max"], color=color, lw=2, label=label)
        ax.plot(values, s["rE_min"], color=color, lw=1, ls="--")
    ax.axvline(info.value, color="0.6", lw=1)
    ax.set(title=f"{knob}: {info.description}", xlabel=knob, ylim=(-0.05, 1.0))
    ax.title.set_fontsize(9)
axes.flat[0].set_ylabel("rE (max solid, min dashed)")
axes.flat[0].legend(fontsize=8, loc="upper left")
for ax in axes.flat[len(knobs):]:
    ax.axis("off")
fig.suptitle("Wilson-Cowan (brainmass form): each knob over its typical range "
             "(grey line: default)")
