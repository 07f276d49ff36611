"""Whole-process times of three command lines with a warm kernel cache.

Run ``python benchmarks/bench_startup.py`` (``--repeat N``). Each command runs
once to fill the cache (``$NMANALYSIS_CACHE_DIR`` if set), then ``N`` times;
the minimum wall time is reported together with the process's CPU time (user +
system, a steadier figure on a shared machine, and the one a target is judged
on), as Markdown rows with their targets. A second table splits a warm process
into its parts (interpreter, imports), to show where the time goes.

Warm means the Python bytecode too: the children run without
``PYTHONDONTWRITEBYTECODE``, as an installed package would (with it set, every
process compiles the package's sixty-odd modules from source, about 0.2 s).

Cases
-----
1. ``nmanalysis simulate wilson_cowan`` (RK4, 10,000 steps, full record,
   summary printed): target <= 0.8 s.
2. The same with ``--set IE=1.5`` (a parameter given as a number must not cost
   an xarray import): target <= 0.8 s.
3. ``nmanalysis diagram jansen_rit --free p --range -100 400`` (equilibria,
   special points and the cycles born at the Hopf points): target <= 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

CASES = [  # label, arguments, target in seconds
    ("`nmanalysis simulate wilson_cowan`", ["simulate", "wilson_cowan"], 0.8),
    ("`nmanalysis simulate wilson_cowan --set IE=1.5`",
     ["simulate", "wilson_cowan", "--set", "IE=1.5"], 0.8),
    ("`nmanalysis diagram jansen_rit --free p --range -100 400`",
     ["diagram", "jansen_rit", "--free", "p", "--range", "-100", "400"], 2.0),
]

PARTS = [  # what a warm process is made of, each in a fresh interpreter
    ("interpreter", "pass"),
    ("import numpy", "import numpy"),
    ("import numba", "import numba"),
    ("import xarray", "import xarray"),
    ("import nmanalysis", "import nmanalysis"),
    ("import nmanalysis.analysis.continuation (diagram's code, numba)",
     "import nmanalysis.analysis.continuation"),
]


def _environment():
    """The children's environment: this one, with bytecode written and reused."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _process(args, env=None):
    """Wall and CPU (user + system) seconds of one child process."""
    env = _environment() if env is None else env
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _best(args, repeat, env=None):
    runs = [_process(args, env) for _ in range(repeat)]
    return min(w for w, _ in runs), min(c for _, c in runs)


def bench_commands(repeat):
    """``[(label, wall, cpu, target)]`` for each case, warm cache."""
    rows = []
    for label, argv, target in CASES:
        cmd = [sys.executable, "-m", "nmanalysis", *argv]
        _process(cmd)                                   # fill the cache
        wall, cpu = _best(cmd, repeat)
        rows.append((label, wall, cpu, target))
    return rows


def bench_parts(repeat):
    """``[(part, wall, cpu)]``: a fresh interpreter doing one thing each."""
    return [(label, *_best([sys.executable, "-c", code], repeat)) for label, code in PARTS]


def rows_markdown(rows):
    """README-style rows: benchmark | nmanalysis | baseline | ratio | target."""
    out = []
    for label, wall, cpu, target in rows:
        met = "met" if cpu <= target else "not met"
        out.append(f"| {label}, warm cache | {wall:.2f} s ({cpu:.2f} s CPU) | - | - | "
                   f"<= {target:g} s ({met}, CPU) |")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    rows = bench_commands(args.repeat)
    parts = bench_parts(args.repeat)
    print("| benchmark | nmanalysis | baseline | ratio | target |")
    print("|---|---|---|---|---|")
    print("\n".join(rows_markdown(rows)))
    print("\n| part of a process | wall | CPU |")
    print("|---|---|---|")
    for label, wall, cpu in parts:
        print(f"| {label} | {wall:.3f} s | {cpu:.3f} s |")
    cache = os.environ.get("NMANALYSIS_CACHE_DIR", "the default")
    print(f"\n(minimum of {args.repeat} runs each; kernel cache: {cache}; wall times on a "
          "shared machine vary, the CPU time less)")


if __name__ == "__main__":
    main()
