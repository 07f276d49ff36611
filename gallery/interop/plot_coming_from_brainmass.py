"""
Coming from brainmass: the WilsonCowanStep workflow in nmanalysis
=================================================================

brainmass' Wilson-Cowan tutorial builds a ``WilsonCowanStep`` node, turns its
parameter "knobs", adds Ornstein-Uhlenbeck noise, sweeps the excitatory
input over many copies of the node to draw a brute-force bifurcation diagram,
and maps a basin of attraction with a double Python loop over initial states.
Each of these steps has a direct counterpart here, usually one call, and two
of them have a better one: the diagram by continuation, which finds every
equilibrium and its stability rather than one attractor per input, and the
basin map with early stopping.

The library model ``wilson_cowan`` is ``WilsonCowanStep`` as its code
computes it (E input ``wEE rE - wIE rI + IE``, I input ``wEI rE - wII rI + II``;
time in ms).
"""

# %%
# The node and its knobs
# ----------------------
# ``brainmass.WilsonCowanStep(1, wEE=16.0, a_E=1.5)`` becomes a model whose
# parameters are set per call (``params={"wEE": 16.0}``) or once
# (``model.with_params(wEE=16.0)``); brainmass' ``a_E``, ``theta_E``, ``tau_E``
# are ``aE``, ``thE``, ``tauE``. Each parameter carries its default, a typical
# range and a description, the table the tutorial prints as "knobs"
# (``nmanalysis info wilson_cowan`` prints it too). An array instead of a
# number sweeps that knob in the same call, where brainmass would build a node
# per value.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("wilson_cowan")
print(f"{'knob':6s} {'default':>8s}  {'range':14s} meaning")
for name, info in model.param_info.items():
    print(f"{name:6s} {info.value:8.2f}  {str(info.range):14s} {info.description}")

# %%
# Noise
# -----
# ``noise_E=brainmass.OUProcess(1, sigma=0.01)`` (time constant 10 ms) is
# ``noise={"rE": {"sigma": ..., "tau": 10.0}}``: an Ornstein-Uhlenbeck forcing
# added to ``drE/dt``, updated exactly at every step, with a ``seed`` so runs
# repeat. (brainmass adds its process to the input of the sigmoid and scales
# the increment by ``1/sqrt(tau)``; here ``sigma`` is given directly.) The
# tutorial's ``brainstate.environ.set(dt=0.1 * u.ms)`` and its exponential
# Euler scheme are ``dt=0.1, method="exp_euler"``. Sweeping the input ``IE``
# at the same time gives three noisy runs in one call: at rest, in the
# bistable range, and on the active branch.
ou = {"sigma": 0.003, "tau": 10.0}
noisy = nma.simulate(model, t=(0.0, 300.0), dt=0.1, method="exp_euler",
                     params={"IE": [-1.0, 0.0, 1.0]}, y0={"rE": 0.6, "rI": 0.3},
                     noise={"rE": ou, "rI": ou}, seed=7)
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
for k, ie in enumerate(noisy["IE"].values):
    ax.plot(noisy.time, noisy["rE"].sel(IE=ie), lw=1, label=f"IE = {ie:g}")
ax.set(xlabel="time [ms]", ylabel="rE", title="OU noise on E and I, three inputs in one call")
ax.legend(loc="right", fontsize=8)

# %%
# The bifurcation diagram
# -----------------------
# brainmass' version: ``WilsonCowanStep(exc_inputs.size)``, one node per input
# in ``arange(0, 5.5, 0.05)``, 10,000 steps from the default state, then the
# minimum and maximum of ``rE``. The same here is one call with
# ``record="minmax"`` (no time axis is stored). Without a transient the
# minimum is simply the starting value 0.1 wherever the node climbs to the
# active state; ``transient=500`` leaves the first 500 ms out of the minimum
# and maximum. Either way the sweep shows one attractor per input, the one
# reached from that start.
#
# :func:`nmanalysis.continuation` instead follows the equilibria themselves:
# the curve in ``IE`` is S-shaped, with folds (LP) at IE = -0.511 and 0.283
# (AUTO-07p's values, reproduced to 1e-8 in the test suite), an active and a
# quiet state between them and no Hopf point, so no oscillation anywhere on
# it. :func:`nmanalysis.brute_force_diagram` repeats the brute-force sweep
# the careful way, each run starting where the previous input's run ended,
# once upward and once downward; the two directions jump at different folds,
# the hysteresis the single sweep cannot show.
exc_inputs = np.arange(0.0, 5.5, 0.05)
brute = nma.simulate(model, t=(0.0, 1000.0), dt=0.1, method="exp_euler",
                     params={"IE": exc_inputs}, record="minmax", transient=500.0)
