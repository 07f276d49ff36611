"""
PyRates' Wilson-Cowan tutorial, reproduced
==========================================

PyRates' introductory example loads its ``WC`` template (an excitatory and an
inhibitory rate population), drives the excitatory one with an input of 1 for
25 <= t < 100, and integrates 125 time units with forward Euler at
``dt = 5e-4``, keeping every 20th step. The library model
``wilson_cowan_pyrates`` is that template; here we run the tutorial, lay
PyRates' own output over ours, find out where the small differences come
from, and look at how far the Euler trace itself is from the exact solution.
"""

# %%
# The tutorial in one call
# ------------------------
# The constant part of the drive is the parameter ``r_ext_e`` (0 here); its
# time course is the input ``u_e``. A :class:`~nmanalysis.Pulse` from 25 to
# 100 is exactly PyRates' input array ``inp[int(25/dt):int(100/dt)] = 1``:
# an input jump on a step edge takes effect from that step on.
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("wilson_cowan_pyrates")
pulse = nma.Pulse(amplitude=1.0, start=25.0, stop=100.0)
run = dict(t=(0.0, 125.0), dt=5e-4, method="euler", inputs={"u_e": pulse}, sampling=0.01)
nma.simulate(model, **run)                      # warm-up (loads the compiled kernels)
t0 = time.perf_counter()
ours = nma.simulate(model, **run)
print(f"250,000 Euler steps: {time.perf_counter() - t0:.3f} s")

# %%
# PyRates' own output
# -------------------
# The reference trace was written by PyRates 1.2.3 running the tutorial
# (columns t, E, I; 12,500 rows, 10 significant digits).
# (the trace ships with the test suite, in tests/reference/data)
candidates = [Path(p) / "tests" / "reference" / "data" / "pyrates_wc_tutorial.csv"
              for p in ("../..", "..", ".")]
path = next((p for p in candidates if p.exists()), None)
if path is None:
    raise FileNotFoundError("tests/reference/data/pyrates_wc_tutorial.csv not found; run this "
                            "example from the repository (the comparison needs PyRates' trace)")
t_ref, e_ref, i_ref = np.loadtxt(path, delimiter=",", skiprows=1).T
n = t_ref.size                                   # PyRates does not write t = 125

fig, ax = plt.subplots(figsize=(7.5, 4), layout="constrained")
ax.axvspan(25, 100, color="0.92", label="input 1")
ax.plot(ours.time, ours["re"], color="C0", lw=2.5, label="E (nmanalysis)")
ax.plot(ours.time, ours["ri"], color="C3", lw=2.5, label="I (nmanalysis)")
ax.plot(t_ref[::250], e_ref[::250], "o", ms=4, mfc="none", color="k", label="PyRates 1.2.3")
ax.plot(t_ref[::250], i_ref[::250], "o", ms=4, mfc="none", color="k")
ax.set(xlabel="time [ms]", ylabel="rate", title="PyRates Wilson-Cowan tutorial")
ax.legend(loc="upper right", fontsize=9)

# %%
# Where the last digits differ
# ----------------------------
# Our double-precision Euler trace agrees with PyRates' to 8.2e-6. The
# difference is not a timing offset: shifting the input or the recording by
# one step makes it twice as large. PyRates 1.2.3 computes in single
# precision, and the same Euler steps in float32 (``dtype="float32"``) agree
# with its trace to a few 1e-8, i.e. to the rounding of the stored digits
# and of ``exp``. So: PyRates' step from ``t_n`` uses ``inp[n]``, the row at
# ``t_k`` is the state after ``t_k/dt`` steps, and the rest is float32.
ours32 = nma.simulate(model, **run, dtype="float32")
late = nma.simulate(model, **{**run, "inputs": {"u_e": nma.Pulse(1.0, 25.0 + 5e-4,
                                                                  100.0 + 5e-4)}})


def dev(ds):
    return np.maximum(np.abs(ds["re"].values[:n] - e_ref), np.abs(ds["ri"].values[:n] - i_ref))


for label, ds in [("float64", ours), ("float32", ours32), ("input one step late", late)]:
    print(f"max |ours - PyRates|, {label:>20s}: {dev(ds).max():.2e}")

# %%
# Euler against an accurate solution
# ----------------------------------
# The same run with the adaptive Dormand-Prince method at ``rtol = 1e-10``
# gives the solution of the equations to ~1e-10; the distance to it is the
# error of Euler at this step size, about three times what separates us from
# PyRates. Both traces are equally good solutions of the model.
exact = nma.simulate(model, t=(0.0, 125.0), method="dopri5", rtol=1e-10, atol=1e-12,
                     inputs={"u_e": pulse}, sampling=0.01)
euler_err = np.maximum(np.abs(ours["re"] - exact["re"]), np.abs(ours["ri"] - exact["ri"]))
print(f"max |Euler - dopri5|: E {float(np.abs(ours['re'] - exact['re']).max()):.2e}, "
      f"I {float(np.abs(ours['ri'] - exact['ri']).max()):.2e} "
      f"({int(exact['n_steps'])} dopri5 steps)")

fig, ax = plt.subplots(figsize=(7.5, 3.6), layout="constrained")
tiny = 1e-12
ax.semilogy(t_ref, dev(ours) + tiny, color="C0", label="nmanalysis float64 - PyRates")
ax.semilogy(t_ref, dev(ours32) + tiny, color="C2", label="nmanalysis float32 - PyRates")
ax.semilogy(t_ref, dev(late) + tiny, color="C1", lw=1, label="input one step late - PyRates")
ax.semilogy(ours.time, euler_err + tiny, "k--", label="Euler - dopri5 (Euler's own error)")
ax.axvspan(25, 100, color="0.92")
ax.set(xlabel="time [ms]", ylabel="max(|dE|, |dI|)", ylim=(1e-11, 1e-1),
       title="Differences between the traces")
ax.legend(fontsize=8, loc="upper center", ncol=2)

# %%
# What the tutorial shows
# -----------------------
# Without input the template sits at ``re = ri = 0``, but that equilibrium is
# a saddle: the default drive lies between the two folds of the equilibrium
# curve (r_ext_e = -0.0588 and 0.1118), where a stable node with *negative*
# rates and a stable focus coexist with it. The drive of 1 leaves a single
# stable focus, reached in damped oscillations; when the drive stops the
# state does not return to the origin but slides to the lower node.
fp = nma.fixed_points(model, params={"r_ext_e": [0.0, 1.0]})
print(fp[["re", "ri", "kind"]].to_dataframe().dropna())
