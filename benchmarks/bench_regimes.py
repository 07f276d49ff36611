"""Benchmark: Jansen-Rit regime maps over (p, C).

Run ``python benchmarks/bench_regimes.py`` (``--quick``: only the small map).
Prints wall times of ``regime_map`` for a 50 x 50 and a 200 x 200 grid (two
initial states per point, RK4 with dt = 1 ms, 4 s per trajectory of which 2 s
are analysed), after a warm-up that compiles and loads the kernels, and the
time of the bare simulation of the same trajectories (``simulate`` with
``record="final"``) as the baseline measured in the same run: the ratio is
the cost of recording and classifying. Target for the 200 x 200 map: <= 60 s
on two cores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the 50 x 50 map")
    args = ap.parse_args(argv)

    import xarray as xr

    import nmanalysis as nma
    from nmanalysis.analysis.regimes import regime_map

    model = nma.get_model("jansen_rit")
    opts = dict(t=(0, 4), transient=2, method="rk4", dt=1e-3, n_initial=2, progress=False)
    regime_map(model, {"p": np.linspace(0, 300, 4), "C": np.linspace(80, 250, 4)}, **opts)
    rows = []
    for n in ((50,) if args.quick else (50, 200)):
        params = {"p": np.linspace(-50, 350, n), "C": np.linspace(80, 260, n)}
        start = time.perf_counter()
        ds = regime_map(model, params, **opts)
        wall = time.perf_counter() - start
        # baseline: the same trajectories, integrated only
        P, C = np.meshgrid(params["p"], params["C"], indexing="ij")
        flat = {"p": xr.DataArray(np.repeat(P.ravel(), 2), dims="r"),
                "C": xr.DataArray(np.repeat(C.ravel(), 2), dims="r")}
        start = time.perf_counter()
        nma.simulate(model, t=(0, 4), dt=1e-3, method="rk4", params=flat, record="final",
                     progress=False)
        base = time.perf_counter() - start
        codes, counts = np.unique(ds["regime"].values, return_counts=True)
        rows.append((f"{n} x {n}", 2 * n * n, wall, base, dict(zip(codes.tolist(),
                                                                   counts.tolist()))))
    print("| grid | trajectories | regime_map [s] | simulate only [s] | ratio | regimes |")
    print("|---|---|---|---|---|---|")
    for name, traj, wall, base, reg in rows:
        print(f"| {name} | {traj} | {wall:.1f} | {base:.1f} | {wall / base:.1f} | {reg} |")


if __name__ == "__main__":
    main()
