"""Periodic-orbit continuation: whole diagrams next to AUTO-07p's times on this machine.

Run ``python benchmarks/bench_cycles.py``. AUTO-07p's times are from the
reference files (``../shared/reference``: full diagram, equilibria and every
periodic branch, compile excluded). The same-run baseline is the sparse-LU
solve of the uncondensed collocation system (scipy ``splu``) that the
condensation and staircase elimination replace.

The accuracy rows continue single cycle families to their long-period ends with
the default error control and with the mesh fixed at ``ntst = 50``
(``mesh_tol=inf``, the behaviour without error control) and compare the period
at one parameter value with Newton shooting on scipy DOP853 integrations
(``polish_cycle``, rtol 1e-12).
"""

from __future__ import annotations

import os
import platform

import numpy as np
from _timing import best_time


def _best(fn, repeat):
    return best_time(fn, repeat)[0]



CASES = [  # model, parameter, range, AUTO-07p full diagram [s], target [s]
    ("jansen_rit", "p", (-100.0, 400.0), 7.75, 2.0),
    ("fitzhugh_nagumo", "I", (0.0, 2.0), 0.76, 1.0),
]


def bench_diagrams(repeat):
    import nmanalysis as nma

    rows = []
    for name, param, rng, auto, target in CASES:
        model = nma.get_model(name)
        tree = nma.continuation(model, param, p_range=rng, cycles=True)
        warm = _best(lambda: nma.continuation(model, param, p_range=rng, cycles=True), repeat)
        n_orbits = sum(node.sizes["point"] for node in tree["periodic"].children.values())
        kinds = [str(t) for t in nma.special_points(tree)["type"].values]
        rows.append((name, warm, auto, target, n_orbits, kinds))
    return rows


def bench_linear_solve(repeat, ntst=200):
    """One Newton solve of a Jansen-Rit orbit: condensation vs scipy sparse LU."""
    import scipy.sparse as sps
    import scipy.sparse.linalg as spla

    import nmanalysis as nma
    from nmanalysis.analysis.continuation.periodic.run import periodic_branches

    model = nma.get_model("jansen_rit")
    tree = nma.continuation(model, "p", p_range=(-100, 400))
    sp = nma.special_points(tree)
    hb = sp.isel(special=int(np.where(sp["type"].values == "HB")[0][1]))
    _, _, pb = periodic_branches(model, "p", [("hopf", hb)], p_range=(-100, 400), ntst=ntst,
                                 max_points=20, detect=False)
    from nmanalysis.analysis.continuation.periodic.engine import hopf_start
    x = np.array([float(hb[s]) for s in model.state_names])
    J = pb.system.jacobian(x, pb.pv(float(hb["p"])))
    ev, V = np.linalg.eig(J)
    k = int(np.argmax(ev.imag))
    o = hopf_start(pb, x, float(hb["p"]), float(ev[k].imag), V[:, k])
    z = o.z + 0.05 * o.t
    ref = pb.col.slope(pb.split(o.t)[0])
    g = pb.grad(o.t, o.mesh)
    A, _, _ = pb.jacobian(z, o.mesh, ref, g)
    rhs = np.random.default_rng(0).normal(size=pb.col.size)
    t_cond = _best(lambda: pb.jacobian(z, o.mesh, ref, g)[0].solve(rhs), repeat)
    # the same system assembled as one sparse matrix for scipy's SuperLU
    c, n = pb.col, pb.n
    U, T, p = pb.split(z)
    F, J, JP = pb.evaluate(c.at_gauss(U), p)
    h = np.diff(o.mesh)
    E = c.jacobian_blocks(o.mesh, T, J.reshape(c.N, c.m, n, n))
    colT = -(h[:, None, None] * F.reshape(c.N, c.m, n))
    colp = -(h[:, None, None] * T) * JP.reshape(c.N, c.m, n)
    phase = c.scatter(c.wq[None, :, None] * ref).ravel()
    nU, size = c.n_nodes * n, c.size
    rows = np.concatenate([c._rc, c._rows_col, c._rows_col, c.row_per + np.arange(n),
                           c.row_per + np.arange(n), np.full(nU, c.row_phase),
                           np.full(size, c.row_arc)])
    cols = np.concatenate([c._cc, np.full(c._rows_col.size, c.col_T),
                           np.full(c._rows_col.size, c.col_p), nU - n + np.arange(n),
                           np.arange(n), np.arange(nU), np.arange(size)])
    data = np.concatenate([E.ravel(), colT.ravel(), colp.ravel(), np.ones(n), -np.ones(n),
                           phase, g])
    S = sps.csc_matrix((data, (rows, cols)), shape=(size, size))
    t_splu = _best(lambda: spla.splu(S).solve(rhs), repeat)
    agree = float(np.max(np.abs(spla.splu(S).solve(rhs) - A.solve(rhs))))
    return t_cond, t_splu, size, agree


