"""
Coming from XPPAUT: your .ode file, its phase plane, its diagram, and back
===========================================================================

XPPAUT users keep their models as ``.ode`` files. :func:`nmanalysis.load_model`
reads the ODE part of that format (parameters, derived parameters, named
constants, fixed quantities, user functions, ``aux`` quantities, ``@`` options)
and refuses, naming the line, what has no equivalent here (tables, noise,
delays, maps). Here we take the Morris-Lecar model with the parameters
XPPAUT's documentation made famous, look at the bistability XPPAUT users know
from its phase plane and its AUTO diagram, and write the model back as an
``.ode`` file and as an AUTO-07p equation and constants file pair.
"""

# %%
# The .ode file
# -------------
# A Morris-Lecar neuron (calcium and potassium currents, type II
# parameters): ``!gcabar`` is a derived parameter, ``cm`` a named constant,
# ``minf``, ``winf`` and ``tauw`` fixed quantities, ``ica`` an ``aux``
# quantity. The ``@`` line sets XPPAUT's integration time, step and plot
# window.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma
from nmanalysis.io.xpp import read_ode

ODE = """\
# Morris-Lecar, type II
par iapp=90, phi=.04
par gca=4.4, gk=8, gl=2
par vk=-84, vl=-60, vca=120
par v1=-1.2, v2=18, v3=2, v4=30
number cm=20
!gcabar=gca/cm
minf=.5*(1+tanh((V-v1)/v2))
winf=.5*(1+tanh((V-v3)/v4))
tauw=1/cosh((V-v3)/(2*v4))
V'=(iapp - gl*(V-vl) - gk*w*(V-vk))/cm - gcabar*minf*(V-vca)
w'=phi*(winf-w)/tauw
init V=-60.9, w=0.015
aux ica=gca*minf*(V-vca)
@ total=400, dt=.05, meth=rungekutta, xp=V, yp=w, xlo=-75, xhi=45, ylo=-.1, yhi=.6
done
"""
folder = Path(tempfile.mkdtemp())
path = folder / "morris_lecar.ode"
path.write_text(ODE)

# %%
# Reading it
# ----------
# :func:`~nmanalysis.io.xpp.read_ode` returns the model together with the
# file's options; ``nma.load_model(path)`` returns the same model alone.
# Derived parameters, constants and fixed quantities are written into the
# equations, so the model has the ten parameters of the ``par`` lines and no
# others. The plot window became the states' ``bounds`` (where equilibria are
# searched), and the options with an equivalent became keyword arguments of
# :func:`~nmanalysis.simulate`.
ode = read_ode(path)
model = ode.model
print(model.equations["V"])
print(model.param_names)
print(ode.simulate_options)
print(model.state_info["V"].bounds, model.state_info["w"].bounds)

# %%
# Two runs with the file's settings
# ---------------------------------
# ``nma.simulate(model, **ode.simulate_options)`` runs what XPPAUT's
# "Initialconds, Go" would. At ``iapp = 90`` two starting points end in two
# different places: a start next to the equilibrium (found by
# :func:`~nmanalysis.fixed_points`) stays at rest, the file's initial state
# (the rest state of ``iapp = 0``) settles on a limit cycle.
eq = nma.fixed_points(model)
rest = {s: eq[s].sel(fp=0).item() for s in model.state_names}
print("equilibrium:", {k: round(v, 4) for k, v in rest.items()},
      "-", eq["kind"].sel(fp=0).item())
runs = nma.simulate(model, **ode.simulate_options,
                    y0={"V": np.array([-60.9, round(rest["V"] + 1.0, 2)]), "w": rest["w"]})
late = runs["V"].sel(time=slice(300, None))
for v0 in runs["V_0"].values:
    lo, hi = late.sel(V_0=v0).min().item(), late.sel(V_0=v0).max().item()
    print(f"V(0) = {v0}: V stays within [{lo:.1f}, {hi:.1f}] mV after 300 ms")

fig, ax = plt.subplots(figsize=(7, 2.6), layout="constrained")
for v0 in runs["V_0"].values:
    ax.plot(runs["time"], runs["V"].sel(V_0=v0), label=f"V(0) = {v0} mV")
ax.set(xlabel="time [ms]", ylabel="V [mV]", title="iapp = 90, the file's settings")
ax.legend(loc="center right", fontsize=9)

# %%
# Phase plane and bifurcation diagram
# -----------------------------------
# :func:`~nmanalysis.phase_plane` shows the two attractors: the nullclines
# cross at a stable focus (the dot; the trajectory started next to it spirals
# in, hidden under it), and the trajectory from the file's initial state winds
# onto the stable limit cycle. Between them lies an unstable cycle (not drawn),
# the boundary between the two basins. :func:`~nmanalysis.continuation` in
# ``iapp`` tells the whole story, as AUTO inside XPPAUT would: the rest state
# loses stability in a subcritical Hopf bifurcation near ``iapp = 93.9``, and
# the unstable cycles born there turn back at a fold of cycles near
# ``iapp = 88.3``; between the two, rest and oscillation coexist. The same
# happens, mirrored, at the upper end of the oscillating range (Hopf point
# near 212.0, fold of cycles near 216.9).
pp = nma.phase_plane(model, "V", "w", params={"iapp": 90.0},
                     trajectories=[(-60.9, 0.015), (rest["V"] + 1.0, rest["w"])], t=(0, 400))
tree = nma.continuation(model, "iapp", p_range=(0, 300), cycles=True)
special = nma.special_points(tree)
print(special[["type", "iapp", "V"]].to_dataframe().round(3))

fig, (ax_pp, ax_bd) = plt.subplots(1, 2, figsize=(8, 3.6), layout="constrained")
nma.plot.phase_portrait(pp, ax=ax_pp, density=0.8, legend=False)
ax_pp.set_title("iapp = 90: rest and a cycle coexist", fontsize=10)
nma.plot.bifurcation(tree, "V", ax=ax_bd)
ax_bd.axvline(90.0, color="0.6", ls=":", lw=1)
ax_bd.set_title("equilibria and cycles (V max/min)", fontsize=10)

# %%
# Back to XPPAUT and on to AUTO-07p
# ---------------------------------
# :meth:`Model.to_ode <nmanalysis.Model.to_ode>` writes any model, library
# models included, as an ``.ode`` file that reads back to the same equations.
# Names XPPAUT cannot tell apart (it ignores case and keeps ten characters)
# are renamed, with a comment that restores them on reading.
text = model.to_ode(folder / "back.ode", total=400, dt=0.05, method="rk4").read_text()
print(text)
again = nma.load_model(folder / "back.ode")
print("same equations:", again.structure_hash == model.structure_hash)

# %%
# :meth:`Model.to_auto <nmanalysis.Model.to_auto>` writes AUTO-07p's
# equations file, with the exact Jacobians, and its constants file, starting
# from an equilibrium found here, so that a diagram can be checked in AUTO
# itself (``run(e="morris_lecar", c="morris_lecar")`` in AUTO's Python shell).
at_zero = nma.fixed_points(model.with_params(iapp=0.0))
start = {s: at_zero[s].sel(fp=0).item() for s in model.state_names}
files = model.to_auto(folder / "auto", "iapp", params={"iapp": 0.0}, start=start,
                      p_range=(0, 300))
print(files["c.morris_lecar"].read_text())
print("\n".join(files["morris_lecar.f90"].read_text().splitlines()[10:16]))
