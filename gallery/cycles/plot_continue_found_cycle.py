"""
A cycle found by simulation, then continued
===========================================

No Hopf point is needed to start a cycle branch: :func:`nmanalysis.find_cycles`
detects the cycle a simulation settles on (period from Poincaré crossings,
orbit profile over one period), :func:`nmanalysis.cycle_start` packs it, and
:func:`nmanalysis.cycle_continuation` polishes it by Newton on the collocation
system and follows it both ways in the parameter.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("jansen_rit")
zeros = {s: 0.0 for s in model.state_names}
found = nma.find_cycles(model, params={"p": np.array([120.0, 125.0, 130.0])}, y0=zeros,
                        t=(0, 6))
print("regime:", found["regime"].values, " periods [s]:", found["period"].values.round(6))

# %%
# Continue the orbit found at p = 120 over 100 <= p <= 140, asking for the exact
# orbits at the simulated values of ``p``: the periods agree to about 1e-9.
start = nma.cycle_start(found, p=120.0)
tree = nma.cycle_continuation(model, "p", start, p_range=(100, 140),
                              values=[120.0, 125.0, 130.0])
sp = nma.special_points(tree)
for p in (120.0, 125.0, 130.0):
    uz = sp.where((sp["type"] == "UZ") & (abs(sp["p"] - p) < 1e-8), drop=True)
    T_sim = float(found["period"].sel(p=p))
    T = uz["period"].values[np.argmin(np.abs(uz["period"].values - T_sim))]
    print(f"p = {p:5.1f}: simulation {T_sim:.10f} s, continuation {T:.10f} s "
          f"(relative difference {abs(T - T_sim) / T:.1e})")
lpc = sp.where(sp["type"] == "LPC", drop=True)
print("fold of cycles at p =", np.round(lpc["p"].values, 7))
branch = tree["periodic/branch_0"].to_dataset()
print(branch.attrs["stop_reason"])

# %%
# The branch through the found orbit turns at the fold of cycles (stable after
# it, unstable before) and, on the other side, its period grows without bound:
# the SNIC at the fold of equilibria p = 113.586.
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
nma.plot.period(tree, ax=ax)
ax.plot(found["p"], found["period"], "kx", ms=9, label="find_cycles")
ax.set_yscale("log")
ax.legend(fontsize="small")
ax.set_title("a cycle branch started from a simulation")
