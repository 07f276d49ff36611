"""
Jansen-Rit: the bifurcation diagram of the alpha rhythm
=======================================================

Along its external input rate ``p`` the Jansen-Rit column has an S-shaped
curve of equilibria with two folds and three Hopf points. One call of
:func:`nmanalysis.continuation` traces the whole curve through both folds,
locates the special points and computes their normal-form coefficients; a
brute-force sweep of :func:`nmanalysis.simulate` then shows which attractor
the column actually settles on.
"""

# %%
# Continuation in ``p``
# ---------------------
# Every equilibrium at the start value (``p = -100``) seeds a branch that is
# followed in both directions until it leaves ``p_range``. Here there is a
# single equilibrium at the start, and a single branch: the curve winds back
# at each fold instead of ending there.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("jansen_rit")
tree = nma.continuation(model, "p", p_range=(-100, 400))
for name, node in tree["equilibria"].children.items():
    ds = node.to_dataset()
    print(f"{name}: {ds.sizes['point']} points, stopped: "
          f"{ds.attrs['stop_reason_start_side']} / {ds.attrs['stop_reason_end_side']}")

# %%
# The special points
# ------------------
# Two folds (LP) and three Hopf points (HB). For each Hopf point we get the
# angular frequency of the pair on the imaginary axis, the period ``2 pi /
# omega`` of the oscillation at onset, and the first Lyapunov coefficient
# ``l1`` computed from the exact second and third derivatives of the model:
# ``l1 < 0`` means a supercritical Hopf point (a small *stable* cycle is
# born), ``l1 > 0`` a subcritical one (a small *unstable* cycle).
sp = nma.special_points(tree)
print(f"{'type':4} {'p':>14} {'y1 - y2':>9} {'omega':>8} {'f [Hz]':>7} {'period [s]':>10} "
      f"{'l1':>11}  criticality")
for k in range(sp.sizes["special"]):
    row = sp.isel(special=k)
    v_pc = float(row["y1"] - row["y2"])
    if str(row["type"].values) == "HB":
        omega = float(row["angular_frequency"])
        print(f"HB   {float(row['p']):14.8f} {v_pc:9.4f} {omega:8.3f} {omega / (2 * np.pi):7.2f} "
              f"{float(row['period']):10.5f} {float(row['first_lyapunov']):11.3e}  "
              f"{row['criticality'].values}")
    else:
        print(f"LP   {float(row['p']):14.8f} {v_pc:9.4f}")

# %%
# The diagram of the pyramidal potential
# --------------------------------------
# The EEG-like output of the column is the observable ``v_pc = y1 - y2``. We
# add it to every branch and to the special points, then draw it: solid where
# the equilibrium is stable, dashed where it is not.
for name, node in tree["equilibria"].children.items():
    ds = node.to_dataset()
    tree[f"equilibria/{name}"] = ds.assign(
        v_pc=(ds["y1"] - ds["y2"]).assign_attrs(long_name="pyramidal potential y1 - y2",
                                                units="mV"))
sp = nma.special_points(tree)
tree["special_points"] = sp.assign(v_pc=sp["y1"] - sp["y2"])

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
nma.plot.bifurcation(tree, "v_pc", ax=ax)
ax.set_title("Jansen-Rit: equilibria along the input rate p")

# %%
# Reading the diagram from left to right: the lower branch is stable up to the
# fold at p = 113.59; the middle branch, between the folds, is a saddle (one
# unstable eigenvalue); the upper branch starts unstable at the fold at
# p = -41.30, becomes a stable focus at the subcritical Hopf point p = -12.15,
# loses stability again at the supercritical Hopf point p = 89.83 and regains
# it at the supercritical Hopf point p = 315.70. Between -41.30 and 113.59
# three equilibria coexist.
#
# Where the upper focus is stable its complex pair stays close to the
# imaginary axis: the damping rate is at most about 0.7 per second, so the
# column rings for seconds at 7 to 10 Hz after any perturbation.
upper = tree["equilibria/branch_0"].to_dataset()
for p in (0.0, 50.0):
    i = int(np.argmin(np.abs(upper["p"].values - p) + 1e3 * (upper["v_pc"].values < 5)))
    lam = upper["eig_real"].values[i] + 1j * upper["eig_imag"].values[i]
    pair = lam[np.argmax(lam.real)]
    print(f"upper focus at p = {float(upper['p'][i]):.1f}: leading pair "
          f"{pair.real:.3f} +/- {abs(pair.imag):.2f}i per s "
          f"({abs(pair.imag) / (2 * np.pi):.1f} Hz)")

# %%
# Brute force: simulate and record the extremes
# ---------------------------------------------
# :func:`nmanalysis.simulate` integrates 100 values of ``p`` at once and, with
# ``record="minmax"``, keeps only the smallest and largest value of every
# state *and observable* after the transient (``v_pc_min``, ``v_pc_max``).
# Passed as ``overlay``, they are drawn as grey dots: one dot where the run
# settled on an equilibrium, two where it oscillates. All runs start from the
# model's default state: up to p of about 102 they settle on the lower
# equilibrium, beyond it on the alpha cycle.
P = np.linspace(-100, 400, 100)
sweep = nma.simulate(model, t=(0, 2), dt=1e-4, params={"p": P}, record="minmax", transient=1)