def _model(name):
    import nmanalysis as nma
    return nma.get_model(name)


def _bt_model():
    import nmanalysis as nma
    return nma.Model(name="bt_normal_form",
                     states={"x": {"value": 0.0, "bounds": (-1, 1)},
                             "y": {"value": 0.0, "bounds": (-1, 1)}},
                     params={"m1": -0.005, "m2": -0.1},
                     equations={"x": "y", "y": "m1 + m2*x + x^2 + x*y"})


ACCURACY = [  # label, model, parameter, range, Hopf index, value, continuation keywords
    ("Bogdanov-Takens normal form, near the homoclinic orbit", _bt_model, "m1", (-0.01, 0.01),
     0, -0.00237144, {"max_period": 200.0}),
    ("Jansen-Rit HB(-12.15) family, near the SNIC", lambda: _model("jansen_rit"), "p",
     (-100.0, 400.0), 0, 113.59, {}),
]


def bench_accuracy(repeat):
    import nmanalysis as nma

    rows = []
    for label, make, param, rng, k, value, kw in ACCURACY:
        model = make()
        sp = nma.special_points(nma.continuation(model, param, p_range=rng))
        hb = sp.isel(special=int(np.where(sp["type"].values == "HB")[0][k]))
        out = {}
        for name, tol in (("controlled", None), ("fixed", np.inf)):
            def run():
                return nma.cycle_continuation(model, param, hb, p_range=rng, values=[value],
                                              mesh_tol=tol, **kw)
            tree = run()
            wall = _best(run, repeat)
            s = nma.special_points(tree)
            uz = s.where((s["type"] == "UZ") & (abs(s[param] - value) <= 1e-12 * abs(value)),
                         drop=True)
            i = int(np.argmax(uz["period"].values))
            b = tree["periodic/branch_0"]
            out[name] = (float(uz["period"][i]), [float(uz[v][i]) for v in model.state_names],
                         wall, int(b["ntst"].max()))
        T, x0 = out["controlled"][:2]
        shot = nma.polish_cycle(model, x0, T, params={param: value}, n_segments=16)
        truth = float(shot["period"])
        rows.append((label, value, truth, out))
    return rows


def main():
    acc = bench_accuracy(2)
    rows = bench_diagrams(3)
    t_cond, t_splu, size, agree = bench_linear_solve(5)
    cpu = platform.processor() or platform.machine()
    print(f"Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| benchmark | nmanalysis | baseline | ratio | target |")
    print("|---|---|---|---|---|")
    for name, warm, auto, target, n_orbits, kinds in rows:
        found = ", ".join(sorted(set(kinds) - {"UZ"}))
        print(f"| full diagram with cycles, {name} ({n_orbits} orbits; {found}) | "
              f"{warm:.2f} s warm | AUTO-07p {auto} s | {auto / warm:.1f}x | <= {target} s "
              f"{'(met)' if warm <= target else '(not met)'} |")
    print(f"| one collocation solve, Jansen-Rit, ntst = 200 ({size} unknowns) | "
          f"{t_cond * 1e3:.1f} ms condensed | scipy splu {t_splu * 1e3:.1f} ms | "
          f"{t_splu / t_cond:.1f}x | - |")
    print(f"\n(max |difference| of the two solutions: {agree:.1e})")
    print("\n| period at the long-period end | error control (default) | fixed ntst = 50 |")
    print("|---|---|---|")
    for label, value, truth, out in acc:
        cells = []
        for name in ("controlled", "fixed"):
            T, _, wall, nmax = out[name]
            cells.append(f"rel. error {abs(T - truth) / truth:.1e}, ntst <= {nmax}, "
                         f"{wall:.2f} s")
        print(f"| {label} (at {value}: period {truth:.8g}) | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
