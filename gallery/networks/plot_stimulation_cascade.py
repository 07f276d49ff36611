"""
Stimulating one region: a cascade through the connectome
=========================================================

A brief pulse into one cortical region of a network of bistable
Montbrió-Pazó-Roxin populations can switch that region to its active state,
and from there its neighbours, and theirs: a cascade that spreads along the
structural connectome at the pace of the conduction delays. We drive one node
of the 80-region ``hcp80`` network through the node model's input ``u``,
follow which regions are recruited and when, relate the recruitment times to
fibre lengths, and find the coupling gain above which a single pulse recruits
most of the cortex.
"""

# %%
# A bistable node, a network of them
# ----------------------------------
# With ``J = 15`` and ``Delta = 1`` a single population is bistable for
# ``eta`` between its two folds (continuation finds them in a fraction of a
# second). We set ``eta = -6``, just below the lower fold, where an isolated
# node has only its low state; coupled additively, ``eta_i + K sum_j W_ij
# r_j(t - D_ij)``, the resting activity of the others lifts every node into
# the bistable range.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("montbrio_pazo_roxin")
folds = nma.special_points(nma.continuation(model, "eta", p_range=(-10.0, 0.0)))
print("folds of one node at eta =", np.round(folds["eta"].values, 3))

conn = nma.load_connectome()
speed = 5.0                                          # mm/ms, 5 m/s
net = conn.network(model, speed=speed, coupling="additive", source="r", target="eta",
                   gain="K")
rest = {"r": 0.08, "v": -2.0}
base = {"eta": -6.0, "K": 4.0}
lift = base["K"] * conn.weights.sum(axis=1) * rest["r"]
print(f"coupling at rest lifts eta by {lift.min():.2f}-{lift.max():.2f}")

# %%
# One pulse into the left precentral gyrus
# ----------------------------------------
# Inputs of a network are given per node: a number or a signal for every node,
# a list with one per node, or a dict by node index or label, as here. The
# run without the pulse is the control: the rest state holds.
target = "Precentral_L"
pulse = nma.Pulse(amplitude=5.0, start=10.0, stop=20.0)
run = dict(t=(0.0, 200.0), dt=0.01, method="rk4", params=base, y0=rest, sampling=0.5)
control = nma.simulate(net, **run)
ds = nma.simulate(net, inputs={"u": {target: pulse}}, **run)
print("active regions at the end: control", int((control["r"][-1] > 0.5).sum()),
      "| stimulated", int((ds["r"][-1] > 0.5).sum()), "of", conn.n_nodes)

# %%
# Recruitment times
# -----------------
# A region is recruited when its rate first exceeds 0.5 (an isolated node's
# two stable states are near 0.08 and 1; in the network the active regions
# oscillate, driven through the delayed loops, with peaks far above 1). The
# raster shows every region's rate with the regions ordered by that time: a
# front that travels, not a simultaneous jump.
r = ds["r"].values                                  # (time, node)
t = ds["time"].values
above = r > 0.5
recruited = above.any(axis=0)
t_on = np.where(recruited, t[np.argmax(above, axis=0)], np.nan)
order = np.argsort(np.where(recruited, t_on, np.inf))

fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
im = ax.imshow(r[:, order].T, aspect="auto", origin="lower", cmap="magma", vmin=0.0, vmax=2.0,
               extent=(t[0], t[-1], -0.5, conn.n_nodes - 0.5), interpolation="nearest")
ax.axvspan(pulse.start, pulse.stop, color="tab:cyan", alpha=0.3, lw=0, label="pulse")
ax.set(xlabel="time (ms)", ylabel="region (by recruitment time)",
       title=f"pulse into {target}: {int(recruited.sum())} of {conn.n_nodes} regions recruited")
ax.legend(loc="lower right")
fig.colorbar(im, ax=ax, label="r", extend="max")

# %%
# Recruitment time and fibre length
# ---------------------------------
# Among the regions directly connected to the stimulated one, the weight
# decides more than the fibre length: the strongest neighbour follows within
# a few ms, weakly connected ones wait until several of their inputs are
# active, whatever their distance. Running the same network without delays
# shows what the delays cost: every region is recruited later with them, and
# the spread of recruitment times grows several-fold, because each step of the
# cascade waits for the signal to travel (delay = length / speed).
i0 = list(conn.labels).index(target)
no_delay = conn.network(model, coupling="additive", source="r", target="eta", gain="K")
ds0 = nma.simulate(no_delay, inputs={"u": {target: pulse}}, **run)
above0 = ds0["r"].values > 0.5
t_on0 = np.where(above0.any(axis=0), t[np.argmax(above0, axis=0)], np.nan)

direct = conn.weights[:, i0] > 0.05
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
ax = axes[0]
sc = ax.scatter(conn.lengths[:, i0][direct], t_on[direct] - pulse.start,
                c=conn.weights[:, i0][direct], cmap="viridis", s=25)
ax.set(xlabel=f"fibre length to {target} (mm)", ylabel="recruitment time after onset (ms)",
       title="regions directly connected (W > 0.05)")
fig.colorbar(sc, ax=ax, label=f"weight from {target}")
ax = axes[1]
both = recruited & np.isfinite(t_on0)
ax.plot(t_on0[both] - pulse.start, t_on[both] - pulse.start, "o", ms=4)
lim = [0, np.nanmax(t_on[both] - pulse.start) * 1.05]
ax.plot(lim, lim, "k--", lw=0.8, label="equal")
ax.set(xlabel="without delays (ms)", ylabel=f"with delays, {speed:g} m/s (ms)",
       title="recruitment time after onset")
ax.legend()
print(f"median recruitment after onset: {np.nanmedian(t_on - pulse.start):.1f} ms with delays, "
      f"{np.nanmedian(t_on0 - pulse.start):.1f} ms without")

# %%
# How strong must the coupling be?
# --------------------------------
# ``K`` swept in one call (one row per value, record="final"): below a
# threshold the pulse stays local (or even the stimulated region falls back),
# above it most of the cortex is recruited; far above it the rest state
# itself is lost, pulse or not (the control curve).
Ks = np.linspace(2.0, 7.0, 11)
sweep = dict(run, params={**base, "K": Ks}, record="final")
del sweep["sampling"]
final = nma.simulate(net, inputs={"u": {target: pulse}}, **sweep)
final_control = nma.simulate(net, **sweep)
fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
ax.plot(Ks, (final["r"] > 0.5).sum("node"), "o-", label="one pulse")
ax.plot(Ks, (final_control["r"] > 0.5).sum("node"), "s--", label="no pulse")
ax.set(xlabel="coupling gain K", ylabel="active regions at 200 ms",
       title="recruitment by a single pulse")
ax.legend()
plt.show()
