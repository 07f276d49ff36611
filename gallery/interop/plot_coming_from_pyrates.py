"""
Coming from PyRates: your YAML template, simulated and then continued
=====================================================================

PyRates users keep their models as YAML templates: operators with equations
and variables, nodes made of operators, circuits of nodes joined by weighted
edges. :func:`nmanalysis.load_model` reads such a file as it is (PyRates need
not be installed). Here we take PyRates' introductory Wilson-Cowan example,
run it exactly as its tutorial does, and then do what PyRates has no tool
for: the bifurcation diagram, which explains what the tutorial's run shows.
"""

# %%
# The template file
# -----------------
# This is the Wilson-Cowan template ``WC`` of PyRates' model library
# (``model_templates.neural_mass_models.wilsoncowan``), written to a file. An
# excitatory node ``e`` and an inhibitory node ``i`` each hold a rate operator
# ``tau r' = -r + (1 - k r) m`` and a sigmoid operator that turns the summed
# input ``r_in + r_ext`` into ``m``; the four edges feed each rate, weighted,
# into ``r_in``.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

import nmanalysis as nma

TEMPLATE = """\
se_op:
  base: OperatorTemplate
  equations: "m = sigmoid(s*(r_in+r_ext-theta)) - sigmoid(-s*theta)"
  variables: {m: output(0.0), s: 1.0, theta: 2.0, r_in: input(0.0), r_ext: input(0.0)}
si_op:
  base: se_op
  variables: {s: 2.0, theta: 2.5}
rate_op:
  base: OperatorTemplate
  equations: "r' = (-r + (1.0-k*r)*m)/tau"
  variables: {r: output(0.0), m: input, k: 1.0, tau: 10.0}
exc_pop: {base: NodeTemplate, operators: [rate_op, se_op]}
inh_pop: {base: NodeTemplate, operators: [rate_op, si_op]}
WC:
  base: CircuitTemplate
  nodes: {e: exc_pop, i: inh_pop}
  edges:
    - [e/rate_op/r, e/se_op/r_in, null, {weight: 15.0}]
    - [e/rate_op/r, i/si_op/r_in, null, {weight: 15.0}]
    - [i/rate_op/r, e/se_op/r_in, null, {weight: -15.0}]
    - [i/rate_op/r, i/si_op/r_in, null, {weight: -4.0}]
"""
folder = Path(tempfile.mkdtemp())
(folder / "wilsoncowan.yaml").write_text(TEMPLATE)

# %%
# Loading it
# ----------
# The PyRates path of the template works as the ``template=`` argument: the
# file part (``wilsoncowan``) names the file, here or beside the file given,
# and the package part is not needed (nothing is imported, and no file outside
# that directory is read). The circuit becomes one flat model. Each PyRates
# variable keeps its name where that is unique and gets its node's name
# otherwise: ``e/rate_op/r`` is the state ``r_e``; the constants are
# parameters; what arrives at ``e/se_op/r_in`` is the observable ``r_in_e``;
# the edge weights are parameters ``w_<target>_<source>``. An input that
# nothing feeds, like ``r_ext``, is a parameter (``r_ext_e``, which can be
# continued) plus a time-dependent input added to it (``u_r_ext_e``, which
# can be given a time course).
model = nma.load_model(folder / "wilsoncowan.yaml",
                       template="model_templates.neural_mass_models.wilsoncowan.WC")
print(model)
for name, expr in model.observables.items():
    print(f"  {name} = {expr}")
print("parameters:", dict(model.params))
print("inputs:", model.input_names)
print("r_e is", model.state_info["r_e"].description)

# %%
# The tutorial's run
# ------------------
# PyRates' tutorial integrates 125 time units by forward Euler with
# ``step_size=5e-4``, records every ``1e-2`` and drives ``e/se_op/r_ext`` with
# 1 for 25 <= t < 100. The same call here: ``method="euler"``, ``dt``,
# ``sampling`` and a :class:`~nmanalysis.Pulse` on ``u_r_ext_e``. (The
# test suite checks this run against PyRates' own output: they agree to
# 8.5e-6, the difference of PyRates' single-precision arithmetic.) The result
# is an :class:`xarray.Dataset` with the states and observables, rather than a
# DataFrame.
pulse = nma.Pulse(amplitude=1.0, start=25.0, stop=100.0)
run = nma.simulate(model, t=(0.0, 125.0), dt=5e-4, method="euler", sampling=0.01,
                   inputs={"u_r_ext_e": pulse})
print(run)

fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
ax.plot(run.time, run["r_e"], label="E (e/rate_op/r)")
ax.plot(run.time, run["r_i"], label="I (i/rate_op/r)")
ax.axvspan(25, 100, color="0.92", zorder=0, label="input on")
ax.set(xlabel="time", ylabel="rate", title="PyRates' Wilson-Cowan tutorial, run by nmanalysis")
ax.legend(loc="center right")

