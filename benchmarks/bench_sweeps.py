"""Sweep benchmarks: largest Lyapunov exponent and brute-force diagrams, against baselines.

Run ``python benchmarks/bench_sweeps.py`` (``--repeat N``, default 3; ``--quick``
for smaller problems). Prints a Markdown table; every speed is a ratio against
a baseline timed in the same process.

Cases
-----
a. ``largest_lyapunov`` on the Lorenz system (built from strings), 512
   trajectories x 20,000 RK4 steps (dt = 0.01, tangent renormalised every
   10 steps): rows/s against a straightforward hand-written numba loop of the
   same algorithm (Lorenz right-hand side and Jacobian written out, one
   trajectory per ``prange`` iteration). The two must agree to rounding.
b. ``brute_force_diagram`` on Wilson-Cowan (brainmass form), 201 values of
   ``IE`` x 2 directions x 2 starts, 6,000 RK4 steps per run: against one
   batched ``simulate`` of the same 804 runs started independently (the same
   integration work without the continuation), i.e. the price of running the
   sweep value by value.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from run import _best  # noqa: E402  (benchmarks/run.py, beside this script)


def _lorenz_model():
    import nmanalysis as nma
    return nma.Model(name="bench_lorenz", states={"x": 1.0, "y": 1.0, "z": 1.0},
                     params={"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0},
                     equations={"x": "sigma*(y - x)", "y": "x*(rho - z) - y",
                                "z": "x*y - beta*z"})


def _hand_lorenz():
    from numba import njit, prange

    @njit(cache=False, inline="always")
    def f(y, v, out_y, out_v):
        s, r, b = 10.0, 28.0, 8.0 / 3.0
        out_y[0] = s * (y[1] - y[0])
        out_y[1] = y[0] * (r - y[2]) - y[1]
        out_y[2] = y[0] * y[1] - b * y[2]
        out_v[0] = s * (v[1] - v[0])
        out_v[1] = (r - y[2]) * v[0] - v[1] - y[0] * v[2]
        out_v[2] = y[1] * v[0] + y[0] * v[1] - b * v[2]

    @njit(parallel=True, cache=False)
    def run(Y0, V0, dt, n_steps, renorm, out):
        for k in prange(Y0.shape[1]):
            y = Y0[:, k].copy()
            v = V0[:, k].copy()
            v /= math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
            K = np.empty((4, 3))
            KV = np.empty((4, 3))
            ys = np.empty(3)
            vs = np.empty(3)
            acc = 0.0
            for q in range(n_steps):
                for s in range(4):
                    c = 0.0 if s == 0 else (dt if s == 3 else 0.5 * dt)
                    for i in range(3):
                        ys[i] = y[i] + (c * K[s - 1, i] if s > 0 else 0.0)
                        vs[i] = v[i] + (c * KV[s - 1, i] if s > 0 else 0.0)
                    f(ys, vs, K[s], KV[s])
                for i in range(3):
                    y[i] += dt / 6 * (K[0, i] + 2 * K[1, i] + 2 * K[2, i] + K[3, i])
                    v[i] += dt / 6 * (KV[0, i] + 2 * KV[1, i] + 2 * KV[2, i] + KV[3, i])
                if (q + 1) % renorm == 0 or q + 1 == n_steps:
                    nrm = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
                    acc += math.log(nrm)
                    v /= nrm
            out[k] = acc / (n_steps * dt)

    return run


def bench_lyapunov(n_rows, n_steps, repeat):
    from nmanalysis.analysis.lyapunov import _initial_tangents, largest_lyapunov

    model = _lorenz_model()
    dt = 0.01
    x0 = np.linspace(-5.0, 5.0, n_rows)
    kw = dict(y0={"x": x0}, t=(0, n_steps * dt), dt=dt, renorm_every=10 * dt, seed=0,
              progress=False)
    largest_lyapunov(model, **{**kw, "y0": {"x": x0[:2]}, "t": (0, 10 * dt)})   # warm
    t_nma = _best(lambda: largest_lyapunov(model, **kw), repeat)
    lam = largest_lyapunov(model, **kw)["lyapunov"].values

    run = _hand_lorenz()
    Y0 = np.vstack([x0, np.ones(n_rows), np.ones(n_rows)])
    V0 = np.ascontiguousarray(_initial_tangents(3, 1, n_rows, 0)[:, 0, :])
    out = np.empty(n_rows)
    run(Y0[:, :2].copy(), V0[:, :2].copy(), dt, 10, 10, out[:2])
    t_hand = _best(lambda: run(Y0, V0, dt, n_steps, 10, out), repeat)
    # chaos amplifies rounding differences: compare the ensemble means
    agree = abs(float(np.mean(lam)) - float(np.mean(out)))
    return {"t_nma": t_nma, "t_hand": t_hand, "rows_nma": n_rows / t_nma,
            "rows_hand": n_rows / t_hand, "agree": agree, "mean": float(np.mean(lam))}


def bench_brute_force(n_values, repeat):
    import xarray as xr

    import nmanalysis as nma
    from nmanalysis.analysis.sweeps import brute_force_diagram

    model = nma.get_model("wilson_cowan")
    ie = np.linspace(-1.5, 1.5, n_values)
    y0 = {"rE": [0.0, 0.5], "rI": [0.0, 0.3]}
    kw = dict(t=(0, 60), dt=0.01, progress=False)
    brute_force_diagram(model, "IE", ie[:2], y0=y0, **kw)                       # warm
    t_bf = _best(lambda: brute_force_diagram(model, "IE", ie, y0=y0, **kw), repeat)
    rows = 4 * n_values
    p = xr.DataArray(np.tile(ie, 4), dims="row")
    ys = {"rE": xr.DataArray(np.repeat([0.0, 0.5, 0.0, 0.5], n_values), dims="row"),
          "rI": xr.DataArray(np.repeat([0.0, 0.3, 0.0, 0.3], n_values), dims="row")}
    t_sim = _best(lambda: nma.simulate(model, params={"IE": p}, y0=ys, transient=30,
                                       record=["minmax", "mean", "final"], **kw), repeat)
    return {"t_bf": t_bf, "t_sim": t_sim, "rows": rows, "per_value": t_bf / n_values}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    n_rows, n_steps, n_values = (64, 5000, 51) if args.quick else (512, 20_000, 201)

    print("| case | nmanalysis (warm) | baseline | ratio | note |")
    print("| --- | --- | --- | --- | --- |")
    ly = bench_lyapunov(n_rows, n_steps, args.repeat)
    print(f"| a. largest_lyapunov, Lorenz {n_rows} rows x {n_steps} RK4 steps | "
          f"{ly['t_nma']:.3f} s ({ly['rows_nma']:.0f} rows/s) | hand numba prange "
          f"{ly['t_hand']:.3f} s ({ly['rows_hand']:.0f} rows/s) | "
          f"{ly['t_hand'] / ly['t_nma']:.2f} | mean lambda {ly['mean']:.4f}, "
          f"|diff of means| {ly['agree']:.1e} |")
    bf = bench_brute_force(n_values, args.repeat)
    print(f"| b. brute_force_diagram, Wilson-Cowan {n_values} values x 2 dirs x 2 starts | "
          f"{bf['t_bf']:.3f} s ({1e3 * bf['per_value']:.1f} ms/value) | one batched simulate "
          f"of the {bf['rows']} runs {bf['t_sim']:.3f} s | {bf['t_sim'] / bf['t_bf']:.2f} | "
          f"sequential continuation cost |")


if __name__ == "__main__":
    main()
