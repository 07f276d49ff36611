"""
Wilson-Cowan: two readings of one model, two diagrams
=====================================================

The Wilson-Cowan model of nmanalysis follows the code of brainmass's
``WilsonCowanStep``, in which ``wIE`` is the weight from the inhibitory to the
excitatory population and ``wEI`` the weight from the excitatory to the
inhibitory one. The class's docstring writes the equations with the two names
the other way round. With the same numbers (``wEI = 13``, ``wIE = 4``) the two
readings are different models, and continuation in the input ``IE`` shows by
how much: both are bistable, but between different folds.
"""

# %%
# The two variants
# ----------------
# ``variant="docstring"`` builds the model as the docstring writes it. Only
# the excitatory equation is printed here; the inhibitory one swaps its weight
# in the same way.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

models = {"code": nma.get_model("wilson_cowan"),
          "docstring": nma.get_model("wilson_cowan", variant="docstring")}
for label, model in models.items():
    print(f"{label:9}  drE/dt = {model.equations['rE']}")
print("weights:", {k: models["code"].params[k] for k in ("wEE", "wIE", "wEI", "wII")})

# %%
# Continuation in the input to E
# ------------------------------
# Each diagram is one call. Both variants have a single branch that folds
# twice: an S-shaped curve whose middle part, between the two folds (LP), is a
# saddle. Between the folds a quiet and an active state coexist.
trees = {label: nma.continuation(model, "IE", p_range=(-2, 2))
         for label, model in models.items()}
for label, tree in trees.items():
    sp = nma.special_points(tree)
    folds = ", ".join(f"{float(v):.7f}" for v in sp["IE"].values)
    print(f"{label:9}  {sp['type'].values.tolist()} at IE = {folds}")

# %%
# The diagrams side by side
# -------------------------
fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained", sharey=True)
for ax, (label, tree) in zip(axes, trees.items()):
    nma.plot.bifurcation(tree, "rE", ax=ax)
    sp = nma.special_points(tree)
    lo, hi = sorted(float(v) for v in sp["IE"].values)
    ax.axvspan(lo, hi, color="0.92", zorder=0)
    ax.set_title(f"{label}: bistable for {lo:.3f} < IE < {hi:.3f}", fontsize=10)
axes[1].set_ylabel("")

# %%
# What differs
# ------------
# The code's model is bistable for -0.51097 < IE < 0.28335, the docstring's
# for -0.81042 < IE < 0.27526. The right fold, where the quiet state ends, is
# almost the same: the quiet state has little activity, so the two swapped
# weights (4 and 13) matter little there. The left fold, where the active
# state ends, moves by 0.3: in the code's reading the inhibitory population
# is driven by E with weight 13 and feeds back with weight 4; in the
# docstring's it is driven with weight 4 and feeds back with weight 13.
#
# So the active state looks different too. Its inhibitory activity at the
# left fold is five times smaller in the docstring's reading (weak drive of
# I), while its excitatory activity is about the same:
for label, tree in trees.items():
    sp = nma.special_points(tree)
    k = int(np.argmin(sp["IE"].values))
    print(f"{label:9}  left fold at IE = {float(sp['IE'][k]):.5f}: "
          f"rE = {float(sp['rE'][k]):.4f}, rI = {float(sp['rI'][k]):.4f}")

# %%
# Anyone reproducing a result of this model should check which of the two
# was meant: the fold values above tell them apart. On the command line,
# ``nmanalysis diagram wilson_cowan --free IE --range -2 2`` and the same with
# ``--variant docstring`` print both tables.