# %%
# A second sweep starts near the upper focus instead and runs longer (9 s of
# transient), to show the cycle where it coexists with the lower equilibrium.
near_upper = {"y0": 0.098, "y1": 20.7, "y2": 13.4, "y3": 0.0, "y4": 0.0, "y5": 0.0}
sweep_upper = nma.simulate(model, t=(0, 10), dt=1e-4, params={"p": P}, y0=near_upper,
                           record="minmax", transient=9)

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
artists = nma.plot.bifurcation(tree, "v_pc", ax=ax, overlay=sweep)
artists["overlay"][0].set_label("from the default state, 1 s transient")
ax.plot(P, sweep_upper["v_pc_max"], "o", mfc="none", mec="tab:orange", ms=4, zorder=2,
        label="from near the upper focus, 9 s transient")
ax.plot(P, sweep_upper["v_pc_min"], "o", mfc="none", mec="tab:orange", ms=4, zorder=2)
ax.legend(loc="lower right", fontsize="small")
ax.set_title("continuation (lines) and simulated min/max after the transient (dots)")

amplitude = (sweep_upper["v_pc_max"] - sweep_upper["v_pc_min"]).values
print("oscillating (v_pc range > 0.1 mV) from near the upper focus for p in "
      f"[{P[amplitude > 0.1].min():.1f}, {P[amplitude > 0.1].max():.1f}]")

# %%
# What bounds the alpha oscillation
# ---------------------------------
# The two supercritical Hopf points (``l1 < 0``) bound the self-sustained
# alpha rhythm: between p = 89.83 and p = 315.70 the upper focus is unstable
# and a stable limit cycle surrounds it, born with zero amplitude at both ends
# at 10.4 and 11.2 Hz (``omega / 2 pi``; periods 0.096 s and 0.090 s). The
# orange circles close onto the branch near both points, as a supercritical
# Hopf point requires (right next to them even 9 s of transient leave some
# ringing, hence the printed range is a little wider), and show that the cycle
# also exists between 89.83 and the fold at 113.59, next to the stable lower
# equilibrium: the column is bistable there, and which state it shows depends
# on where it starts (from near the upper focus, runs with p below about 25
# also start outside the focus's basin and end on the lower equilibrium).
#
# The subcritical Hopf point at p = -12.15 (``l1 > 0``, 7.2 Hz) bounds the
# alpha regime from the other side: below it the upper focus is unstable;
# above it the focus is stable but weakly damped, so that noise in ``p``
# (Jansen and Rit drove the column with noise) makes it ring at alpha
# frequencies. The small cycle born there is unstable and surrounds the stable
# focus for p just above -12.15; following it further needs continuation of
# periodic orbits (``cycles=True``, see the example "Jansen-Rit: the full
# bifurcation diagram, cycles included").
#
# Brute force and its transients
# ------------------------------
# The grey dots (default start, 1 s of transient) and the orange circles (9 s)
# disagree in two places, and the difference is slow transients, not different
# attractors:
#
# * beyond p = 315.70 the grey dots do not meet the branch anywhere up to
#   p = 400: the equilibrium is stable there, but near a supercritical Hopf
#   point the real part of the critical pair goes to zero (it is below 2 per
#   second all the way to 400), so after 1 s the runs are still ringing down;
# * between about 105 and 300 the grey dots lie outside the orange cycle:
#   after 1 s the runs are still spiralling onto the cycle, which attracts
#   them slowly; around p = 102 one run is still on a long excursion that
#   ends, after some seconds, on the lower equilibrium.
for p in (330.0, 360.0):
    i = int(np.argmin(np.abs(upper["p"].values - p)))
    lam = upper["eig_real"].values[i] + 1j * upper["eig_imag"].values[i]
    j = int(np.argmin(np.abs(P - p)))
    print(f"p = {P[j]:.1f}: leading real part {lam.real.max():.3f} per s; v_pc range after "
          f"1 s {float(sweep['v_pc_max'][j] - sweep['v_pc_min'][j]):.3f} mV, after 9 s "
          f"{amplitude[j]:.4f} mV")

check = nma.simulate(model, t=(0, 10), dt=1e-4, params={"p": P[[40, 41, 60]]},
                     record="minmax", transient=9)
for j in (40, 41, 60):
    print(f"p = {P[j]:.2f}, default start: v_pc in [{float(sweep['v_pc_min'][j]):.3f}, "
          f"{float(sweep['v_pc_max'][j]):.3f}] after 1 s, "
          f"[{float(check['v_pc_min'].sel(p=P[j])):.3f}, "
          f"{float(check['v_pc_max'].sel(p=P[j])):.3f}] after 9 s")

# %%
# Continuation finds the equilibria, their stability and the Hopf points
# exactly, in well under a second; the simulations show what the column does,
# but only as precisely as their transients allow. The command line draws the
# same diagram with ``nmanalysis diagram jansen_rit --free p --range -100 400
# --y v_pc --overlay --plot jr.png``.
