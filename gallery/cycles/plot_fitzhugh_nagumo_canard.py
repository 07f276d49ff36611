"""
FitzHugh-Nagumo: the canard explosion
=====================================

Both Hopf points of the FitzHugh-Nagumo neuron are subcritical: the small
cycles born there are unstable. Following them with
:func:`nmanalysis.continuation` (``cycles=True``) shows what happens next:
within a parameter interval far below 1e-6 wide the cycle grows from small
to full relaxation oscillation (a *canard explosion*), passing a fold of
cycles where it becomes stable.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("fitzhugh_nagumo")
tree = nma.continuation(model, "I", p_range=(0, 2), cycles=True,
                        cycle_options={"store_orbits": True})
sp = nma.special_points(tree)
for k in range(sp.sizes["special"]):
    row = sp.isel(special=k)
    print(f"{str(row['type'].values):4} I = {float(row['I']):.10f}  period "
          f"{float(row['period']):8.4f}")
branch = tree["periodic/branch_0"].to_dataset()
print(f"one branch joins the Hopf points: {branch.sizes['point']} orbits; "
      f"{branch.attrs['stop_reason']}")

# %%
# The diagram: equilibrium (black), cycles (orange, max/min of ``v``)
# -------------------------------------------------------------------------
# The cycle branch leaves each Hopf point unstable (dashed), and almost
# vertically the amplitude jumps while ``I`` stays at the fold of cycles
# (LPC) near 0.3241785 and 1.4258215.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
nma.plot.bifurcation(tree, "v", ax=axes[0])
axes[0].set_title("equilibria and cycles")
nma.plot.period(tree, ax=axes[1])
axes[1].set_title("period along the cycle branch")

# %%
# Inside the explosion
# --------------------
# All orbits of the explosion sit at the same ``I`` to many digits; their
# shapes show the canard: the orbit follows the *unstable* middle part of the
# cubic nullcline before jumping.
near = np.where(np.abs(branch["I"].values - 0.3241785225) < 1e-6)[0]
print(f"{near.size} orbits with |I - 0.3241785225| < 1e-6, periods "
      f"{branch['period'].values[near].min():.2f} .. {branch['period'].values[near].max():.2f}")
pick = near[np.linspace(0, near.size - 1, 7).round().astype(int)]
fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
nma.plot.orbit(branch, "v", "w", points=pick, ax=ax)
v = np.linspace(-2.2, 2.2, 200)
ax.plot(v, v - v**3 / 3 + float(branch["I"][pick[0]]), color="0.6", lw=1,
        label="v-nullcline")
ax.legend(fontsize="x-small", loc="upper left")
ax.set_title("canard orbits at the fold of cycles")

# %%
# The precision check reports the discretisation error honestly: inside the
# explosion the orbits are extremely sensitive (multipliers up to e^100 along
# the repelling slow manifold), and the trivial multiplier moves away from 1;
# more mesh intervals (``cycle_options={"ntst": 150}``) shrink it.
err = branch["trivial_multiplier_error"].values
print(f"|trivial multiplier - 1|: median {np.median(err):.1e}, max {err.max():.1e}")
