"""
Jansen-Rit cycles along the input rate
======================================

:func:`nmanalysis.analysis.cycles.find_cycles` integrates every point of a
sweep past a transient and measures the cycle it settles on: the period from
Poincaré-section crossings located on a Hermite interpolant (about 1e-9
relative accuracy here), the extrema, and one period of the orbit.

Points still converging at the end of the run (near the Hopf points the
cycles attract slowly) are reported as undecided, not guessed; they are left
out of the figure. Two initial states per input rate ``p``: one near rest (``y0 = 0``), one at
the model's default. Between p = 113.6 and 137.4 they reach different
attractors: the slow, large cycle born at the SNIC and the alpha cycle.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma
from nmanalysis.analysis.cycles import find_cycles

model = nma.get_model("jansen_rit")
p = np.linspace(60, 340, 15)
ds = find_cycles(model, params={"p": p}, y0={"y0": np.array([0.0, 0.1])}, t=(0, 12),
                 transient=9, tol=1e-4, n_phase=100, progress=False)
# keep the cycles only (regime 1); equilibria and undecided points become NaN
cycles = ds.where(ds["regime"] == 1)

# %%
# Period and amplitude against p
# ------------------------------
fig, axes = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True, layout="constrained")
for k, (start, marker) in enumerate(zip(ds["y0_0"].values, "os")):
    sel = cycles.isel(y0_0=k)
    axes[0].plot(p, sel["period"] * 1000, marker, label=f"start y0 = {start:g}", ms=4)
    axes[1].plot(p, sel["y0_max"], marker, color=f"C{k}", ms=4)
    axes[1].plot(p, sel["y0_min"], marker, color=f"C{k}", ms=4, fillstyle="none")
axes[0].set_ylabel("period [ms]")
axes[0].set_yscale("log")
axes[0].legend(fontsize=8)
axes[1].set_ylabel("y0 max (filled) / min (open) [mV]")
axes[1].set_xlabel("input rate p [1/s]")

# %%
# One period of two orbits
# ------------------------
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for pv, k in ((120.0, 0), (200.0, 1)):
    orbit = ds.sel(p=pv, method="nearest").isel(y0_0=k)
    if int(orbit["regime"]) == 1:
        time_ms = orbit["phase"] * orbit["period"] * 1000
        ax.plot(time_ms, orbit["y1_orbit"] - orbit["y2_orbit"],
                label=f"p = {float(orbit['p']):.0f}, T = {1000 * float(orbit['period']):.1f} ms")
ax.set_xlabel("time from the section crossing [ms]")
ax.set_ylabel("y1 - y2 [mV]")
ax.legend(fontsize=8)
plt.show()
