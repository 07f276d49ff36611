"""
Two-parameter diagrams: fold and Hopf curves with their codim-2 points
======================================================================

A one-parameter diagram shows where equilibria fold (LP) and where cycles are
born (HB) at one value of every other parameter. Following those points as a
second parameter varies draws the curves that divide a parameter plane into
regions of qualitatively different behaviour. Where curves meet or change
character, codimension-2 points organise the plane: a cusp (CP) where two fold
curves join, a Bogdanov-Takens point (BT) where a Hopf curve ends on a fold
curve, a generalised Hopf point (GH) where the Hopf bifurcation turns from
super- to subcritical.

:func:`nmanalysis.codim2_continuation` starts a curve at every LP and HB of a
one-parameter diagram and follows each both ways on a minimally augmented
system (exact derivatives from the model's symbolic form), then locates the
codim-2 points on the curves and computes their normal-form coefficients.
"""

# %%
# Wilson-Cowan: the cusp of bistability
# -------------------------------------
# Two folds in the input ``IE`` bound the bistable range; as the recurrent
# excitation ``wEE`` weakens, they approach each other and vanish together
# in a cusp.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

wc = nma.get_model("wilson_cowan")
wc_tree = nma.codim2_continuation(wc, ("IE", "wEE"), ranges={"IE": (-15, 5), "wEE": (5, 40)})
print(nma.special_points(wc_tree)[["type", "IE", "wEE", "cusp_coefficient"]].to_dataframe())

# %%
# The regions are confirmed by simulation: a coarse regime map (a few
# initial states at each grid point, see :func:`nmanalysis.regime_map`) drawn
# underneath the curves. Its bistable region ends on the fold curve, to the
# resolution of the grid; the curve itself is exact.
wc_regimes = nma.regime_map(wc, params={"IE": np.linspace(-15, 5, 31),
                                        "wEE": np.linspace(5, 40, 26)},
                            t=(0, 60), transient=30, method="rk4", dt=0.05, n_initial=3,
                            progress=False)
fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
nma.plot.two_parameter(wc_tree, ax=ax, regimes=wc_regimes)
ax.set_title("Wilson-Cowan: fold curve and cusp over a regime map")

# %%
# Jansen-Rit: input rate and connectivity
# ---------------------------------------
# In the Jansen-Rit column (input rate ``p``, connectivity constant ``C``) one
# fold curve with a cusp and one Hopf curve organise the plane. The Hopf curve
# ends at a Bogdanov-Takens point on the fold curve and continues beyond it as
# a neutral saddle (dotted: two real eigenvalues of opposite sign, not a
# bifurcation); along it a generalised Hopf point separates the subcritical
# from the supercritical birth of the alpha rhythm.
jr = nma.get_model("jansen_rit")
jr_tree = nma.codim2_continuation(jr, ("p", "C"), ranges={"p": (-100, 400), "C": (50, 300)})
sp = nma.special_points(jr_tree)
for k in range(sp.sizes["special"]):
    kind = str(sp["type"].values[k])
    coefficient = {"CP": "cusp_coefficient", "BT": "bt_b", "GH": "second_lyapunov"}[kind]
    print(f"{kind}: p = {float(sp['p'][k]):.6f}, C = {float(sp['C'][k]):.6f}, "
          f"{coefficient} = {float(sp[coefficient][k]):.4g}")

# %%
jr_regimes = nma.regime_map(jr, params={"p": np.linspace(-100, 400, 34),
                                        "C": np.linspace(50, 300, 26)},
                            t=(0, 3), transient=1.5, method="rk4", dt=1e-3, n_initial=2,
                            progress=False)
fig, ax = plt.subplots(figsize=(8.5, 4.8), layout="constrained")
nma.plot.two_parameter(jr_tree, ax=ax, regimes=jr_regimes)
ax.set_title("Jansen-Rit: fold and Hopf curves over a regime map")

# %%
# The first Lyapunov coefficient along the Hopf curve changes sign at the GH
# point: on one side cycles are born stable (supercritical, ``l1 < 0``), on
# the other unstable (subcritical), and a fold of cycles emanates from GH.
hopf = jr_tree["hopf/branch_0"].to_dataset()
fig, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
ok = ~hopf["neutral_saddle"].values
ax.plot(hopf["p"].values[ok], hopf["first_lyapunov"].values[ok], ".", ms=3)
ax.axhline(0, color="0.5", lw=0.8)
gh = sp.where(sp["type"] == "GH", drop=True)
ax.plot(gh["p"], np.zeros(gh.sizes["special"]), "D", color="tab:purple", label="GH")
ax.set_yscale("symlog", linthresh=1e-7)
ax.set_xlabel("p on the Hopf curve")
ax.set_ylabel("first Lyapunov coefficient")
ax.legend()

# %%
# Folds of cycles from a generalised Hopf point
# ---------------------------------------------
# On the subcritical side of a GH point the small unstable cycle born at the
# Hopf curve grows back, meets a large stable cycle and both vanish in a fold
# of cycles (LPC). The folds form a curve that leaves the Hopf curve
# tangentially at GH. ``codim2_continuation`` follows it when given the GH
# point as ``start`` (or with ``cycles=True``): the cycle family of a Hopf
# point next to GH is continued until its fold, and the fold is then traced in
# both parameters by collocation with a bordered (minimally augmented) fold
# condition, back to GH at one end.
#
# The mean-field model of quadratic integrate-and-fire neurons with spike
# frequency adaptation (``qif_sfa``) has three GH points in the plane of the
# mean drive ``eta`` and the coupling ``J``; here the fold of cycles of the
# one at the most negative ``eta``. Between the Hopf curve and the LPC curve a
# stable rest state coexists with a stable oscillation of the population rate.
qs = nma.get_model("qif_sfa")
ranges = {"eta": (-12, 2), "J": (0, 30)}
qs_tree = nma.codim2_continuation(qs, ("eta", "J"), ranges=ranges)
qs_sp = nma.special_points(qs_tree)
gh = [k for k in range(qs_sp.sizes["special"]) if qs_sp["type"].values[k] == "GH"]
first = min(gh, key=lambda k: float(qs_sp["eta"][k]))
lpc_tree = nma.codim2_continuation(qs, ("eta", "J"), ranges=ranges,
                                   start=qs_sp.isel(special=[first]))
lpc = lpc_tree["lpc/branch_0"].to_dataset()
print(lpc.attrs["start_point"], "|", lpc.attrs["stop_reason_start_side"], "|",
      lpc.attrs["stop_reason_end_side"])

# %%
# The fold of cycles joins the equilibrium curves in one diagram. It stays
# close to the Hopf curve: on the right, the range of the rate over the
# folding cycle is small all along and shrinks towards GH (the curve is
# ended once the cycle's range falls below 1e-3 of the states' boxes).
qs_tree["lpc"] = lpc_tree["lpc"]
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8, 3.8), layout="constrained",
                              width_ratios=(1.6, 1))
nma.plot.two_parameter(qs_tree, ax=ax)
ax.set_title("qif_sfa: folds, Hopf and folds of cycles")
ax2.plot(lpc["eta"], lpc["r_max"] - lpc["r_min"], color="tab:green")
ax2.set_xlabel("eta on the LPC curve")
ax2.set_ylabel("range of r over the cycle")
plt.show()
