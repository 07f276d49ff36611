"""Brain-network benchmark: nmanalysis against brainmass, timed in the same run.

Run ``python benchmarks/bench_network.py`` (``--repeat N``, default 3;
``--bm-python PATH``: a Python with brainmass 0.1.1 installed, default
``/tmp/bmvenv/bin/python``; ``--sweep-ms``: length of each sweep run, default
1000 ms; ``--quick``: 1 s instead of 6 s for the single run; ``--nearest``,
``--interp``, ``--blas-threads``: below). Prints a
Markdown table. Every case runs in a fresh interpreter (``--side`` below), the
two libraries alternating, so both see the same machine load.

Cases
-----
a. brainmass's Wilson-Cowan brain-network tutorial: 80 nodes on the embedded
   ``hcp80`` connectome (the same weights and lengths for both libraries),
   delays ``D_ij = L_ij / 2`` ms, diffusive coupling of ``rE`` into the E input
   with ``K = 1``, Ornstein-Uhlenbeck noise on E and I, exponential Euler,
   6 s at ``dt = 0.1`` ms (60,000 steps), ``rE`` recorded at every step, then
   the 80 x 80 FC. brainmass: the tutorial's code (``prefetch_delay``,
   ``DiffusiveCoupling``, ``for_loop``). nmanalysis: ``load_connectome``,
   ``Network``, ``simulate(method="exp_euler", sampling=dt)``,
   ``functional_connectivity``. Timed: the whole process (interpreter start to
   FC), and inside it the first run (brainmass: tracing and XLA compilation;
   nmanalysis: kernels from the disk cache) and a second, warm run.
b. A sweep of 64 (K, speed) pairs (8 x 8: K in 0..35, speed in 1..8 m/s),
   ``--sweep-ms`` each, FC of every run. brainmass: a loop over the pairs, a
   network per pair, as the tutorial's class is written (each pair is traced and
   compiled again: the delays and ``k`` are constants of the traced step).
   nmanalysis: one batched ``simulate`` call (dims ``K``, ``speed``) on the
   machine's cores, then one ``functional_connectivity`` call.

c. ``--stability [K ...]`` (nmanalysis only): ``fixed_points`` of the seed
   network at the given gains with the stability of every equilibrium from its
   delayed characteristic roots (160 states, 3160 distinct delays: the sparse
   way of :mod:`nmanalysis.analysis.network_stability`), then ``stability``
   timed equilibrium by equilibrium. Measured on the shared 2-core machine at
   load 2-5: K = 30, 3 equilibria (rest: stable focus, rightmost root
   -0.00902; the middle one: saddle-focus with one unstable root 0.00366;
   the upper one stable), ``fixed_points`` 29.6 s in all, ``stability``
   5.7-9.8 s per equilibrium; K = 60 (3 equilibria) 26.9 s and 7.6-10.5 s.
   The roots alone (``characteristic_roots`` of the sparse system) take
   1.9-3.3 s of CPU per equilibrium (3.9-6.6 s wall at that load); every
   unstable count confirmed by the argument principle.

Delay reads: nmanalysis interpolates delayed values (cubic Hermite) by default;
``--nearest`` adds runs reading the nearest step, as brainmass does (same
work per edge). ``--blas-threads`` (default 1) sets the BLAS threads of both
sides: the FC is one 80 x 55,000 matrix product, and on a loaded 2-core
machine OpenBLAS's spinning threads turn it into ~1.2 s of CPU time per call
in either library (0.03 s on one thread); ``--blas-threads 0`` leaves the
environment as it is.

Measured on a shared 2-core machine (load 2-8 from other jobs; best of 3, the
sweep once; two runs of the table each). With one BLAS thread: the seed
network's whole process 2.6-2.9 s against brainmass's 7.0-8.6 s (2.7-3.0x;
brainmass's XLA uses both cores, one nmanalysis run one core), CPU 2.5 s
against 8.2-9.3 s (3.2-3.7x); the warm second run CPU 0.6 s against 2.1-2.5 s
(3.6-4.1x); reading the nearest step: whole process CPU 2.1-2.3 s (3.9-4.0x),
warm CPU 0.4 s (5.7-6.4x). With the environment's BLAS threads: whole process
CPU 4.5 s against 10.1 s (2.2x; the spinning BLAS threads of the first FC
included), warm 4.0x. The 64-pair sweep: 10.3 s against 72.6 s (CPU 9.6 s
against 73.3 s: 7.6x). Before the delayed kernel's rewrite (a scattered read
per edge and stage from a time-major ring, per-node scalar node equations, a
Box-Muller draw per noise number) the single run was 0.5x and the sweep 2.1x
brainmass's.

The noise differs in where it enters: brainmass adds it to the inputs of the
sigmoids, nmanalysis to the rates' right-hand sides, scaled by the sigmoid's
slope at rest so that the linearised noise is the same (the table lists the
resulting fluctuation size of ``rE`` for both). The work per step is the same.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CONNECTOME = HERE.parent / "nmanalysis" / "data" / "connectomes" / "hcp80.npz"
DT = 0.1
SPEED = 2.0
K_SEED = 1.0
SIGMA = 0.01          # the tutorial's OUProcess(sigma=0.01), tau 10 ms
TAU = 10.0
K_SWEEP = np.linspace(0.0, 35.0, 8)
V_SWEEP = np.linspace(1.0, 8.0, 8)


def _fc(x):
    """Pearson FC of (time, node) with numpy (used on the brainmass side)."""
    return np.corrcoef(np.asarray(x, dtype=float).T)


# -- brainmass side (runs in the brainmass environment) -------------------------------------
def _brainmass(case, ms, sweep_ms):
    t_start = time.perf_counter()
    import brainmass
    import brainstate
    import braintools
    import brainunit as u
    t_import = time.perf_counter() - t_start

    brainstate.environ.set(dt=DT * u.ms)
    z = np.load(CONNECTOME)
    Cmat, Dmat = z["weights"], z["lengths"]
    n = Cmat.shape[0]

    class Network(brainstate.nn.Module):
        """The tutorial's network class."""

        def __init__(self, signal_speed=2.0, k=1.0):
            super().__init__()
            w = Cmat.copy()
            np.fill_diagonal(w, 0)
            d = Dmat.copy() / signal_speed
            np.fill_diagonal(d, 0)
            idx = np.tile(np.arange(n)[None, :], (n, 1))
            self.node = brainmass.WilsonCowanStep(
                n,
                noise_E=brainmass.OUProcess(n, sigma=SIGMA, tau=TAU * u.ms,
                                            init=braintools.init.ZeroInit()),
                noise_I=brainmass.OUProcess(n, sigma=SIGMA, tau=TAU * u.ms,
                                            init=braintools.init.ZeroInit()),
            )
            self.coupling = brainmass.DiffusiveCoupling(
                self.node.prefetch_delay("rE", (d * u.ms, idx),
                                         init=braintools.init.Uniform(0, 0.05)),
                self.node.prefetch("rE"), w, k=k)

        def update(self):
            return self.node(self.coupling())

        def step_run(self, i):
            return self.update()

    def run(speed, k, length_ms, net=None):
        net = net or Network(signal_speed=speed, k=k)
        net.init_all_states()
        steps = np.arange(int(round(length_ms / DT)))
        rE = np.asarray(brainstate.transform.for_loop(net.step_run, steps))
        return rE

    out = {"import": t_import}
    if case == "seed":
        seed_net = Network(signal_speed=SPEED, k=K_SEED)   # one network, run twice
        for key in ("first", "second"):
            t0, c0 = time.perf_counter(), time.process_time()
            rE = run(SPEED, K_SEED, ms, seed_net)
            fc = _fc(rE[int(500 / DT):])
            out[key] = time.perf_counter() - t0
            out[key + "_cpu"] = time.process_time() - c0
        out["rE_std"] = float(rE[int(500 / DT):].std(0).mean())
        out["fc_offdiag"] = float(np.abs(fc[~np.eye(n, dtype=bool)]).mean())
    else:
        t0, c0 = time.perf_counter(), time.process_time()
        means = []
        for k in K_SWEEP:
            for v in V_SWEEP:
                rE = run(float(v), float(k), sweep_ms)
                fc = _fc(rE[int(200 / DT):])
                means.append(float(np.nanmean(fc[~np.eye(n, dtype=bool)])))
        out["sweep"] = time.perf_counter() - t0
        out["sweep_cpu"] = time.process_time() - c0
        out["mean_fc_range"] = [min(means), max(means)]
    out["total"] = time.perf_counter() - t_start
    return out


