"""
FitzHugh-Nagumo: two subcritical Hopf points
============================================

The FitzHugh-Nagumo neuron has one equilibrium for every input current ``I``.
Continuation follows it across ``0 <= I <= 2``, locates the two Hopf points
where it loses and regains stability, and computes their first Lyapunov
coefficient ``l1``. Both are positive: the Hopf points are subcritical, and
simulations confirm what that predicts.
"""

# %%
# Continuation and the Hopf points
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("fitzhugh_nagumo")
tree = nma.continuation(model, "I", p_range=(0, 2))
sp = nma.special_points(tree)
for k in range(sp.sizes["special"]):
    row = sp.isel(special=k)
    omega = float(row["angular_frequency"])
    print(f"{row['type'].values} at I = {float(row['I']):.10f}: v = {float(row['v']):.6f}, "
          f"omega = {omega:.6f}, 2 pi / omega = {2 * np.pi / omega:.4f} "
          f"(period {float(row['period']):.4f}), l1 = {float(row['first_lyapunov']):.5f}, "
          f"{row['criticality'].values}")

# %%
# A check by hand: the Jacobian of ``v' = v - v^3/3 - w + I``,
# ``w' = (v + a - b w)/tau`` has trace ``1 - v^2 - b/tau``, zero at
# ``v = ±sqrt(1 - b/tau) = ±0.967471``, and there the determinant gives
# ``omega^2 = (1 - b^2/tau)/tau``: ``omega = 0.275507`` and a period at onset
# of ``2 pi / omega = 22.806``.
b, tau = model.params["b"], model.params["tau"]
print("v at the Hopf points:", np.sqrt(1 - b / tau),
      " omega:", np.sqrt((1 - b**2 / tau) / tau))

# %%
# The diagram, with a brute-force sweep
# -------------------------------------
# Between the two Hopf points the equilibrium is unstable (dashed; a focus
# near the Hopf points, a node around I = 0.87) and the neuron fires: the
# min/max of simulations started from the model's default state (grey dots)
# show the large relaxation oscillation.
I = np.linspace(0, 2, 101)
sweep = nma.simulate(model, t=(0, 1000), dt=0.05, params={"I": I}, record="minmax",
                     transient=500)
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
nma.plot.bifurcation(tree, "v", ax=ax, overlay=sweep)
ax.set_title("FitzHugh-Nagumo: equilibrium and oscillation along I")

# %%
# What ``l1 > 0`` means
# ---------------------
# At a subcritical Hopf point the cycle born with the bifurcation is
# *unstable* and exists on the side where the equilibrium is stable. It
# separates the basin of the equilibrium from that of a large stable cycle,
# so just before the first Hopf point (I = 0.3313) the neuron is bistable: a
# small kick decays, slowly, back to the equilibrium, a large one starts
# repetitive firing. Two runs at I = 0.325 show it (the right panel zooms in
# on the small kick).
kicks = {"small kick": {"v": -0.95, "w": -0.334},
         "large kick": {"v": 2.0, "w": 0.0}}
runs = {label: nma.simulate(model, t=(0, 1000), dt=0.05, params={"I": 0.325}, y0=y0)
        for label, y0 in kicks.items()}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
for label, run in runs.items():
    ax1.plot(run["time"], run["v"], label=label)
ax2.plot(runs["small kick"]["time"], runs["small kick"]["v"], color="tab:blue")
ax1.legend(loc="lower right", fontsize="small")
ax1.set_title("I = 0.325, below the first Hopf point", fontsize=10)
ax2.set_title("the small kick decays to the stable focus", fontsize=10)
for ax in (ax1, ax2):
    ax.set_xlabel("time")
    ax.set_ylabel("v")
for label, run in runs.items():
    v, t = run["v"].values, run["time"].values
    print(f"{label}: range of v over t in [0, 100]: {np.ptp(v[t < 100]):.4f}, "
          f"over [900, 1000]: {np.ptp(v[t >= 900]):.4f}")

# %%
# The stable firing cycle is not the one born at the Hopf point: its period
# is more than twice the onset period ``2 pi / omega = 22.8``, because it is a
# relaxation oscillation along the cubic nullcline, not a small sinusoidal
# one.
firing = runs["large kick"]
v, t = firing["v"].values, firing["time"].values
late = t > 500
up = np.flatnonzero((v[:-1] < 0) & (v[1:] >= 0) & late[1:])
print(f"firing period at I = 0.325: {np.diff(t[up]).mean():.2f} "
      f"(onset period of the Hopf point {float(sp['period'][0]):.2f})")
