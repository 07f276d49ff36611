"""
Montbrió-Pazó-Roxin: brainmass' defaults and the two coexisting states
======================================================================

brainmass' ``MontbrioPazoRoxinStep`` (API page, brainmass 0.1.1) integrates
the exact mean field of a QIF network with ``method="exp_euler"`` and the
defaults tau = 1 ms, eta = -5, Delta = 1, J = 15, ``r`` and ``v`` drawn
uniformly in [0, 0.05]. The library model ``montbrio_pazo_roxin`` has the same
equations (the API page writes ``Delta/pi`` for ``Delta/(pi tau)``: equal at
tau = 1) and defaults. Its equilibrium branch in eta folds at
eta = -5.7435 and -3.1361 (``tests/reference/data/mpr_qif.json``); in between,
a low-rate and a high-rate state coexist. The default eta = -5 is in that
range, which the API page does not mention.
"""

# %%
# The API example: exponential Euler, brainmass' defaults
# -------------------------------------------------------
# Eight nodes started, as brainmass does, from r, v uniform in [0, 0.05]
# (seeded here), ``dt = 0.1`` ms (brainmass' usual step), 100 ms, one
# batched call: the initial states share the dimension ``node``.
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

import nmanalysis as nma

model = nma.get_model("montbrio_pazo_roxin")
rng = np.random.default_rng(0)
y0 = {s: xr.DataArray(rng.uniform(0, 0.05, 8), dims="node") for s in ("r", "v")}
api = nma.simulate(model, t=(0.0, 100.0), dt=0.1, method="exp_euler", y0=y0)
print("final r:", np.round(api["r"].isel(time=-1).values, 4))

# %%
# All eight go to the low-rate state of eta = -5 (r = 0.0811 /ms, v = -1.962)
# within a few ms. Against ``rk4`` at dt = 0.01, exponential Euler at
# dt = 0.1 is off by a few 1e-3 during the 1 ms rate transient (a first-order
# method) and lands on the same equilibrium:
ref = nma.simulate(model, t=(0.0, 100.0), dt=0.01, method="rk4", y0=y0, sampling=0.1)
print("max |r_exp_euler - r_rk4| over the run:",
      f"{float(abs(api['r'] - ref['r']).max()):.2e}; at 100 ms:",
      f"{float(abs(api['r'] - ref['r']).isel(time=-1).max()):.2e}")

# %%
# Bistability: J = 15, Delta = 1, eta = -4.5
# ------------------------------------------
# Two initial states, a quiet one (r = 0.05, v = -2) and an active one
# (r = 1.5, v = 0), in one call; and :func:`~nmanalysis.fixed_points` for all
# equilibria of the same parameters with their stability.
params = {"eta": -4.5, "J": 15.0, "Delta": 1.0}
starts = ["low start", "high start"]
y0 = {"r": xr.DataArray([0.05, 1.5], dims="start", coords={"start": starts}),
      "v": xr.DataArray([-2.0, 0.0], dims="start", coords={"start": starts})}
bi = nma.simulate(model, t=(0.0, 40.0), dt=0.01, method="exp_euler", params=params, y0=y0)
fp = nma.fixed_points(model, params=params)
print(fp[["r", "v", "kind"]].to_dataframe().dropna().to_string())
for s in starts:
    f = bi.sel(start=s).isel(time=-1)
    print(f"{s}: ends at r = {float(f['r']):.4f}, v = {float(f['v']):.4f}")

# %%
# Both runs end on a stable equilibrium (a node at low rate, a focus at high
# rate: the approach to it oscillates), and the saddle between them separates
# the two basins. The phase plane shows the nullclines
# (:func:`~nmanalysis.phase_plane`) with the two trajectories.
pp = nma.phase_plane(model, "r", "v", params=params, ranges={"r": (0.0, 2.0), "v": (-3.0, 1.0)},
                     resolution=61)
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)
ax = axes[0]
for i in range(api.sizes["node"]):
    ax.plot(api["time"], api["r"].isel(node=i), lw=1)
ax.set(xlabel="time (ms)", ylabel="r (1/ms)", xlim=(0, 10),
       title="brainmass defaults (eta = -5), exp_euler")
ax = axes[1]
for s, c in zip(starts, ["k", "tab:purple"]):
    ax.plot(bi["time"], bi["r"].sel(start=s), color=c, label=s)
ax.set(xlabel="time (ms)", ylabel="r (1/ms)", title="eta = -4.5: two initial states")
ax.legend()
ax = axes[2]
nma.plot.phase_portrait(pp, ax=ax, legend=False)
for s, c in zip(starts, ["k", "tab:purple"]):
    ax.plot(bi["r"].sel(start=s), bi["v"].sel(start=s), color=c, lw=1.2, ls="--")
for r, v, kind in zip(fp["r"].values, fp["v"].values, fp["kind"].values):
    if np.isfinite(r):
        ax.plot(r, v, "o", ms=8, mfc="k" if "stable" in str(kind) and "un" not in str(kind)
                else "w", mec="k")
        ax.annotate(str(kind), (r, v), textcoords="offset points", xytext=(6, 6), fontsize=8)
ax.set(xlim=(0, 2), ylim=(-3, 1), xlabel="r (1/ms)", ylabel="v",
       title="nullclines, equilibria (filled: stable), runs (dashed)")
plt.show()
