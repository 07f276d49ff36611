"""
Inputs that change in time, and two kinds of noise
==================================================

A Wilson–Cowan pair of excitatory (E) and inhibitory (I) populations with a
time-dependent input ``u`` to the excitatory one. With the parameters below
the network is *bistable*: a quiet state and an active state coexist. We push
it around with a step, a pulse and a slow ramp, and then let it fluctuate
under white and under Ornstein–Uhlenbeck (coloured) noise.
"""

# %%
# A model with an input
# ---------------------
# ``inputs`` declares names whose values are supplied when simulating (the
# number given here is the default, a constant). ``functions`` declares a
# helper used in both equations: a sigmoid shifted so that ``S(0) = 0``.
# A state or parameter may be given as a dict with units and a description,
# which results carry as ``long_name`` and ``units`` attributes. Time is in
# milliseconds.

import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.Model(
    name="wilson_cowan_input",
    states={
        "E": {"value": 0.0, "description": "excitatory activity"},
        "I": {"value": 0.0, "description": "inhibitory activity"},
    },
    params={
        "P": 0.0,                                   # constant background input to E
        "wEE": 12.0, "wIE": 4.0, "wEI": 13.0, "wII": 11.0,
        "aE": 1.2, "aI": 1.0, "thE": 2.8, "thI": 4.0,
        "tauE": {"value": 10.0, "units": "ms"},
        "tauI": {"value": 20.0, "units": "ms"},
    },
    functions={"S(x, a, th)": "1/(1 + exp(-a*(x - th))) - 1/(1 + exp(a*th))"},
    inputs={"u": 0.0},
    equations={
        "E": "(-E + (1 - E)*S(wEE*E - wIE*I + P + u, aE, thE))/tauE",
        "I": "(-I + (1 - I)*S(wEI*E - wII*I, aI, thI))/tauI",
    },
    time_units="ms",
)

# %%
# A step and a pulse
# ------------------
# An input signal is passed in ``simulate(..., inputs=...)``. A
# :class:`~nmanalysis.Step` adds ``amplitude`` from ``start`` on; a
# :class:`~nmanalysis.Pulse` adds it only between ``start`` and ``stop``.
# Value fields such as ``amplitude`` may be arrays: they sweep, here along a
# dimension named ``u_amplitude``.

step = nma.simulate(model, t=(0, 400), dt=0.1,
                    inputs={"u": nma.Step(amplitude=0.5, start=100)})
pulses = nma.simulate(model, t=(0, 400), dt=0.1,
                      inputs={"u": nma.Pulse(amplitude=np.linspace(0.25, 1.5, 6),
                                             start=100, stop=120)})
print(pulses["E"].dims)

# %%
# The step moves the network to the active state and keeps it there while the
# input lasts. The pulses show the memory that bistability gives: a pulse
# that is too weak leaves no trace, a strong enough 20 ms pulse switches the
# network to the active state, where it stays after the input is gone.

fig, (ax_s, ax_p) = plt.subplots(1, 2, figsize=(8, 3.3), sharey=True,
                                 layout="constrained")
ax_s.plot(step["time"], step["E"], color="C0", label="E")
ax_s.plot(step["time"], np.where(step["time"] >= 100, 0.5, 0.0), color="0.5", ls="--",
          label="input u")
ax_s.set(xlabel="time (ms)", ylabel="E and u (dimensionless)", title="Step at 100 ms")
ax_s.legend(loc="center right", fontsize="small")
colors = plt.cm.viridis(np.linspace(0, 0.9, pulses.sizes["u_amplitude"]))
for amp, color in zip(pulses["u_amplitude"].values, colors):
    ax_p.plot(pulses["time"], pulses["E"].sel(u_amplitude=amp), color=color,
              label=f"{amp:.2f}")
ax_p.axvspan(100, 120, color="0.85", zorder=0)
ax_p.set(xlabel="time (ms)", title="Pulse 100-120 ms (shaded)")
ax_p.legend(title="pulse amplitude", fontsize="x-small", title_fontsize="small",
            loc="center right")
plt.show()

# %%
# A slow ramp: hysteresis
# -----------------------
# A :class:`~nmanalysis.Ramp` moves the input linearly from ``start_value`` at
# ``start`` to ``stop_value`` at ``stop`` and holds it outside that window.
# Ramping ``u`` slowly up from the quiet state, and down from the active one,
# traces the two branches of a hysteresis loop: between the two folds of the
# equilibria (``u = -0.51`` and ``u = 0.28`` here, dotted) both states are
# stable, and the network stays in the one it came from. Each jump comes a
# little after its fold, a delay that shrinks as the ramp gets slower.

