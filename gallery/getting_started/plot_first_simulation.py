"""
A first simulation: from equations to a bifurcation picture
===========================================================

This story defines the FitzHugh–Nagumo neuron from a few strings, simulates
one trajectory, and then sweeps the input current over two hundred values in
a single call, keeping only the minimum and maximum of each trajectory. Plotted
against the current, those extremes give a brute-force bifurcation diagram:
one curve where the neuron rests, two where it oscillates.
"""

# %%
# Define the model
# ----------------
# A model is a set of named states (with default initial values), named
# parameters (with default values) and one right-hand side ``d(state)/dt``
# per state, written as a string. The strings are parsed safely, never
# evaluated as Python; ``^`` means power. The FitzHugh–Nagumo model is written
# in dimensionless units, which ``time_units="1"`` records.

import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.Model(
    name="fhn",
    states={"v": -1.0, "w": 1.0},
    params={"I": 0.5, "a": 0.7, "b": 0.8, "tau": 12.5},
    equations={
        "v": "v - v^3/3 - w + I",       # fast voltage-like variable
        "w": "(v + a - b*w)/tau",       # slow recovery variable
    },
    time_units="1",
)
print(model)

# %%
# Simulate one trajectory
# -----------------------
# :func:`~nmanalysis.simulate` compiles the model the first time it sees it
# (the kernels are cached on disk, so later runs start at once) and returns an
# :class:`xarray.Dataset` with one variable per state on the dimension
# ``time``. The default method is the classical fourth-order Runge–Kutta
# scheme with a fixed step ``dt``.

traj = nma.simulate(model, t=(0, 200), dt=0.01)
traj

# %%
# With ``I = 0.5`` the resting state is unstable and the neuron fires
# periodically: ``v`` alternates between slow drifts and fast jumps, and in
# the phase plane the trajectory settles onto a closed loop, a limit cycle.

fig, (ax_t, ax_p) = plt.subplots(1, 2, figsize=(8, 3.2), width_ratios=[1.6, 1],
                                 layout="constrained")
ax_t.plot(traj["time"], traj["v"], label="v (voltage)")
ax_t.plot(traj["time"], traj["w"], label="w (recovery)")
ax_t.set(xlabel="time (dimensionless)", ylabel="state (dimensionless)",
         ylim=(-2.4, 2.9), title="I = 0.5: periodic firing")
ax_t.legend(loc="upper center", ncols=2, fontsize="small")
ax_p.plot(traj["v"], traj["w"], color="0.3", lw=1)
ax_p.plot(traj["v"][0], traj["w"][0], "o", color="C3", label="start")
ax_p.set(xlabel="v (dimensionless)", ylabel="w (dimensionless)", title="phase plane")
ax_p.legend(loc="upper left", fontsize="small")
plt.show()

# %%
# Sweep the input current
# -----------------------
# Giving a parameter an array instead of a number sweeps it: the result gains
# a dimension named after the parameter, with the values as its coordinate,
# and all trajectories run in one batch on compiled code. With
# ``record="minmax"`` only the running minimum and maximum of every variable
# are kept (``v_min``, ``v_max``, ...), so memory does not grow with the number
# of steps; ``transient`` leaves out the approach to the attractor.

currents = np.linspace(0.0, 2.0, 201)
sweep = nma.simulate(model, t=(0, 600), dt=0.01, params={"I": currents},
                     record="minmax", transient=300)
print(sweep["v_max"].dims, sweep["v_max"].shape)
print("trajectories that failed:", int((sweep["status"] != 0).sum()))

# %%
# Where the minimum and the maximum coincide the neuron rests at an
# equilibrium; where they differ it oscillates, and the gap is the amplitude of
# the cycle. The oscillating window opens and closes close to the two Hopf
# bifurcations of this model, ``I = 0.3313`` and ``I = 1.4187`` (dotted
# lines). Near both, the amplitude jumps instead of growing from zero: the
# bifurcations are subcritical, with the canard explosions typical of this
# model squeezed into a tiny interval of ``I``. Continuation finds such
# points exactly; a sweep like this one is a quick first look.

fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
ax.fill_between(sweep["I"], sweep["v_min"], sweep["v_max"], color="C0", alpha=0.2,
                lw=0, label="range of v\n(after transient)")
ax.plot(sweep["I"], sweep["v_max"], color="C0", label="max v")
ax.plot(sweep["I"], sweep["v_min"], color="C1", label="min v")
for hopf in (0.3313, 1.4187):
    ax.axvline(hopf, color="0.4", ls=":", lw=1)
ax.text(0.3313, 2.15, " Hopf", color="0.3", va="bottom", fontsize="small")
ax.text(1.4187, 2.15, " Hopf", color="0.3", va="bottom", fontsize="small")
ax.set(xlabel="input current I (dimensionless)", ylabel="v (dimensionless)",
       ylim=(-2.4, 2.6), title="Brute-force bifurcation diagram of FitzHugh–Nagumo")
ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
plt.show()
