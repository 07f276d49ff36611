"""Benchmarks of nmanalysis against baselines measured in the same run.

Run ``python benchmarks/run.py`` (``--quick`` for a smaller problem). Prints a
Markdown table; every speed is a ratio against a baseline timed in the same
process on the same machine, never an absolute target.

Cases
-----
1. Batched Wilson-Cowan (brainmass form), 1e5 parameter sets x 1e4 Euler
   steps, ``record="minmax"``, float64: node-steps/s of ``simulate`` against
   (a) a straightforward hand-written numba kernel with ``np.exp`` (one
   trajectory per ``prange`` iteration, min/max kept), (b) a hand-written SIMD
   numba kernel (blocks of 256 trajectories, the vectorisable logistic, one
   fused pass per step; timed interleaved with ``simulate``, target: at least
   0.75 of its speed), (c) a loop of scipy ``solve_ivp`` (RK45) over
   trajectories, extrapolated from a sample.
2. Whole-process times with a warm cache of ``nmanalysis simulate
   wilson_cowan`` (target <= 0.8 s) and ``nmanalysis diagram jansen_rit --free p
   --range -100 400`` (target <= 2 s), see ``bench_startup.py``; ``simulate``
   with a cold kernel cache.
3. ``import nmanalysis`` time (fresh interpreter).
4. ``fixed_points`` on Wilson-Cowan, 110 values of IE over 0-5.5, all
   equilibria with eigenvalues, against a scipy ``fsolve`` multi-start loop
   (the same 64 starts per value, de-duplicated, eigenvalues by numpy); and
   the growth of the cost to 1e4 sweep points.
5. ``continuation``: each library model's equilibrium diagram (all special
   points located, l1 computed), warm in-process and cold (empty kernel
   cache, whole process), next to AUTO-07p's time on this machine for the
   same diagram (from the reference files; AUTO's figure for Wilson-Cowan
   includes two-parameter curves and for Jansen-Rit its periodic branches).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
from _timing import best_time


def _hand_kernel():
    from numba import njit, prange

    @njit(parallel=True, cache=False)
    def run(ie, n_steps, dt, out_min, out_max):
        wEE, wIE, wEI, wII = 12.0, 4.0, 13.0, 11.0
        aE, aI, thE, thI, r, tauE, tauI, II = 1.2, 1.0, 2.8, 4.0, 1.0, 1.0, 1.0, 0.0
        for k in prange(ie.shape[0]):
            rE, rI = 0.1, 0.05
            mn, mx = rE, rE
            for _ in range(n_steps):
                xE = wEE * rE - wIE * rI + ie[k]
                xI = wEI * rE - wII * rI + II
                fE = 1 / (1 + np.exp(-aE * (xE - thE))) - 1 / (1 + np.exp(aE * thE))
                fI = 1 / (1 + np.exp(-aI * (xI - thI))) - 1 / (1 + np.exp(aI * thI))
                dE = (-rE + (1 - r * rE) * fE) / tauE
                dI = (-rI + (1 - r * rI) * fI) / tauI
                rE += dt * dE
                rI += dt * dI
                mn = min(mn, rE)
                mx = max(mx, rE)
            out_min[k] = mn
            out_max[k] = mx

    return run


def _hand_simd_kernel():
    """The same loop written for SIMD by hand: blocks of 256 trajectories (parameter set
    innermost, so one vector instruction advances 4 of them), state and min/max held in
    block arrays, the vectorisable logistic of ``nmanalysis.compile.fastmath``, one fused
    pass per step (right-hand side, Euler update, min/max), constants folded."""
    from numba import njit, prange

    from nmanalysis.compile.fastmath import fsigmoid

    @njit(parallel=True, cache=False, error_model="numpy")
    def run(ie, n_steps, dt, out_min, out_max):
        wEE, wIE, wEI, wII = 12.0, 4.0, 13.0, 11.0
        aE, aI, thE, thI, r, tauE, tauI, II = 1.2, 1.0, 2.8, 4.0, 1.0, 1.0, 1.0, 0.0
        cE = fsigmoid(-aE * thE)
        cI = fsigmoid(-aI * thI)
        m = 256
        n_blocks = (ie.shape[0] + m - 1) // m
        for blk in prange(n_blocks):
            lo = blk * m
            w = min(m, ie.shape[0] - lo)
            rE = np.full(w, 0.1)
            rI = np.full(w, 0.05)
            mn = np.full(w, 0.1)
            mx = np.full(w, 0.1)
            inp = ie[lo:lo + w].copy()
            for _ in range(n_steps):
                for b in range(w):
                    e, i = rE[b], rI[b]
                    fE = fsigmoid(aE * (wEE * e - wIE * i + inp[b] - thE)) - cE
                    fI = fsigmoid(aI * (wEI * e - wII * i + II - thI)) - cI
                    e = e + dt * ((-e + (1 - r * e) * fE) / tauE)
                    rI[b] = i + dt * ((-i + (1 - r * i) * fI) / tauI)
                    rE[b] = e
                    mn[b] = np.minimum(mn[b], e)
                    mx[b] = np.maximum(mx[b], e)
            out_min[lo:lo + w] = mn
            out_max[lo:lo + w] = mx

    return run


def _wc_numpy(y, i):
    """The Wilson-Cowan right-hand side (default parameters) in plain numpy, for scipy."""
    rE, rI = y
    xE = 12.0 * rE - 4.0 * rI + i
    xI = 13.0 * rE - 11.0 * rI
    with np.errstate(over="ignore"):
        fE = 1 / (1 + np.exp(-1.2 * (xE - 2.8))) - 1 / (1 + np.exp(1.2 * 2.8))
        fI = 1 / (1 + np.exp(-(xI - 4.0))) - 1 / (1 + np.exp(4.0))
    return [-rE + (1 - rE) * fE, -rI + (1 - rI) * fI]


def _best(fn, repeat):
    return best_time(fn, repeat)[0]



def bench_batch(n_sets, n_steps, repeat):
    import nmanalysis as nma

    model = nma.get_model("wilson_cowan")
    ie = np.linspace(0.0, 5.5, n_sets)
    dt = 0.01
    kw = dict(t=(0, n_steps * dt), dt=dt, method="euler", record="minmax", progress=False)
    nma.simulate(model, params={"IE": ie[:64]}, **{**kw, "t": (0, 10 * dt)})   # warm kernels
    t_nma = _best(lambda: nma.simulate(model, params={"IE": ie}, **kw), repeat)
    pick = slice(None, None, max(1, n_sets // 500))
    ds = nma.simulate(model, params={"IE": ie[pick]}, **kw)

    run = _hand_kernel()
    mn, mx = np.empty(n_sets), np.empty(n_sets)
    run(ie[:8], 10, dt, mn[:8], mx[:8])
    t_hand = _best(lambda: run(ie, n_steps, dt, mn, mx), repeat)
    agree = float(max(np.max(np.abs(mx[pick] - ds["rE_max"].values)),
                      np.max(np.abs(mn[pick] - ds["rE_min"].values))))
    simd = _hand_simd_kernel()
    simd(ie[:8], 10, dt, mn[:8], mx[:8])
    t_simd, t_nma2, ratios = np.inf, np.inf, []
    for _ in range(repeat):         # interleaved: the ratio is taken under the same load
        a = _best(lambda: simd(ie, n_steps, dt, mn, mx), 1)
        b = _best(lambda: nma.simulate(model, params={"IE": ie}, **kw), 1)
        t_simd, t_nma2 = min(t_simd, a), min(t_nma2, b)
        ratios.append(a / b)
    t_nma = min(t_nma, t_nma2)
    agree = max(agree, float(max(np.max(np.abs(mx[pick] - ds["rE_max"].values)),
                                 np.max(np.abs(mn[pick] - ds["rE_min"].values)))))

    from scipy.integrate import solve_ivp

    def f(t, y, i):
        return _wc_numpy(y, i)

    n_sample = 20
    t0 = time.perf_counter()
    for i in ie[:: max(1, n_sets // n_sample)][:n_sample]:
        solve_ivp(f, (0, n_steps * dt), [0.1, 0.05], args=(i,), method="RK45")
    t_scipy = (time.perf_counter() - t0) / n_sample * n_sets

    work = n_sets * n_steps
    return {"nma": work / t_nma, "hand": work / t_hand, "scipy": work / t_scipy,
            "simd": work / t_simd, "t_simd": t_simd, "simd_ratio": t_simd / t_nma,
            "simd_ratio_median": float(np.median(ratios)),
            "t_nma": t_nma, "t_hand": t_hand, "t_scipy": t_scipy, "agree": agree}


def _process_time(args, env, repeat):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def bench_cli(repeat):
    """Warm whole-process rows (bench_startup.py) and the cold ``simulate`` time."""
    from bench_startup import bench_commands

    rows = bench_commands(repeat)
    exe = [sys.executable, "-m", "nmanalysis", "simulate", "wilson_cowan", "--quiet"]
    with tempfile.TemporaryDirectory() as cold_dir:
        env_cold = dict(os.environ, NMANALYSIS_CACHE_DIR=cold_dir)
        cold = _process_time(exe, env_cold, 1)
    return rows, cold


def bench_import(repeat):
    code = "import time; t=time.perf_counter(); import nmanalysis; print(time.perf_counter()-t)"
    best = np.inf
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True)
        best = min(best, float(out.stdout.strip()))
    return best


def bench_fixed_points(repeat):
    import nmanalysis as nma
    from scipy.optimize import fsolve

    model = nma.get_model("wilson_cowan")
    ie = np.linspace(0.0, 5.5, 110)
    nma.fixed_points(model, params={"IE": ie[:3]})                        # warm kernels
    t_nma = _best(lambda: nma.fixed_points(model, params={"IE": ie}), repeat)
    fp = nma.fixed_points(model, params={"IE": ie})

    F = _wc_numpy

    rng = np.random.default_rng(0)
    starts = rng.uniform([-0.1, -0.1], [1.1, 1.1], size=(64, 2))

    def scipy_loop():
        found = []
        for i in ie:
            sols = []
            for s0 in starts:
                x, info, ok, _ = fsolve(F, s0, args=(i,), full_output=True, xtol=1e-12)
                if ok == 1 and not any(np.allclose(x, s, atol=1e-7) for s in sols):
                    sols.append(x)
            for x in sols:
                h = 1e-7
                J = np.column_stack([(np.array(F(x + h * e, i)) - F(x - h * e, i)) / (2 * h)
                                     for e in np.eye(2)])
                np.linalg.eigvals(J)
            found.append(len(sols))
        return found

    t0 = time.perf_counter()
    counts = scipy_loop()
    t_scipy = time.perf_counter() - t0
    same = bool(np.array_equal(np.array(counts), fp["n_fp"].values))
    big = np.linspace(0.0, 5.5, 10_000)
    t_big = _best(lambda: nma.fixed_points(model, params={"IE": big}), 1)
    return {"t_nma": t_nma, "t_scipy": t_scipy, "same_counts": same, "t_big": t_big}


DIAGRAMS = [  # model, free parameter, range, AUTO-07p seconds on this machine
    ("fitzhugh_nagumo", "I", (-1.0, 3.0), 0.76),
    ("wilson_cowan", "IE", (-6.0, 10.0), 2.0),
    ("wilson_cowan_pyrates", "r_ext_e", (-10.0, 20.0), 0.52),
    ("jansen_rit", "p", (-100.0, 400.0), 7.75),
    ("montbrio_pazo_roxin", "eta", (-10.0, 0.0), 0.33),
]


def bench_continuation(repeat):
    import nmanalysis as nma

    rows = []
    for name, param, rng, auto in DIAGRAMS:
        if name not in nma.list_models():
            continue
        model = nma.get_model(name)
        nma.continuation(model, param, p_range=rng)
        warm = _best(lambda: nma.continuation(model, param, p_range=rng), repeat)
        n_sp = nma.special_points(nma.continuation(model, param, p_range=rng)).sizes["special"]
        code = (f"import nmanalysis as nma; nma.continuation(nma.get_model({name!r}), {param!r}, "
                f"p_range={rng!r})")
        with tempfile.TemporaryDirectory() as cold_dir:
            env = dict(os.environ, NMANALYSIS_CACHE_DIR=cold_dir)
            cold = _process_time([sys.executable, "-c", code], env, 1)
        warm_proc = _process_time([sys.executable, "-c", code], dict(os.environ), repeat)
        rows.append((name, param, warm, warm_proc, cold, auto, n_sp))
    return rows


def rows_markdown(rows):
    from bench_startup import rows_markdown as rows_md
    return rows_md(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1e4 sets x 1e3 steps")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    n_sets, n_steps = (10_000, 1_000) if args.quick else (100_000, 10_000)

    b = bench_batch(n_sets, n_steps, args.repeat)
    startup, cold = bench_cli(args.repeat)
    imp = bench_import(args.repeat)
    fpb = bench_fixed_points(args.repeat)
    cont = bench_continuation(args.repeat)
    cpu = platform.processor() or platform.machine()
    print(f"Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"Problem: Wilson-Cowan, {n_sets:.0e} parameter sets x {n_steps:.0e} Euler steps, "
          "record='minmax', float64\n")
    print("| benchmark | nmanalysis | baseline | ratio | target |")
    print("|---|---|---|---|---|")
    hand_met = "met" if b["nma"] / b["hand"] >= 8 else "not met"
    print(f"| batched simulate vs hand-written numba + np.exp | {b['nma']:.3g} node-steps/s | "
          f"{b['hand']:.3g} node-steps/s | {b['nma'] / b['hand']:.1f}x | >= 8x ({hand_met}) |")
    simd_met = "met" if b["simd_ratio"] >= 0.75 else "not met"
    print(f"| batched simulate vs hand-written SIMD numba kernel (interleaved) | "
          f"{b['nma']:.3g} node-steps/s | {b['simd']:.3g} node-steps/s | "
          f"{b['simd_ratio']:.2f} (median of pairs {b['simd_ratio_median']:.2f}) | >= 0.75 "
          f"({simd_met}) |")
    print(f"| batched simulate vs scipy solve_ivp loop (RK45) | {b['nma']:.3g} node-steps/s | "
          f"{b['scipy']:.3g} node-steps/s | {b['nma'] / b['scipy']:.0f}x | - |")
    for line in rows_markdown(startup):
        print(line)
    print(f"| `nmanalysis simulate wilson_cowan`, cold cache | {cold:.1f} s | - | - | - |")
    print(f"| `import nmanalysis` | {imp:.3f} s | - | - | <= 0.3 s |")
    print(f"| `fixed_points` Wilson-Cowan, 110 IE values (all equilibria + eigenvalues) | "
          f"{fpb['t_nma']:.3f} s | scipy fsolve multi-start loop {fpb['t_scipy']:.1f} s | "
          f"{fpb['t_scipy'] / fpb['t_nma']:.0f}x | <= 0.3 s |")
    print(f"| `fixed_points` Wilson-Cowan, 1e4 IE values | {fpb['t_big']:.2f} s | - | - | - |")
    for name, param, warm, warm_proc, cold, auto, n_sp in cont:
        print(f"| `continuation` {name} in {param} ({n_sp} special points) | {warm:.3f} s warm, "
              f"{warm_proc:.2f} s whole process, {cold:.1f} s cold | AUTO-07p {auto} s | "
              f"{auto / warm:.0f}x (warm) | <= 0.2 s warm, <= 3 s cold, <= 2 s process |")
    print(f"\n(max |difference| of rE min/max, nmanalysis vs hand kernel, 500 rows across the "
          f"sweep: {b['agree']:.1e}; "
          f"equilibrium counts identical to the scipy loop: {fpb['same_counts']})")


if __name__ == "__main__":
    main()
