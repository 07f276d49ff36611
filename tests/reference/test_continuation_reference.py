"""continuation against AUTO-07p special points (30-digit crosschecks) and branches."""

import numpy as np
import pytest
import xarray as xr

import nmanalysis as nma

from .models import MODELS, load

FILES = sorted(MODELS)
_TREES = {}


def _tree(name):
    if name not in _TREES:
        ref = load(name)
        _TREES[name] = nma.continuation(MODELS[name](), ref["continuation_parameter"],
                                        p_range=ref["continuation_range"])
    return _TREES[name]


@pytest.mark.parametrize("name", FILES)
def test_every_lp_and_hb_found_and_located(name):
    ref = load(name)
    pname = ref["continuation_parameter"]
    sp = nma.special_points(_tree(name))
    states = ref["state_variables"]
    ours = sorted(zip(sp["type"].values.tolist(), sp[pname].values.tolist(), range(sp.sizes["special"])),
                  key=lambda r: r[1])
    want = sorted(((s["type"], s["crosscheck"]["param"], s) for s in ref["special_points"]),
                  key=lambda r: r[1])
    assert [o[0] for o in ours] == [w[0] for w in want], (ours, [w[:2] for w in want])
    for (kind, p, k), (_, p_ref, s) in zip(ours, want):
        assert abs(p - p_ref) <= max(1e-8 * abs(p_ref), 1e-10), (name, kind, p, p_ref)
        x = np.array([float(sp[v].values[k]) for v in states])
        x_ref = np.array(s["crosscheck"]["state"], float)
        np.testing.assert_allclose(x, x_ref, rtol=1e-8, atol=1e-8)
        assert str(sp["status"].values[k]) == "located"
        if kind == "HB":
            omega = float(sp["angular_frequency"].values[k])
            assert abs(omega / s["crosscheck"]["omega"] - 1) <= 1e-8
            assert abs(float(sp["period"].values[k]) / s["crosscheck"]["period"] - 1) <= 1e-8
            l1_ref = s["crosscheck"].get("first_lyapunov_coefficient")
            l1 = float(sp["first_lyapunov"].values[k])
            if l1_ref is not None:
                assert abs(l1 / l1_ref - 1) <= 1e-4, (name, l1, l1_ref)
            assert (l1 > 0) == (s["criticality"] == "subcritical")
            assert str(sp["criticality"].values[k]) == s["criticality"]


def test_fitzhugh_nagumo_lyapunov_coefficient():
    sp = nma.special_points(_tree("fhn"))
    np.testing.assert_allclose(sp["first_lyapunov"].values, 0.97197, rtol=1e-4)


@pytest.mark.parametrize("name", FILES)
def test_stability_along_the_branch(name):
    """Every reference branch point lies on our branch with the same stability."""
    ref = load(name)
    pname = ref["continuation_parameter"]
    cols = ref["equilibrium_branch"]["columns"]
    pts = np.array([[float(v) for v in row] for row in ref["equilibrium_branch"]["points"]])
    special = np.array([s["crosscheck"]["param"] for s in ref["special_points"]])
    tree = _tree(name)
    branches = [tree["equilibria"][b].to_dataset() for b in tree["equilibria"].children]
    states = cols[1:-1]
    checked = 0
    for row in pts:
        p, x, stable = row[0], row[1:-1], bool(row[-1])
        if special.size and np.min(np.abs(special - p)) < 1e-3 * max(1, abs(p)):
            continue                       # stability changes right there
        lo, hi = ref["continuation_range"]
        if not lo + 1e-9 < p < hi - 1e-9:
            continue                       # the ends of the range (rounding of the end point)
        best = None
        for ds in branches:
            P = ds[pname].values
            X = np.stack([ds[s].values for s in states], axis=1)
            for i in np.flatnonzero((P[:-1] - p) * (P[1:] - p) <= 0):
                w = (p - P[i]) / (P[i + 1] - P[i]) if P[i + 1] != P[i] else 0.0
                xi = X[i] + w * (X[i + 1] - X[i])
                d = np.max(np.abs(xi - x) / np.maximum(1, np.abs(x)))
                if best is None or d < best[0]:
                    s0, s1 = bool(ds["stable"].values[i]), bool(ds["stable"].values[i + 1])
                    best = (d, s0 if s0 == s1 else None)   # None: a change inside the step
        assert best is not None, (name, p)
        assert best[0] < 1e-2, (name, p, best)      # the point lies on our branch
        if best[1] is None:
            continue
        assert best[1] == stable, (name, p)
        checked += 1
    assert checked >= 30


def test_tree_round_trips_through_netcdf(tmp_path):
    tree = _tree("wc_bm")
    tree.to_netcdf(tmp_path / "diag.nc")
    back = xr.open_datatree(tmp_path / "diag.nc")
    xr.testing.assert_identical(nma.special_points(back), nma.special_points(tree))
    for b in tree["equilibria"].children:
        xr.testing.assert_identical(back["equilibria"][b].to_dataset(),
                                    tree["equilibria"][b].to_dataset())
