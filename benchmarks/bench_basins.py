"""Benchmark of ``basin_map`` against baselines timed in the same run.

Run ``python benchmarks/bench_basins.py`` (``--quick`` stops at 300 x 300).
Prints a Markdown table.

Case: the brainmass Wilson-Cowan model at IE = 0 (bistable: a quiet and an
active stable node and a saddle between them), initial states on an N x N grid
of (rE, rI) in [0, 1] x [0, 0.8], N = 100, 300, 1000.

* ``basin_map``: warm kernels, whole call (equilibria, step choice, the
  early-stopping kernel over both cores, assembling the DataTree).
* baseline (a): a straightforward batched numba loop without early stopping:
  ``prange`` over trajectories, the right-hand side written out with
  ``np.exp``, the same RK4 step ``dt`` and the same ``t_max`` as ``basin_map``,
  then the final state labelled by the nearest stable equilibrium.
* baseline (b): nmanalysis's own batched SIMD driver without early stopping,
  ``simulate(..., record="final")`` over the same initial states and span.

Agreement: fraction of grid points where baseline (a) and ``basin_map`` give
different labels (they can differ only on points whose trajectory had not
settled at ``t_max``).

Targets: 1000 x 1000 in <= 10 s warm; trajectories/s >= 5x baseline (a).
"""

from __future__ import annotations

import argparse
import os
import platform

import numpy as np
from _timing import best_time


def _baseline_kernel():
    from numba import njit, prange

    wEE, wIE, wEI, wII = 12.0, 4.0, 13.0, 11.0
    aE, aI, thE, thI, r, II = 1.2, 1.0, 2.8, 4.0, 1.0, 0.0
    cE = 1.0 / (1.0 + np.exp(aE * thE))
    cI = 1.0 / (1.0 + np.exp(aI * thI))

    @njit(cache=False)
    def f(e, i, ie):
        fe = 1 / (1 + np.exp(-aE * (wEE * e - wIE * i + ie - thE))) - cE
        fi = 1 / (1 + np.exp(-aI * (wEI * e - wII * i + II - thI))) - cI
        return -e + (1 - r * e) * fe, -i + (1 - r * i) * fi

    @njit(parallel=True, cache=False)
    def run(rE0, rI0, ie, dt, n_steps, eq, out):
        for k in prange(rE0.shape[0]):
            e, i = rE0[k], rI0[k]
            for _ in range(n_steps):
                k1e, k1i = f(e, i, ie)
                k2e, k2i = f(e + 0.5 * dt * k1e, i + 0.5 * dt * k1i, ie)
                k3e, k3i = f(e + 0.5 * dt * k2e, i + 0.5 * dt * k2i, ie)
                k4e, k4i = f(e + dt * k3e, i + dt * k3i, ie)
                e += dt / 6 * (k1e + 2 * k2e + 2 * k3e + k4e)
                i += dt / 6 * (k1i + 2 * k2i + 2 * k3i + k4i)
            best, lab = np.inf, -1
            for q in range(eq.shape[0]):
                d = max(abs(e - eq[q, 0]), abs(i - eq[q, 1]))
                if d < best:
                    best, lab = d, q
            out[k] = lab

    return run


def _best(fn, repeat):
    return best_time(fn, repeat)



def bench(sizes, repeat):
    import nmanalysis as nma
    from nmanalysis.analysis.basins import basin_map

    model = nma.get_model("wilson_cowan")
    params = {"IE": 0.0}

    def grid(N):
        return {"rE": np.linspace(0.0, 1.0, N), "rI": np.linspace(0.0, 0.8, N)}

    basin_map(model, grid(20), params=params, progress=False)        # warm kernels
    run = _baseline_kernel()
    rows = []
    for N in sizes:
        t_bm, bm = _best(lambda: basin_map(model, grid(N), params=params,
                                               progress=False), repeat)
        dt, t_max = bm.attrs["dt"], bm.attrs["t_max"]
        n_steps = int(np.ceil(t_max / dt))
        cat = bm["attractors"]
        eq = np.column_stack([cat["rE_point"].values, cat["rI_point"].values])
        g = grid(N)
        RI, RE = np.meshgrid(g["rI"], g["rE"], indexing="ij")     # dims (rI, rE) as basin_map
        rE0, rI0 = RE.ravel().copy(), RI.ravel().copy()
        out = np.empty(rE0.size, np.int64)
        run(rE0[:4], rI0[:4], 0.0, dt, 2, eq, out[:4])               # compile
        t_a, _ = _best(lambda: run(rE0, rI0, 0.0, dt, n_steps, eq, out), repeat)
        disagree = float(np.mean(out != bm["attractor"].values.ravel()))
        y0 = {"rE": nma_da(rE0), "rI": nma_da(rI0)}
        t_b, _ = _best(lambda: nma.simulate(model, t=(0.0, n_steps * dt), dt=dt, method="rk4",
                                            params=params, y0=y0, record="final",
                                            progress=False), repeat)
        B = N * N
        mean_t = float(np.nanmean(bm["time_to_converge"].values))
        rows.append(dict(N=N, t_bm=t_bm, t_a=t_a, t_b=t_b, rate_bm=B / t_bm, rate_a=B / t_a,
                         rate_b=B / t_b, disagree=disagree, dt=dt, t_max=t_max,
                         mean_t=mean_t, undecided=float(np.mean(bm["attractor"].values < 0))))
    return rows


def nma_da(values):
    import xarray as xr
    return xr.DataArray(values, dims="traj")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes 100 and 300 only")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    sizes = (100, 300) if args.quick else (100, 300, 1000)
    rows = bench(sizes, args.repeat)
    print(f"# basin_map benchmark ({platform.processor() or platform.machine()}, "
          f"{len(os.sched_getaffinity(0))} cores; best of {args.repeat})\n")
    print("Wilson-Cowan (brainmass form), IE = 0, grid N x N over [0, 1] x [0, 0.8]; "
          f"dt = {rows[0]['dt']:g}, t_max = {rows[0]['t_max']:.4g}\n")
    print("| N x N | basin_map [s] | traj/s | (a) numba loop, no early stop [s] | traj/s "
          "| speed-up vs (a) | (b) simulate final [s] | speed-up vs (b) | labels differing "
          "from (a) | mean time to converge | undecided |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['N']} x {r['N']} | {r['t_bm']:.2f} | {r['rate_bm']:.3g} | {r['t_a']:.2f} "
              f"| {r['rate_a']:.3g} | {r['rate_bm'] / r['rate_a']:.1f}x | {r['t_b']:.2f} "
              f"| {r['rate_bm'] / r['rate_b']:.1f}x | {r['disagree']:.2e} | {r['mean_t']:.3g} "
              f"| {r['undecided']:.2e} |")
    big = rows[-1]
    print(f"\ntarget: {big['N']} x {big['N']} in <= 10 s warm: "
          f"{'met' if big['t_bm'] <= 10 else 'NOT met'} ({big['t_bm']:.2f} s); "
          f">= 5x baseline (a): {'met' if big['rate_bm'] >= 5 * big['rate_a'] else 'NOT met'}")


if __name__ == "__main__":
    main()
