"""
Lyapunov exponents across a period-doubling cascade
===================================================

:func:`nmanalysis.largest_lyapunov` integrates the state and a tangent vector
together (Benettin's method, on the compiled Jacobian) for a whole parameter
sweep at once. Across the Rössler system's period-doubling cascade it is zero
on the periodic orbits and turns positive where the motion becomes chaotic;
the doublings themselves come from the continuation of the cycles.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

rossler = nma.Model(
    name="rossler",
    states={"x": {"value": 1.0, "bounds": (-15, 15)}, "y": {"value": 0.0, "bounds": (-15, 15)},
            "z": {"value": 0.0, "bounds": (0, 30)}},
    params={"a": 0.2, "b": 0.2, "c": 1.0},
    equations={"x": "-y - z", "y": "x + a*y", "z": "b + z*(x - c)"})

c_values = np.linspace(2.0, 6.0, 81)
lyap = nma.largest_lyapunov(rossler, params={"c": c_values}, t=(0, 1500), transient=300,
                            dt=0.01, progress=False)
print("largest exponent at c = 2.5, 5.7:",
      np.round(lyap["lyapunov"].sel(c=[2.5, 5.7], method="nearest").values, 4))

# %%
# The period doublings, located by continuation of the cycles (two levels of
# branch switching), mark where the exponent touches zero before the chaos.
tree = nma.continuation(rossler, "c", p_range=(0.3, 6.0), params={"c": 1.0}, cycles=True,
                        cycle_options={"switch_pd": 2})
sp = nma.special_points(tree)
pd = np.sort(sp["c"].values[sp["type"].values == "PD"])
print("period doublings at c =", np.round(pd, 5))

# %%
# The periods of the cycle branches (each doubling starts a branch of twice the
# period) above the exponent.
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, layout="constrained")
nma.plot.period(tree, ax=ax1)
ax1.set_yscale("log")
for c in pd:
    for ax in (ax1, ax2):
        ax.axvline(c, color="tab:purple", lw=0.8, ls=":")
ax1.set_xlim(c_values[0], c_values[-1])
ax1.set_title("Rössler: cycle periods (continuation) and the largest Lyapunov exponent")
ax2.plot(c_values, lyap["lyapunov"], "k.-", ms=3)
ax2.axhline(0, color="0.5", lw=0.8)
ax2.set_xlabel("c")
ax2.set_ylabel("largest Lyapunov exponent")

# %%
# The exponent is zero (a periodic orbit; the flow direction is neutral) up to
# the end of the cascade near c = 4.2 and positive beyond it, apart from the
# periodic windows inside the chaotic range, where it drops back to zero.