# -- nmanalysis side ------------------------------------------------------------------------
def _nmanalysis(case, ms, sweep_ms, interp="hermite"):
    t_start = time.perf_counter()
    import nmanalysis as nma
    t_import = time.perf_counter() - t_start

    conn = nma.load_connectome("hcp80")
    model = nma.get_model("wilson_cowan")
    net = conn.network(model, speed=SPEED)
    p = model.params

    def slope(a, th):                     # the sigmoid's slope at rest
        s = 1.0 / (1.0 + np.exp(a * th))
        return a * s * (1.0 - s)

    noise = {"rE": {"sigma": slope(p["aE"], p["thE"]) * SIGMA / np.sqrt(TAU), "tau": TAU},
             "rI": {"sigma": slope(p["aI"], p["thI"]) * SIGMA / np.sqrt(TAU), "tau": TAU}}
    kw = dict(dt=DT, method="exp_euler", y0={"rE": 0.0, "rI": 0.0}, noise=noise,
              history={"uniform": (0.0, 0.05)}, seed=1, progress=False,
              delay_interpolation=interp)
    out = {"import": t_import}
    if case == "seed":
        for key in ("first", "second"):
            t0, c0 = time.perf_counter(), time.process_time()
            ds = nma.simulate(net, t=(0.0, ms), params={"K": K_SEED}, sampling=DT, **kw)
            fc = nma.functional_connectivity(ds, "rE", transient=500.0)
            out[key] = time.perf_counter() - t0
            out[key + "_cpu"] = time.process_time() - c0
        x = ds["rE"].sel(time=slice(500.0, None)).values
        out["rE_std"] = float(x.std(0).mean())
        out["fc_offdiag"] = float(np.abs(fc.values[~np.eye(80, dtype=bool)]).mean())
    else:
        t0, c0 = time.perf_counter(), time.process_time()
        ds = nma.simulate(net, t=(0.0, sweep_ms), params={"K": K_SWEEP, "speed": V_SWEEP},
                          sampling=1.0, **kw)
        fc = nma.functional_connectivity(ds, "rE", transient=200.0)
        out["sweep"] = time.perf_counter() - t0
        out["sweep_cpu"] = time.process_time() - c0
        off = ~np.eye(80, dtype=bool)
        means = fc.values[off].mean(0)
        out["mean_fc_range"] = [float(np.nanmin(means)), float(np.nanmax(means))]
        out["failed"] = int((ds["status"] != 0).sum())
    out["total"] = time.perf_counter() - t_start
    return out


