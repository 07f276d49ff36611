"""fixed_points against the AUTO-07p equilibrium branches of every reference file."""

import numpy as np
import pytest

import nmanalysis as nma

from .models import MODELS, load

FILES = sorted(MODELS)


def _count_at(branch_p, p):
    """Number of equilibria at parameter p: how often the reference branch passes p."""
    hits = int(np.sum(branch_p == p))
    d = branch_p - p
    strict = (d[:-1] * d[1:] < 0)
    return hits + int(np.sum(strict))


@pytest.mark.parametrize("name", FILES)
def test_equilibria_match_auto_branch(name):
    ref = load(name)
    model = MODELS[name]()
    cols = ref["equilibrium_branch"]["columns"]
    pts = np.array([[float(v) for v in row] for row in ref["equilibrium_branch"]["points"]])
    pname = ref["continuation_parameter"]
    states = [c for c in cols[1:-1]]
    bp = pts[:, 0]
    # >= 30 parameter values spread over the branch, away from the folds' immediate vicinity
    order = np.argsort(bp)
    take = np.unique(np.linspace(0, len(bp) - 1, 40).astype(int))
    values = np.unique(bp[order][take])
    # at a bifurcation point itself stability is undefined: leave those rows out
    special = np.array([sp["param"][pname] for sp in ref["special_points"]])
    if special.size:
        near = np.min(np.abs(values[:, None] - special[None]), axis=1)
        values = values[near > 1e-6 * np.maximum(1.0, np.abs(values))]
    lo = pts[:, 1:-1].min(axis=0)
    hi = pts[:, 1:-1].max(axis=0)
    span = np.maximum(hi - lo, 1e-3)
    bounds = {s: (lo[i] - 0.25 * span[i] - 0.01, hi[i] + 0.25 * span[i] + 0.01)
              for i, s in enumerate(states)}
    fp = nma.fixed_points(model, params={pname: values}, bounds=bounds)
    assert len(values) >= 30
    for p in values:
        at = fp.sel({pname: p})
        n_ref = _count_at(bp, p)
        assert int(at["n_fp"]) == n_ref, (name, p)
        for row in pts[bp == p]:
            ours = np.stack([at[s].values[: n_ref] for s in states], axis=1)
            target = row[1:-1]
            err = np.max(np.abs(ours - target) / np.maximum(1.0, np.abs(target)), axis=1)
            k = int(np.argmin(err))
            assert err[k] <= 1e-9, (name, p, err[k])
            assert bool(at["stable"].values[k]) == bool(row[-1]), (name, p)
            assert at["residual"].values[k] < 1e-9


def test_fitzhugh_nagumo_equilibrium_from_the_cubic():
    m = nma.get_model("fitzhugh_nagumo")
    values = np.linspace(-1, 3, 9)
    fp = nma.fixed_points(m, params={"I": values})
    a, b = m.params["a"], m.params["b"]
    for I in values:
        # w = (v + a)/b and v - v^3/3 - (v + a)/b + I = 0
        roots = np.roots([-1 / 3, 0, 1 - 1 / b, I - a / b])
        v = roots[np.abs(roots.imag) < 1e-12].real
        assert int(fp["n_fp"].sel(I=I)) == v.size == 1
        assert abs(float(fp["v"].sel(I=I, fp=0)) - v[0]) < 1e-12
        assert abs(float(fp["w"].sel(I=I, fp=0)) - (v[0] + a) / b) < 1e-12
