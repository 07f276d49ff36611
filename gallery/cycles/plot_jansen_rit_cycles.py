"""
Jansen-Rit: the full bifurcation diagram, cycles included
=========================================================

The equilibria of the Jansen-Rit column along its input rate ``p`` have two
folds and three Hopf points. With ``cycles=True``, :func:`nmanalysis.continuation`
also follows the periodic orbits born at every Hopf point (orthogonal
collocation, pseudo-arclength in orbit, period and ``p``), computes their
Floquet multipliers and locates where the cycle branches fold, double their
period or end.
"""

# %%
# One call for the whole diagram
# ------------------------------
import time

import matplotlib.pyplot as plt

import nmanalysis as nma

model = nma.get_model("jansen_rit")
clock = time.perf_counter()
tree = nma.continuation(model, "p", p_range=(-100, 400), cycles=True)
print(f"equilibria and cycles in {time.perf_counter() - clock:.2f} s")
for name, node in tree["periodic"].children.items():
    ds = node.to_dataset()
    print(f"periodic/{name}: {ds.sizes['point']} orbits, p from {float(ds['p'].min()):.3f} "
          f"to {float(ds['p'].max()):.3f}, period {float(ds['period'].min()):.4f} .. "
          f"{float(ds['period'].max()):.3g} s; {ds.attrs['stop_reason']}")

sp = nma.special_points(tree)
for k in range(sp.sizes["special"]):
    row = sp.isel(special=k)
    print(f"{str(row['type'].values):5} p = {float(row['p']):13.8f}  "
          f"period {float(row['period']):.6g} s  on {row['branch'].values}")

# %%
# Two families of cycles:
#
# * the **alpha rhythm**: a stable cycle born at the supercritical Hopf point
#   p = 89.83 that grows, then shrinks back onto the other supercritical Hopf
#   point p = 315.70 (one branch joins the two: it is traced once);
# * a cycle born **unstable** at the subcritical Hopf point p = -12.15. It grows
#   with p up to a fold of cycles (LPC) at p = 137.379, where it turns back and
#   becomes stable: the large, slow "spike-like" oscillation. Its period then
#   grows without bound as the orbit runs into the lower fold of equilibria at
#   p = 113.586: a saddle-node on an invariant circle (SNIC).
#
# The diagram of the pyramidal potential ``v_pc = y1 - y2`` (an observable of
# the model; the cycle branches carry its max and min over each orbit):
fig, ax = plt.subplots(figsize=(7, 4.8), layout="constrained")
for name, node in tree["equilibria"].children.items():
    ds = node.to_dataset()
    tree[f"equilibria/{name}"] = ds.assign(
        v_pc=(ds["y1"] - ds["y2"]).assign_attrs(long_name="pyramidal potential y1 - y2",
                                                units="mV"))
sp = nma.special_points(tree)
tree["special_points"] = sp.assign(v_pc=sp["y1"] - sp["y2"])
nma.plot.bifurcation(tree, "v_pc", ax=ax)
ax.set_title("Jansen-Rit: equilibria (black) and cycles (orange, max/min)")

# %%
# The period along the cycle branches
# -----------------------------------
# Near the SNIC the period grows like ``1/sqrt(p - p_fold)``; the branch stops
# once it exceeds 100 times its onset period and the end is classified by the
# slowest point of the orbit: it sits on the fold of equilibria.
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
nma.plot.period(tree, ax=ax)
ax.set_yscale("log")
ax.set_title("period of the cycles")

# %%
# Floquet multipliers and their precision
# ---------------------------------------
# The column is stiff: the nontrivial multipliers of the alpha cycle reach
# 1e-7 and below. They come from a periodic QR factorisation of the
# collocation blocks, never from their product, and every orbit reports how far
# its trivial multiplier is from 1.
alpha = tree["periodic/branch_1"].to_dataset()
i = alpha.sizes["point"] // 2
mu = alpha["floquet_real"].values[i] + 1j * alpha["floquet_imag"].values[i]
print(f"alpha cycle at p = {float(alpha['p'][i]):.2f}: |multipliers| =",
      " ".join(f"{abs(v):.3e}" for v in mu))
print("largest |trivial multiplier - 1| on the branches:",
      {name: f"{float(node['trivial_multiplier_error'].max()):.1e}"
       for name, node in tree["periodic"].children.items()})

# %%
# The command line draws the same figure:
# ``nmanalysis diagram jansen_rit --free p --range -100 400 --y v_pc --plot jr.png``.