# -- driver ---------------------------------------------------------------------------------
def _child(python, side, case, ms, sweep_ms, interp="hermite", blas_threads=None):
    cmd = [python, str(Path(__file__).resolve()), "--side", side, "--case", case,
           "--ms", str(ms), "--sweep-ms", str(sweep_ms), "--interp", interp]
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if blas_threads:
        for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[key] = str(blas_threads)
    import resource

    t0 = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE.parent)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode:
        raise RuntimeError(f"{side} {case} failed:\n{res.stderr[-3000:]}")
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["process"] = wall
    out["process_cpu"] = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    return out


def _best(runs, key):
    return min(r[key] for r in runs)


# -- stability of the seed network's equilibria (nmanalysis only) ------------------------------
def _stability(gains):
    """``fixed_points`` of the seed network with delayed roots; then ``stability`` per equilibrium.

    Prints, per gain, the number of equilibria, the whole ``fixed_points`` time
    and, timed one by one with ``stability``, the characteristic roots of
    each equilibrium (sparse way: 160 states, 3160 distinct delays).
    """
    import warnings

    import nmanalysis as nma
    from nmanalysis.analysis.network_stability import network_delay_system

    conn = nma.load_connectome("hcp80")
    net = conn.network(nma.get_model("wilson_cowan"), speed=SPEED)
    print("| K | equilibria | fixed_points (s) | roots per equilibrium (s) | n_unstable | "
          "confirmed | rightmost root |")
    print("|---|---|---|---|---|---|---|")
    for K in gains:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            fp = nma.fixed_points(net, params={"K": K})
            t_fp = time.perf_counter() - t0
        n_fp = int(fp["n_fp"])
        times, nus, oks, right = [], [], [], []
        for f in range(n_fp):
            x = np.array([float(fp[s].isel(fp=f)) for s in net.state_names])
            t0 = time.perf_counter()
            out = nma.stability(net, x, {"K": K})
            times.append(time.perf_counter() - t0)
            nus.append(int(out["n_unstable"]))
            oks.append(bool(out["converged"] and out["unstable_counted"]))
            right.append(complex(out["eigenvalues"][0]))
        m = network_delay_system(net, np.zeros(net.n_states), {"K": K}).taus.size
        print(f"| {K:g} | {n_fp} | {t_fp:.1f} | {min(times):.1f}-{max(times):.1f} "
              f"(mean {np.mean(times):.1f}) | {sorted(set(nus))} | {sum(oks)}/{n_fp} | "
              f"{right[0]:.4f} (fp 0; {m} delays) |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", choices=["nmanalysis", "brainmass"])
    ap.add_argument("--case", choices=["seed", "sweep"], default="seed")
    ap.add_argument("--ms", type=float, default=6000.0)
    ap.add_argument("--sweep-ms", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--bm-python", default="/tmp/bmvenv/bin/python")
    ap.add_argument("--skip-sweep", action="store_true")
    ap.add_argument("--interp", choices=["hermite", "linear", "nearest"], default="hermite",
                    help="nmanalysis's delay_interpolation (default: hermite)")
    ap.add_argument("--nearest", action="store_true",
                    help="also run the seed case with nmanalysis reading delays at the "
                         "nearest step, as brainmass does")
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="OPENBLAS/OMP/MKL_NUM_THREADS for both sides (default 1; 0: "
                         "leave the environment as it is)")
    ap.add_argument("--stability", type=float, nargs="*", default=None, metavar="K",
                    help="instead: time fixed_points and stability (delayed roots) of the "
                         "seed network at these gains (default 30 and 1)")
    args = ap.parse_args(argv)
    if args.stability is not None:
        _stability(args.stability or [30.0, 1.0])
        return
    if args.side:                                       # one measurement, in this process
        if args.side == "brainmass":
            out = _brainmass(args.case, args.ms, args.sweep_ms)
        else:
            out = _nmanalysis(args.case, args.ms, args.sweep_ms, args.interp)
        print(json.dumps(out))
        return
    ms = 1000.0 if args.quick else args.ms
    have_bm = Path(args.bm_python).exists()
    if not have_bm:
        print(f"brainmass Python {args.bm_python} not found: nmanalysis only", file=sys.stderr)
    cases = ["seed"] + ([] if args.skip_sweep else ["sweep"])
    res = {}
    for case in cases:
        reps = args.repeat if case == "seed" else max(1, args.repeat // 3)
        sides = [("nmanalysis", sys.executable, args.interp),
                 ("brainmass", args.bm_python, "hermite")]
        if args.nearest and case == "seed":
            sides.append(("nmanalysis nearest", sys.executable, "nearest"))
        for _ in range(reps):
            for side, python, interp in sides:
                if side == "brainmass" and not have_bm:
                    continue
                r = _child(python, side.split()[0], case, ms, args.sweep_ms, interp,
                           args.blas_threads)
                res.setdefault((side, case), []).append(r)
                print(f"  {side:10s} {case}: " + ", ".join(
                    f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in r.items()), file=sys.stderr)
    _table(res, ms, args.sweep_ms, os.cpu_count(), args.interp, args.blas_threads)


def _table(res, ms, sweep_ms, ncpu, interp="hermite", blas_threads=None):
    def cell(side, case, key):
        runs = res.get((side, case))
        return None if not runs else _best(runs, key)

    rows = []
    steps = int(round(ms / DT))
    for row in [
        (f"seed network, {ms / 1000:g} s ({steps:,} steps): whole process", "seed", "process"),
        ("  the same, CPU time (all threads)", "seed", "process_cpu"),
        ("  first run in the process (compile / cache load + run + FC)", "seed", "first"),
        ("  second run, warm (run + FC)", "seed", "second"),
        ("  second run, CPU time", "seed", "second_cpu"),
        ("  import statement (nmanalysis imports lazily: its imports fall in the first run)",
         "seed", "import"),
        (f"sweep of 64 (K, speed) pairs, {sweep_ms:g} ms each, in-process", "sweep", "sweep"),
        ("  sweep, CPU time", "sweep", "sweep_cpu"),
        ("  sweep: whole process", "sweep", "process"),
        ("seed network, nmanalysis reading delays at the nearest step: whole process",
         "seed", "process", "nmanalysis nearest"),
        ("  the same, CPU time (all threads)", "seed", "process_cpu", "nmanalysis nearest"),
        ("  second run, CPU time", "seed", "second_cpu", "nmanalysis nearest"),
    ]:
        label, case, key, side = (*row, "nmanalysis")[:4]
        a, b = cell(side, case, key), cell("brainmass", case, key)
        if a is None:
            continue
        ratio = f"{b / a:.1f}x" if b is not None and key != "import" else "-"
        bs = f"{b:.2f}" if b is not None else "-"
        rows.append(f"| {label} | {a:.2f} | {bs} | {ratio} |")
    blas = f"; BLAS threads {blas_threads}" if blas_threads else ""
    print(f"\nMachine: {ncpu} cores; best of the repeats; times in s (wall clock unless "
          f"marked CPU); ratio = brainmass / nmanalysis (> 1: nmanalysis faster); "
          f"nmanalysis delay reads: {interp}{blas}.\n")
    print("| case | nmanalysis | brainmass 0.1.1 | ratio |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    for side in ("nmanalysis", "brainmass"):
        r = res.get((side, "seed"))
        if r:
            print(f"\n{side}: rE fluctuation (std over time, node mean) {r[-1]['rE_std']:.2e}, "
                  f"mean |FC| off-diagonal {r[-1]['fc_offdiag']:.3f}", end="")
        r = res.get((side, "sweep"))
        if r:
            lo, hi = r[-1]["mean_fc_range"]
            print(f"; sweep mean FC from {lo:.3f} to {hi:.3f}", end="")
    print()


if __name__ == "__main__":
    main()
