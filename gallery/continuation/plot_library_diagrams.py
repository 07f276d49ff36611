"""
Diagrams of the other library models
====================================

One call of :func:`nmanalysis.continuation` per model, over the typical range
of its main parameter, gives the equilibria with their stability and every
fold (LP) and Hopf point (HB). This page shows the library models not covered
by the other examples: the PyRates Wilson-Cowan template, the exact QIF mean
field of Montbrió, Pazó and Roxin (with and without adaptation), the
Stuart-Landau oscillator and the Van der Pol oscillator.
"""

# %%
import matplotlib.pyplot as plt

import nmanalysis as nma

cases = [  # model, free parameter, range, state on the vertical axis
    ("wilson_cowan_pyrates", "r_ext_e", (-1.0, 3.0), "re"),
    ("montbrio_pazo_roxin", "eta", (-10.0, 0.0), "r"),
    ("qif_sfa", "eta", (-10.0, 10.0), "r"),
    ("stuart_landau", "mu", (-1.0, 2.0), "x"),
    ("van_der_pol", "mu", (-1.0, 3.0), "x"),
]

fig, axes = plt.subplots(3, 2, figsize=(8, 9), layout="constrained")
for ax, (name, param, rng, y) in zip(axes.flat, cases):
    model = nma.get_model(name)
    tree = nma.continuation(model, param, p_range=rng)
    nma.plot.bifurcation(tree, y, ax)
    ax.set_title(name, fontsize="medium")
    sp = nma.special_points(tree)
    found = ", ".join(f"{t} at {param} = {float(v):.6g}" for t, v in
                      zip(sp["type"].values, sp[param].values)) or "no special points"
    print(f"{name:22s} {found}")
axes.flat[-1].axis("off")

# %%
# What the diagrams say
# ---------------------
# * The PyRates Wilson-Cowan template is bistable between two folds of its
#   excitatory drive ``r_ext_e``.
# * The QIF mean field (J = 15, Delta = 1) is bistable between two folds in
#   ``eta``: a low-rate node and a high-rate focus coexist there, with a saddle
#   between them. With spike-frequency adaptation the picture changes: see the
#   printed special points.
# * Stuart-Landau and Van der Pol lose stability at a Hopf point at ``mu = 0``;
#   for Stuart-Landau the printed first Lyapunov coefficient is negative
#   (supercritical, for the default ``b``), so a stable cycle of radius
#   ``sqrt(mu)`` is born there.