tree = nma.continuation(model, "IE", p_range=(-1.5, 5.5))
print(nma.special_points(tree)[["type", "IE", "rE", "rI"]].to_dataframe())
sweep = nma.brute_force_diagram(model, "IE", np.linspace(-1.5, 1.5, 61), t=(0.0, 60.0),
                                dt=0.05)

fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8), layout="constrained")
ax = axes[0]
nma.plot.bifurcation(tree, "rE", ax=ax)
ax.plot(exc_inputs, brute["rE_max"], "v", color="C1", ms=3, label="brainmass-style max")
ax.plot(exc_inputs, brute["rE_min"], "^", color="C2", ms=3, label="brainmass-style min")
ax.set(title="brute force over continuation", xlim=(-1.5, 5.5))
ax.legend(loc="lower right", fontsize=7)
nma.plot.bifurcation(tree, "rE", ax=axes[1])
for direction, marker, color in (("forward", "o", "C1"), ("backward", "s", "C4")):
    d = sweep.sel(direction=direction)
    axes[1].plot(d["IE"], d["rE_mean"], marker, mfc="none", color=color, ms=5 if marker == "o"
                 else 8, label=f"{direction} sweep")
axes[1].legend(loc="lower right", fontsize=7)
axes[1].set(title="sweeping up and down: hysteresis", xlim=(-1.5, 1.5))

# %%
# Basins of attraction
# --------------------
# The tutorial loops over a 40 x 40 grid of initial states, simulating each
# for 1500 ms and thresholding the final ``rE`` at 0.3 (and its jit call
# fails). :func:`nmanalysis.basin_map` takes the grid as a mapping and returns
# the label of the attractor each point reaches, from a catalogue of the
# attractors found (equilibria, or cycles where there are any; the saddle is
# never one); each trajectory stops as soon as it has settled, so a 200 x 160
# grid costs well under a second once compiled. The tutorial's own parameter
# set (wEE = 16, wEI = 12, wII = 8, IE = 0.5) has one equilibrium as the code
# runs it, so we take the defaults with IE = 0, inside the fold interval.
# :func:`nmanalysis.basin_fractions` gives the share of each basin with its
# standard error.
grid = {"rE": np.linspace(0.0, 1.0, 200), "rI": np.linspace(0.0, 0.8, 160)}
basins = nma.basin_map(model, grid, params={"IE": 0.0}, progress=False)
pp = nma.phase_plane(model, "rE", "rI", params={"IE": 0.0},
                     ranges={"rE": (0.0, 1.0), "rI": (0.0, 0.8)}, manifolds=True,
                     t=(0.0, 200.0))
fractions = nma.basin_fractions(model, box={"rE": (0.0, 1.0), "rI": (0.0, 0.8)},
                                params={"IE": 0.0}, n_samples=4000, progress=False)
for k in range(fractions.sizes["attractor"]):
    print(f"{str(fractions['label'][k].values):20s} {float(fractions['fraction'][k]):.3f} "
          f"+- {float(fractions['fraction_se'][k]):.3f}")
fig, ax = plt.subplots(figsize=(5.2, 4), layout="constrained")
nma.plot.basins(basins, ax=ax, nullclines=pp)
ax.set_title("basins at IE = 0 (default weights)", fontsize=10)

# %%
# The rest of the tutorial
# ------------------------
# * Pulse, step and ramp inputs (``rE_inp=...`` inside the loop) are
#   :class:`~nmanalysis.Pulse`, :class:`~nmanalysis.Step`,
#   :class:`~nmanalysis.Ramp` passed as ``inputs=`` for a model input, or a
#   swept constant parameter such as ``IE``.
# * The 80-node brain network (``DiffusiveCoupling`` of delayed ``rE``,
#   delays from fibre lengths and a signal speed) is
#   ``nma.Network(model, weights, distances=lengths, speed=2.0,
#   coupling="diffusive", source="rE", target="IE")``, with the structural
#   connectome from :func:`nmanalysis.load_connectome` and functional
#   connectivity from :func:`nmanalysis.functional_connectivity`; see the
#   network examples.