# %%
# Something the trace does not say
# --------------------------------
# After the input is switched off at t = 100 the rates do not return to where
# they started: E falls *below* zero (rates can be negative in this template,
# because ``m = S(.) - S(-s theta)``) and keeps going. The tutorial started
# from rest, all rates 0, which is an equilibrium at zero drive; why does the
# circuit not come back to it? A simulation cannot tell; the equilibria can.
# Continuing the equilibria in the constant drive ``r_ext_e``
# (pseudo-arclength continuation, folds located to machine precision,
# stability from the exact Jacobian) shows an S-shaped curve with two folds,
# at r_ext_e = -0.0588 and 0.1118 (the AUTO-07p values for this template are
# reproduced to 1e-9). At zero drive there are three equilibria: a low stable
# state (E = -0.088), the rest state (0, 0), which is a *saddle*, and an active
# stable state (E = 0.066). The tutorial starts on the saddle; during the
# pulse the circuit climbs onto the upper branch at r_ext_e = 1, and when the
# pulse ends it falls, past the active state, to the low one.
#
# A PyRates template says nothing about the range of its variables, so
# nmanalysis assumes states of order 10 (a box of -10 to 10) when it scales
# the continuation steps. Rates of this model stay well below 1; saying so with
# ``state_bounds`` keeps the steps small enough for the narrow S.
tree = nma.continuation(model, "r_ext_e", p_range=(-0.5, 1.5),
                        state_bounds={"r_e": (-0.2, 0.6), "r_i": (-0.2, 0.6)})
sp = nma.special_points(tree)
print(sp[["type", "r_ext_e", "r_e", "r_i"]].to_dataframe())
fp = nma.fixed_points(model)
print(fp[["r_e", "r_i", "kind"]].to_dataframe().dropna())

fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
for ax in axes:
    nma.plot.bifurcation(tree, "r_e", ax=ax)
drive = np.where((run.time >= 25) & (run.time < 100), 1.0, 0.0)
axes[0].plot(drive, run["r_e"], color="C1", lw=1, alpha=0.8, label="tutorial run")
axes[0].plot([0.0], [run["r_e"].values[-1]], "o", color="C1", ms=5)
axes[0].set(xlim=(-0.4, 1.4), title="equilibria in the drive r_ext_e")
axes[0].legend(loc="lower right", fontsize=8)
axes[1].set(xlim=(-0.1, 0.15), ylim=(-0.12, 0.1), title="the two folds (LP)")

# %%
# Which pulses are remembered
# ---------------------------
# The active state is there, but its basin is small. At zero drive,
# :func:`nmanalysis.basin_map` integrates a grid of initial states with early
# stopping and labels each by the equilibrium it reaches (the saddle is never
# called an attractor); :func:`nmanalysis.phase_plane` adds the nullclines and
# the saddle's stable manifold, which bounds the active state's basin. Where
# a pulse of amplitude 1 leaves the circuit depends on its length (black
# line: the run under the input, from rest; crosses: where pulses of length
# 0.5 ... 8 end). The end points are then run on without input, in one
# batched call, to see where each one settles: pulses shorter than about 3.5
# time units end inside the small basin and switch the circuit into the
# active state for good; longer ones, the tutorial's 75 among them, overshoot
# it, and the circuit drops to the low state.
grid = {"r_e": np.linspace(-0.2, 0.35, 120), "r_i": np.linspace(-0.05, 0.35, 90)}
basins = nma.basin_map(model, grid, progress=False)
pp = nma.phase_plane(model, "r_e", "r_i", ranges={"r_e": (-0.2, 0.35), "r_i": (-0.05, 0.35)},
                     manifolds=True, t=(0.0, 300.0))
under = nma.simulate(model, t=(0.0, 8.0), dt=5e-4, method="euler", sampling=0.01,
                     inputs={"u_r_ext_e": nma.Pulse(amplitude=1.0, start=0.0, stop=8.0)})
lengths = xr.DataArray([0.5, 1.0, 2.0, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0], dims="length")
ends = under.sel(time=lengths, method="nearest")
after = nma.simulate(model, t=(0.0, 400.0), dt=0.01, method="rk4", record="final",
                     y0={"r_e": ends["r_e"], "r_i": ends["r_i"]})
print(f"pulse length -> where E settles:\n"
      f"{np.column_stack([lengths.values, after['r_e'].values.round(4)])}")

fig, ax = plt.subplots(figsize=(5.5, 4.2), layout="constrained")
nma.plot.basins(basins, ax=ax, nullclines=pp)
ax.plot(under["r_e"], under["r_i"], color="k", lw=0.8)
active = after["r_e"].values > 0
ax.plot(ends["r_e"].values[active], ends["r_i"].values[active], "x", color="k", ms=7,
        label="pulse end: stays active")
ax.plot(ends["r_e"].values[~active], ends["r_i"].values[~active], "+", color="w", ms=9,
        label="pulse end: falls to the low state")
ax.legend(loc="upper left", fontsize=7)
ax.set_title("basins at r_ext_e = 0 and where pulses end", fontsize=10)

# %%
# The same for your own templates
# -------------------------------
# * ``nma.load_model("my_templates.yaml", template="MyCircuit")`` reads a
#   circuit, node or operator template; templates it refers to may sit in the
#   same file or in ``.yaml`` files beside it (PyRates' ``model_templates.``
#   paths resolve against copies placed there).
# * Equations may be written ``d/dt * x = ...`` or ``x' = ...``; operator
#   inheritance with ``equations: {replace: ...}`` and per-node variable
#   overrides (``operators: {op: {tau: 5.0}}``) are understood.
# * Edges with delays between copies of one node become a
#   :class:`~nmanalysis.model.network.Network`, simulated with the delayed
#   integrator; distributed delays (``spread``) and edge templates with their
#   own operators are refused with a message that says so.
# * Everything else in nmanalysis then applies: parameter sweeps in one
#   batched call, :func:`~nmanalysis.fixed_points`,
#   :func:`~nmanalysis.continuation` with ``cycles=True`` for models that
#   oscillate (the Jansen-Rit template ``JRC`` gives the same folds and Hopf
#   points as the library's ``jansen_rit``), regimes and Lyapunov exponents.
