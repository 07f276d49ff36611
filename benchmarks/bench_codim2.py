"""Two-parameter continuation: whole planes of fold and Hopf curves next to AUTO-07p.

Run ``python benchmarks/bench_codim2.py``. Each case is timed warm (best of
three calls in one process, kernels loaded) and as a whole process (a fresh
interpreter that imports nmanalysis, loads the cached kernels and computes the
plane; the kernel cache must be warm, e.g. after one run of this script).

Anchors (AUTO-07p on this machine, from ``../shared/reference``, compile excluded):

- Wilson-Cowan (brainmass form) in (IE, wEE): ``wc_bm.json``
  ``timing_seconds.auto_two_parameter_runs``, AUTO's continuation of the same
  fold curves (like for like).
- Jansen-Rit in (p, C): the reference has no AUTO time for this plane; the
  anchor is ``jansen_rit.json`` ``timing_seconds.full_diagram_excluding_compile``,
  AUTO's ONE-parameter diagram of Jansen-Rit in p (equilibria and periodic
  branches), a lower bound for what AUTO needs for the plane (its GH test
  there also labels thousands of false GH points).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from _timing import best_time

REF = Path(__file__).resolve().parents[2] / "shared" / "reference"


def _auto_time(name, key):
    return float(json.loads((REF / f"{name}.json").read_text())["timing_seconds"][key])


def _best(fn, repeat):
    return best_time(fn, repeat)[0]



_JR = ("import nmanalysis as nma\n"
       "tree = nma.codim2_continuation(nma.get_model('jansen_rit'), ('p', 'C'),\n"
       "    ranges={'p': (-100, 500), 'C': (50, 300)})\n")
_WC = ("import nmanalysis as nma\n"
       "m = nma.Model(name='bench_wc_bm', states={'rE': {'value': 0.0, 'bounds': (-0.2, 1.2)},\n"
       "    'rI': {'value': 0.0, 'bounds': (-0.2, 1.2)}},\n"
       "    params=dict(IE=0.0, wEE=12.0, wEI=13.0, wIE=4.0, wII=11.0, aE=1.2, thE=2.8,\n"
       "                aI=1.0, thI=4.0, r=1.0, tauE=1.0, tauI=1.0, II=0.0),\n"
       "    functions={'F(x, a, th)': '1/(1+exp(-a*(x-th))) - 1/(1+exp(a*th))'},\n"
       "    equations={'rE': '(-rE + (1 - r*rE)*F(wEE*rE - wIE*rI + IE, aE, thE))/tauE',\n"
       "               'rI': '(-rI + (1 - r*rI)*F(wEI*rE - wII*rI + II, aI, thI))/tauI'})\n"
       "tree = nma.codim2_continuation(m, ('IE', 'wEE'), ranges={'IE': (-30, 30),\n"
       "    'wEE': (0, 40)})\n")

CASES = [  # label, code, AUTO-07p anchor [s], what the anchor is
    ("Jansen-Rit (p, C)", _JR, _auto_time("jansen_rit", "full_diagram_excluding_compile"),
     "AUTO one-parameter diagram in p"),
    ("Wilson-Cowan bm (IE, wEE)", _WC, _auto_time("wc_bm", "auto_two_parameter_runs"),
     "AUTO two-parameter runs, same curves"),
]


def _process_time(code):
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ))
    return time.perf_counter() - t0


def main():
    import nmanalysis as nma

    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}\n")
    print("| benchmark | nmanalysis warm | whole process | AUTO-07p anchor | ratio (warm / "
          "anchor) | curves, codim-2 points |")
    print("|---|---|---|---|---|---|")
    for label, code, auto, what in CASES:
        scope = {}
        exec(code, scope)                      # first call: loads the kernels
        tree = scope["tree"]
        warm = _best(lambda: exec(code, {}), 3)
        whole = _process_time(code)
        curves = sum(len(tree[k].children) for k in ("fold", "hopf") if k in tree)
        kinds = sorted(str(t) for t in nma.special_points(tree)["type"].values)
        print(f"| codim-2 plane, {label} | {warm:.2f} s | {whole:.2f} s | {auto:.2f} s "
              f"({what}) | {warm / auto:.2f} | {curves} curves; {', '.join(kinds) or '-'} |")


if __name__ == "__main__":
    main()
