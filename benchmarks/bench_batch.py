"""Batched Wilson-Cowan Euler: nmanalysis against brainmass, timed pair by pair in one run.

``python benchmarks/bench_batch.py [--bm-python PATH] [--sets N] [--steps M] [--pairs K]``.
``--bm-python``: a Python with brainmass 0.1.1 installed (default
``/tmp/bmvenv/bin/python``).

Case: the seed's brute-force bifurcation diagram made large, 1e5 values of
the excitatory input ``IE`` over 0-5.5 x 1e4 Euler steps of 0.01 ms from
``(rE, rI) = (0.1, 0.05)``, keeping the minimum and maximum of ``rE``,
float64 on both sides.

- nmanalysis: ``simulate(model, params={"IE": ie}, method="euler",
  record="minmax")``.
- brainmass: ``WilsonCowanStep(n, method="euler")`` advanced by
  ``brainstate.transform.for_loop`` inside one ``jit``, the running minimum and
  maximum held in two states (the tutorial's ``for_loop`` returns every step
  instead: 8 GB at this size); ``jax_enable_x64`` and
  ``brainstate.environ.set(precision=64)``.

brainmass runs in a worker process of its own environment, started once and
warmed (tracing and XLA compilation are not timed); then the two sides run
alternately, ``--pairs`` times (default 15: on a shared machine the median of
five pairs still varies by +-10 % between runs), so that each ratio is taken
under the same load. Reported: node-steps/s of the best run of each
side, and the median over pairs of the wall-time and CPU-time ratios.
Results are checked to agree (max |difference| of the min/max of ``rE``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

DT = 0.01
Y0 = (0.1, 0.05)


# -- brainmass worker (runs in the brainmass environment) -----------------------------------
def _worker(n_sets, n_steps):
    import jax

    jax.config.update("jax_enable_x64", True)
    import brainmass
    import brainstate
    import braintools
    import brainunit as u

    brainstate.environ.set(dt=DT * u.ms, precision=64)
    ie = np.linspace(0.0, 5.5, n_sets)
    nodes = brainmass.WilsonCowanStep(n_sets, method="euler",
                                      rE_init=braintools.init.Constant(Y0[0]),
                                      rI_init=braintools.init.Constant(Y0[1]))
    nodes.init_all_states()
    lo = brainstate.ShortTermState(nodes.rE.value)
    hi = brainstate.ShortTermState(nodes.rE.value)

    def step(i):
        r = nodes.update(ie)
        lo.value = u.math.minimum(lo.value, r)
        hi.value = u.math.maximum(hi.value, r)

    @brainstate.transform.jit
    def run():
        brainstate.transform.for_loop(step, np.arange(n_steps))

    def once():
        # assign values: init_all_states() would make new state objects, unseen by `run`
        nodes.rE.value = jax.numpy.full(n_sets, Y0[0])
        nodes.rI.value = jax.numpy.full(n_sets, Y0[1])
        lo.value = nodes.rE.value
        hi.value = nodes.rE.value
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        jax.block_until_ready(hi.value)
        return time.perf_counter() - t0, time.process_time() - c0

    once()                                                  # trace and compile
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        wall, cpu = once()
        pick = slice(None, None, max(1, n_sets // 500))
        print(json.dumps({"wall": wall, "cpu": cpu, "min": np.asarray(lo.value)[pick].tolist(),
                          "max": np.asarray(hi.value)[pick].tolist(),
                          "dtype": str(np.asarray(hi.value).dtype)}), flush=True)


# -- driver ---------------------------------------------------------------------------------
def _start_worker(python, n_sets, n_steps):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.Popen([python, str(Path(__file__).resolve()), "--worker",
                             "--sets", str(n_sets), "--steps", str(n_steps)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if not line or not json.loads(line).get("ready"):
        proc.kill()
        raise RuntimeError("the brainmass worker did not start")
    return proc


def _ask(proc):
    proc.stdin.write("run\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--sets", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--pairs", type=int, default=15)
    ap.add_argument("--bm-python", default="/tmp/bmvenv/bin/python")
    args = ap.parse_args(argv)
    if args.worker:
        _worker(args.sets, args.steps)
        return
    if not Path(args.bm_python).exists():
        sys.exit(f"brainmass Python {args.bm_python} not found (pass --bm-python)")

    import nmanalysis as nma

    n, m = args.sets, args.steps
    model = nma.get_model("wilson_cowan")
    ie = np.linspace(0.0, 5.5, n)
    kw = dict(t=(0.0, m * DT), dt=DT, method="euler", record="minmax", progress=False,
              y0={"rE": Y0[0], "rI": Y0[1]})
    nma.simulate(model, params={"IE": ie}, **{**kw, "t": (0.0, 200 * DT)})   # warm kernels
    worker = _start_worker(args.bm_python, n, m)
    pick = slice(None, None, max(1, n // 500))
    ours, theirs, walls, cpus, agree = [], [], [], [], 0.0
    try:
        for _ in range(args.pairs):
            t0, c0 = time.perf_counter(), time.process_time()
            ds = nma.simulate(model, params={"IE": ie}, **kw)
            a = (time.perf_counter() - t0, time.process_time() - c0)
            b = _ask(worker)
            ours.append(a)
            theirs.append((b["wall"], b["cpu"]))
            walls.append(b["wall"] / a[0])
            cpus.append(b["cpu"] / a[1])
            agree = max(agree, float(np.max(np.abs(ds["rE_max"].values[pick] - b["max"]))),
                        float(np.max(np.abs(ds["rE_min"].values[pick] - b["min"]))))
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)
    work = n * m
    best_ours = min(w for w, _ in ours)
    best_theirs = min(w for w, _ in theirs)
    cpu = platform.processor() or platform.machine()
    print(f"Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"Problem: Wilson-Cowan, {n:.0e} parameter sets x {m:.0e} Euler steps, "
          f"record='minmax', float64 ({b['dtype']} on the brainmass side); {args.pairs} "
          "pairs\n")
    print("| benchmark | nmanalysis | brainmass | ratio (median of pairs) | target |")
    print("|---|---|---|---|---|")
    met = "met" if np.median(walls) >= 2.5 else "not met"
    print(f"| batched Euler, wall time | {work / best_ours:.3g} node-steps/s | "
          f"{work / best_theirs:.3g} node-steps/s | {np.median(walls):.2f}x "
          f"(range {min(walls):.2f}-{max(walls):.2f}) | >= 2.5x ({met}) |")
    print(f"| batched Euler, CPU time | {work / min(c for _, c in ours):.3g} node-steps/CPU-s | "
          f"{work / min(c for _, c in theirs):.3g} node-steps/CPU-s | {np.median(cpus):.2f}x "
          f"(range {min(cpus):.2f}-{max(cpus):.2f}) | - |")
    print(f"\n(max |difference| of rE min/max between the two, 500 rows across the sweep: "
          f"{agree:.1e})")


if __name__ == "__main__":
    main()