ramp_up = nma.Ramp(start=100, stop=20100, start_value=-1.0, stop_value=1.0)
ramp_down = nma.Ramp(start=100, stop=20100, start_value=1.0, stop_value=-1.0)
slow = dict(t=(0, 20100), dt=0.1, sampling=1.0, transient=100)   # record from 100 ms
up = nma.simulate(model, y0={"E": 0.0, "I": 0.0}, inputs={"u": ramp_up}, **slow)
down = nma.simulate(model, y0={"E": 0.49, "I": 0.26}, inputs={"u": ramp_down}, **slow)
# the input each run saw, for the horizontal axis
u_up = np.interp(up["time"], [100, 20100], [-1.0, 1.0])
u_down = np.interp(down["time"], [100, 20100], [1.0, -1.0])

fig, ax = plt.subplots(figsize=(6.5, 3.4), layout="constrained")
ax.plot(u_up, up["E"], color="C3", label="u ramped up")
ax.plot(u_down, down["E"], color="C0", ls="--", label="u ramped down")
for fold in (-0.511, 0.283):
    ax.axvline(fold, color="0.5", ls=":", lw=1)
ax.set(xlabel="input u (dimensionless)", ylabel="E (dimensionless)",
       title="Hysteresis under a slow ramp (20 s each way)")
ax.legend(loc="center right", fontsize="small")
plt.show()

# %%
# White and Ornstein–Uhlenbeck noise
# ----------------------------------
# ``noise`` adds noise to chosen states; it needs a stochastic method
# (``"euler"`` is Euler–Maruyama, ``"heun"`` stochastic Heun) and a ``seed``
# makes the paths reproducible. The two conventions are:
#
# * a number is **white** noise: ``dE = f dt + sigma dW``;
# * a dict with ``tau`` is **Ornstein–Uhlenbeck** forcing: a coloured process
#   ``d eta = -eta/tau dt + sigma dW`` is added to the right-hand side,
#   ``dE = (f + eta) dt``. Its stationary variance is ``sigma**2 tau / 2``.
#
# So the same ``sigma`` does not mean the same strength: ``eta`` is a rate
# (units of E per ms), and its power at low frequencies is ``(sigma tau)**2``
# against ``sigma**2`` for white noise. OU forcing with ``sigma = 0.02 / tau``
# has the same slow power as the white noise, with the fast jitter filtered
# out. We compare white noise with OU forcing of the same ``sigma`` and of
# this matched one, at ``P = 0.5`` where the active state is the only
# attractor, starting on it.

kw = dict(t=(0, 1000), dt=0.1, method="euler", seed=7, y0={"E": 0.478, "I": 0.254})
active = model.with_params(P=0.5)
white = nma.simulate(active, noise={"E": 0.02}, **kw)
ou = nma.simulate(active, noise={"E": {"sigma": 0.02, "tau": 5.0}}, **kw)
ou_matched = nma.simulate(active, noise={"E": {"sigma": 0.02 / 5.0, "tau": 5.0}}, **kw)

runs = {"white, sigma = 0.02": white,
        "OU, sigma = 0.02, tau = 5 ms": ou,
        "OU, sigma = 0.004, tau = 5 ms": ou_matched}
for label, ds in runs.items():
    print(f"{label:32s} std of E after 100 ms: "
          f"{float(ds['E'].sel(time=slice(100, None)).std()):.3f}")

# %%
# The white-noise path is rough at every time scale; the matched OU path
# wanders about as far but smoothly, since ``eta`` is correlated over about
# ``tau = 5`` ms. OU forcing with the *same* ``sigma`` is far stronger: its
# slow swings carry the activity well away from the active state, at times
# below the quiet level.

fig, axes = plt.subplots(3, 1, figsize=(8, 5.4), sharex=True, sharey=True,
                         layout="constrained")
for ax, (label, ds), color in zip(axes, runs.items(), ("C0", "C3", "C2")):
    ax.plot(ds["time"], ds["E"], color=color, lw=0.8)
    ax.set_title(label, fontsize="medium", loc="left")
axes[-1].set_xlabel("time (ms)")
fig.supylabel("E (dimensionless)")
fig.suptitle("Activity E under three kinds of noise (P = 0.5, seed 7)")
plt.show()
