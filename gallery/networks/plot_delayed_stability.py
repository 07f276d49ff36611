"""
Stability of a delayed network equilibrium
==========================================

Two Wilson-Cowan populations, each a damped E-I oscillator on its own (a
stable focus), are coupled through one fibre of length 10 each way: the
excitatory population of each node drives the inhibitory population of the
other, with diffusive coupling of gain ``K``, after a conduction delay
``10 / speed``. Because diffusive coupling vanishes when both nodes are in the
same state, the equilibrium does not move with ``K`` or ``speed``; its
stability does. It is decided by the roots of the characteristic equation
``det(lambda I - A0 - A1 exp(-lambda tau)) = 0``, which ``fixed_points``,
``stability`` and ``continuation`` report for a network with delays in place
of Jacobian eigenvalues.
"""

# %%
# The network
# -----------
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm

import nmanalysis as nma
from nmanalysis.analysis.delay_stability import locate_hopf

node = nma.get_model("wilson_cowan").with_params(
    wEE=16.0, wIE=12.0, wEI=15.0, wII=3.0, aE=1.3, thE=4.0, aI=2.0, thI=3.7, IE=3.0)
W = np.array([[0.0, 1.0], [1.0, 0.0]])
net = nma.Network(node, W, distances=10.0 * W, speed=2.0, coupling="diffusive",
                  source="rE", target="II")
print(net)

# %%
# Rightmost characteristic root over gain and speed
# -------------------------------------------------
# One call sweeps both network parameters. ``eig_real`` holds the real parts
# of the rightmost roots (``n_roots`` of them), ``stable`` and ``n_unstable``
# come from all roots.
K = np.linspace(0.0, 3.0, 16)
speed = np.geomspace(0.5, 20.0, 16)
fp = nma.fixed_points(net, params={"K": K, "speed": speed}, n_roots=2)
print("equilibria per point:", np.unique(fp["n_fp"].values),
      "| roots confirmed everywhere:", bool(fp["roots_converged"].all()))
re = fp["eig_real"].isel(fp=0, eig=0).values            # (K, speed)
x_eq = np.array([float(fp[s].isel(K=0, speed=0, fp=0)) for s in net.state_names])

# %%
# The stability boundary is where a pair of roots crosses the imaginary axis.
# Between two grid values of ``K`` whose rightmost real parts differ in sign,
# Newton's method on ``Delta(i omega) v = 0`` finds the Hopf point exactly
# (dots); the thin line is the zero contour of the sampled map, which misses
# the finer wiggles of the boundary seen below.
hopf_K, hopf_s = [], []
for j, s in enumerate(speed):
    def system(k, s=s):
        return net.delay_linearization(x_eq, {"K": k, "speed": s})

    for i in np.flatnonzero(np.sign(re[:-1, j]) != np.sign(re[1:, j])):
        h = locate_hopf(system, K[i], K[i + 1], re[i, j], re[i + 1, j])
        if h is not None and h.converged:
            hopf_K.append(h.p)
            hopf_s.append(s)

fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
lim = np.nanmax(np.abs(re))
mesh = ax.pcolormesh(speed, K, re, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -lim, lim),
                     shading="nearest")
ax.plot(hopf_s, hopf_K, "k.", ms=6, label="Hopf points (Newton)")
ax.contour(speed, K, re, levels=[0.0], colors="k", linewidths=0.8)
ax.axhline(1.5, color="0.3", ls=":", lw=1)
ax.set_xscale("log")
ax.set_xlabel("conduction speed (delay = 10 / speed ms)")
ax.set_ylabel("coupling gain K")
ax.legend(loc="upper left", fontsize=8)
fig.colorbar(mesh, ax=ax, label="Re of rightmost characteristic root (1/ms)")
ax.set_title("stable (blue) and unstable (red) synchronous equilibrium")

# %%
# Stability switches along the speed
# ----------------------------------
# At ``K = 1.5`` (dotted line) the equilibrium gains and loses stability
# several times as the delay shrinks. Continuation in ``speed`` follows the
# (constant) equilibrium and locates every crossing; the delays of crossings
# with one frequency are spaced by ``pi / omega``, one family for each of the
# two frequencies.
tree = nma.continuation(net, "speed", p_range=(1.0, 20.0), params={"K": 1.5}, n_roots=4,
                        ds_max=0.05)
branch = tree["equilibria/branch_0"]
sp = nma.special_points(tree)
print(sp[["type", "speed", "angular_frequency"]].to_dataframe().to_string())

fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
ax.plot(branch["speed"], branch["eig_real"].isel(eig=0), "k", lw=1)
ax.plot(sp["speed"], np.zeros(sp.sizes["special"]), "o", mfc="w", mec="C3",
        label="Hopf points")
