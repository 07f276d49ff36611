"""
Regimes of a delayed brain network over coupling and conduction speed
=====================================================================

Where in the plane of global coupling ``K`` and conduction speed does a
network of neural masses rest, oscillate in step, or fluctuate without a
period? ``regime_map`` answers for a :class:`~nmanalysis.Network` as it does
for a single model: every grid point is integrated from a few initial states
(here by the delayed integrator, since fibre lengths make the equations
delay equations), each trajectory is classified from its samples, and the
attractors found are counted and coded.

We take the 16 frontal regions of the ``hcp80`` connectome, each a
Wilson-Cowan population pair that is a damped oscillator on its own (a stable
focus), coupled diffusively from the excitatory rate ``rE`` of one region to
the inhibitory input ``II`` of another after the conduction delay
``length / speed``.
"""

# %%
# The sub-network
# ---------------
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

conn = nma.load_connectome()
idx = np.arange(16)                                   # frontal regions, left and right
W = conn.weights[np.ix_(idx, idx)]
W = W / W.sum(axis=1).mean()                          # mean in-strength 1
lengths = conn.lengths[np.ix_(idx, idx)]
node = nma.get_model("wilson_cowan").with_params(
    wEE=16.0, wIE=12.0, wEI=15.0, wII=3.0, aE=1.3, thE=4.0, aI=2.0, thI=3.7, IE=3.0)
net = nma.Network(node, W, distances=lengths, speed=5.0, coupling="diffusive",
                  source="rE", target="II", labels=[conn.labels[i] for i in idx])
print(net)
print(f"fibre lengths {lengths[lengths > 0].min():.0f}-{lengths.max():.0f} mm")

# %%
# The regime map
# --------------
# Two initial states per grid point: the node model's state in every region,
# and one independent random draw per region (``n_initial=2``; more find more
# coexisting attractors). Heun steps of 0.1 ms, half of the 1 s run discarded;
# the samples keep every step, since the oscillations here last 3-5 ms and the
# classification interpolates between samples.
K = np.linspace(0.0, 3.0, 12)
speed = np.geomspace(1.0, 20.0, 12)                   # mm/ms = m/s
ds = nma.regime_map(net, params={"K": K, "speed": speed}, t=(0, 1000), dt=0.1,
                    method="heun", n_initial=2)
codes, counts = np.unique(ds["regime"].values, return_counts=True)
meaning = dict(zip(ds["regime"].attrs["flag_values"],
                   ds["regime"].attrs["flag_meanings"].split()))
print({meaning[c]: int(n) for c, n in zip(codes, counts)})

# %%
# Weak coupling leaves the rest state of every region stable. Above a
# threshold that depends little on the speed, the delayed loops destabilise it:
# with fast conduction (short delays) the network settles on one limit cycle;
# with slow conduction (delays of 12 to 200 ms, many times the 3-6 ms period)
# the regions oscillate with drifting phases and the network state never
# repeats within the run: irregular, a sustained oscillation without a period. Points whose trajectories had not settled are
# undecided, never guessed.
fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), layout="constrained",
                         gridspec_kw={"width_ratios": [1.35, 1]})
nma.plot.regime_map(ds, ax=axes[0], x="speed", y="K")
axes[0].set_xscale("log")
axes[0].set(xlabel="conduction speed (m/s)", title="regime")
mesh = axes[1].pcolormesh(speed, K, 1e3 * ds["frequency"].transpose("K", "speed"),
                          shading="nearest", cmap="viridis")
axes[1].set_xscale("log")
axes[1].set(xlabel="conduction speed (m/s)", ylabel="coupling gain K",
            title="frequency of the cycle")
fig.colorbar(mesh, ax=axes[1], label="Hz")

# %%
# Two points of the map
# ---------------------
# The excitatory rates of all 16 regions at strong coupling: a common period
# with fast conduction, and a slowly drifting, irregular envelope with slow
# conduction.
runs = nma.simulate(net, t=(0, 600), dt=0.1, method="heun",
                    params={"K": 3.0, "speed": [20.0, 1.0]}, transient=500)
fig, axes = plt.subplots(2, 1, figsize=(7, 3.8), sharex=True, layout="constrained")
for ax, s in zip(axes, runs["speed"].values):
    ax.plot(runs["time"], runs["rE"].sel(speed=s), lw=0.6)
    code = int(ds["regime"].sel(K=3.0, speed=s, method="nearest"))
    ax.set_title(f"speed {s:g} m/s: {meaning[code].replace('_', ' ')}", fontsize=9)
    ax.set_ylabel("rE")
axes[1].set_xlabel("time (ms)")
