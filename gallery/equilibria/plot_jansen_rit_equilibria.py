"""
Jansen-Rit equilibria along the input rate
==========================================

The Jansen-Rit column has six states. Along its external input rate ``p``
the equilibria form an S-shaped curve with two folds (p = -41.3 and 113.6),
and their stability changes at three Hopf points. A sweep of
:func:`nmanalysis.fixed_points` finds every equilibrium at each value and
classifies it from the eigenvalues of the exact Jacobian.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("jansen_rit")
fp = nma.fixed_points(model, params={"p": np.linspace(-100, 400, 251)})

# %%
# The pyramidal potential ``y1 - y2`` at every equilibrium
# --------------------------------------------------------
# We add it as a new variable and plot it against ``p``: solid where the
# equilibrium is stable, dashed where it is not.
fp["v_pc"] = (fp["y1"] - fp["y2"]).assign_attrs(long_name="pyramidal potential y1 - y2",
                                                units="mV")
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
nma.plot.equilibria(fp, "v_pc", ax)
ax.set_title("Jansen-Rit equilibria")

# %%
# Where do the kinds change?
# --------------------------
# Listing the kinds of the equilibria at a few input rates shows the stable
# focus losing stability (becoming a saddle-focus or unstable focus) between
# the Hopf points.
for p in (-50.0, 0.0, 100.0, 200.0, 350.0):
    at = fp.sel(p=p, method="nearest")
    kinds = [str(k) for k in at["kind"].values if k]
    print(f"p = {float(at['p']):6.1f}: {len(kinds)} equilibria: {', '.join(kinds)}")