ax.axhline(0, color="0.6", lw=0.8)
ax.set_xscale("log")
ax.set_xlabel("conduction speed")
ax.set_ylabel("Re of rightmost root")
ax.legend(fontsize=8)

# %%
# Simulation on either side of the fastest Hopf point
# ---------------------------------------------------
# A small kick away from the equilibrium dies out on the stable side of the
# fastest Hopf speed and grows into an oscillation on the unstable side, at
# the rate of the rightmost root (``stability`` of the network at that state).
s_hb = float(sp["speed"].max())
kick = {"rE": [x_eq[0] + 1e-3, x_eq[0] - 1e-3], "rI": [x_eq[1], x_eq[1]]}
runs = nma.simulate(net, t=(0, 400), dt=0.05, method="rk4",
                    params={"K": 1.5, "speed": [0.75 * s_hb, 1.3 * s_hb]},
                    y0=kick, history=x_eq[[0, 2]], sampling=0.5)

fig, axes = plt.subplots(2, 1, figsize=(6.5, 4), sharex=True, layout="constrained")
for ax, s in zip(axes, runs["speed"].values):
    out = nma.stability(net, x_eq, {"K": 1.5, "speed": float(s)}, n_roots=2)
    for i in range(2):
        ax.plot(runs["time"], runs["rE"].sel(speed=s).isel(node=i), lw=0.8,
                label=f"node {i}")
    ax.set_ylabel("rE")
    ax.set_title(f"speed = {s:.2f}: {out['kind']}, rightmost root "
                 f"{out['eigenvalues'][0]:.3f} / ms", fontsize=9)
axes[0].legend(fontsize=8, loc="upper right")
axes[-1].set_xlabel("time (ms)")
plt.show()

# %%
# Equilibria of the whole connectome
# ----------------------------------
# Continuation works for a network of any size: ``F`` and its Jacobian are
# assembled from the compiled node model, so the 80 regions of the embedded
# connectome (160 states) are continued in seconds. Delays do not move
# equilibria, nor the branch points where a real root passes through zero, so
# the delay-free network shows them. With diffusive coupling every node in
# the same equilibrium of the uncoupled node is an equilibrium for every
# ``K``; here the middle (saddle) one of the default Wilson-Cowan node, with
# one unstable direction per node at ``K = 0``. Coupling removes them one
# Laplacian mode ``mu`` of the connectome (``L = diag(W 1) - W``) at a time,
# where ``det(A - K mu g e_rE^T) = 0`` (``A`` the node Jacobian, ``g`` the
# derivative in the input ``IE``), until only the synchronous mode is left.
# The circles are these values, the crosses the branch points located by the
# continuation: every isolated one is found; where several modes cross between
# two points of the branch (below ``K = 5``) the count drops by several at once.
conn = nma.load_connectome()
wc = nma.get_model("wilson_cowan")
brain = nma.Network(wc, conn.weights, coupling="diffusive", source="rE", target="IE")
fp1 = nma.fixed_points(wc)
ok = fp1["converged"].values
middle = np.argsort(fp1["rE"].values[ok])[1]
x_mid = np.array([fp1[s].values[ok][middle] for s in wc.state_names])
tree = nma.continuation(brain, "K", p_range=(0.0, 30.0), params={"K": 15.0},
                        start=np.tile(x_mid, brain.n_nodes), switch_branches=False)
branch = tree["equilibria/branch_0"]
sp = nma.special_points(tree)
print(f"{branch.sizes['point']} points, {sp.sizes['special']} branch points")

system = nma.compile.compile_model(wc)
p = system.parameter_vector(None, None, dict(wc.params))
A = system.jacobian(x_mid, p)
jp = np.empty((2, len(wc.param_names)))
system.jac_p(0.0, x_mid, p, jp)
g = jp[:, wc.param_names.index("IE")]
mu = np.linalg.eigvalsh(np.diag(conn.weights.sum(axis=1)) - conn.weights)[1:]
k_modes = 1.0 / (mu * np.linalg.solve(A, g)[0])

fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
ax.step(branch["K"], branch["n_unstable"], where="mid", color="k", lw=1)
ax.plot(k_modes, np.zeros_like(k_modes), "o", mfc="none", mec="C0", ms=5,
        label="Laplacian modes (closed form)")
ax.plot(sp["K"], np.zeros(sp.sizes["special"]), "x", color="C3",
        label="branch points (continuation)")
ax.set_xlim(0, 30)
ax.set_xlabel("coupling gain K")
ax.set_ylabel("unstable eigenvalues")
ax.set_title("80-region network, synchronous saddle equilibrium")
ax.legend(fontsize=8, loc="upper left")
plt.show()
