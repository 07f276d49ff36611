"""Periodic-orbit continuation against AUTO-07p's periodic branches (reference files)."""

import numpy as np
import pytest

import nmanalysis as nma

from .models import MODELS, load

_TREES = {}


def _sample(points, max_period, k, lpcs):
    """Every k-th reference point below max_period (AUTO columns p, period, max, min, stable).

    Points within 0.1 % of a fold of cycles, or of the Hopf points a branch closes onto,
    are left out: one step can cross such a value twice (there and back round the fold)
    and report neither.
    """
    rows = [r for r in points if r[1] < max_period]
    return [r for r in rows[1::k] if all(abs(r[0] - q) > 1e-3 * max(1, abs(q)) for q in lpcs)]


def _tree(name, max_period, k):
    key = (name, max_period, k)
    if key not in _TREES:
        ref = load(name)
        lpcs = [next(iter(s["param"].values())) for b in ref["periodic_branches"]
                for s in b["special_points"] if s["type"] == "LPC"]
        lpcs += [s["crosscheck"]["param"] for s in ref["special_points"] if s["type"] == "HB"]
        rows = [r for b in ref["periodic_branches"]
                for r in _sample(b["points"], max_period, k, lpcs)]
        _TREES[key] = (nma.continuation(
            MODELS[name](), ref["continuation_parameter"], p_range=ref["continuation_range"],
            cycles=True, cycle_options={"values": [r[0] for r in rows]}), rows)
    return _TREES[key]


def _match(sp, pname, row):
    """The UZ orbit at the reference parameter value closest in period."""
    uz = sp.where((sp["type"] == "UZ") & (abs(sp[pname] - row[0]) <= 1e-9 * max(1, abs(row[0]))),
                  drop=True)
    assert uz.sizes["special"] >= 1, f"no orbit found at {pname} = {row[0]}"
    k = int(np.argmin(np.abs(uz["period"].values - row[1])))
    return uz.isel(special=k)


@pytest.mark.parametrize("name,max_period,k", [("jansen_rit", 8.0, 4), ("fhn", 45.0, 3)])
def test_periods_along_every_branch(name, max_period, k):
    ref = load(name)
    pname = ref["continuation_parameter"]
    tree, rows = _tree(name, max_period, k)
    sp = nma.special_points(tree)
    assert len(rows) >= 20
    for row in rows:
        got = _match(sp, pname, row)
        assert abs(float(got["period"]) - row[1]) <= 1e-6 * row[1], (row, float(got["period"]))


def test_jansen_rit_lpc_and_snic():
    ref = load("jansen_rit")
    tree, _ = _tree("jansen_rit", 8.0, 4)
    sp = nma.special_points(tree)
    lpc = sp["p"].values[sp["type"].values == "LPC"]
    assert lpc.size == 1
    assert abs(lpc[0] - 137.3792672) <= 1e-6 * 137.3792672
    # the family born at the subcritical Hopf point ends in a SNIC on the fold
    snic = sp.where(sp["type"] == "SNIC", drop=True)
    assert snic.sizes["special"] == 1
    lp = [s["crosscheck"]["param"] for s in ref["special_points"] if s["type"] == "LP"]
    assert abs(float(snic["p"][0]) - max(lp)) <= 1e-9 * max(lp)
    first = tree["periodic/branch_0"].to_dataset()
    assert abs(float(first["p"][0]) - (-12.147492348)) < 1e-6
    assert "SNIC" in first.attrs["stop_reason"]
    # the alpha family joins the Hopf points at 89.83 and 315.70, traced once
    assert len(tree["periodic"].children) == 2
    alpha = tree["periodic/branch_1"].to_dataset()
    ends = sorted([float(alpha["p"][0]), float(alpha["p"][-1])])
    assert abs(ends[0] - 89.82910797) < 0.5 and abs(ends[1] - 315.69642807) < 0.5
    assert "315.69642" in alpha.attrs["stop_reason"]
    assert bool(alpha["stable"][1:-1].all())


def test_jansen_rit_stability_and_floquet_precision():
    tree, rows = _tree("jansen_rit", 8.0, 4)
    sp = nma.special_points(tree)
    b0 = tree["periodic/branch_0"].to_dataset()
    # every orbit's trivial multiplier is 1 to the discretisation accuracy
    assert float(b0["trivial_multiplier_error"].max()) < 1e-3
    assert float(tree["periodic/branch_1"]["trivial_multiplier_error"].max()) < 1e-6
    # unstable before the fold of cycles, stable after it (AUTO's verdict)
    for row in rows:
        got = _match(sp, "p", row)
        near_lpc = abs(row[0] - 137.3792672) < 0.05
        if not near_lpc and row[1] < 0.6 and row[0] > -12:
            period_lpc = 0.21197318228
            if abs(row[1] - period_lpc) > 0.01 and row[1] > 0.12:
                branch = str(got["branch"].values)
                ds = tree[branch].to_dataset()
                i = int(np.argmin(np.abs(ds["period"].values - row[1])
                                  + np.abs(ds["p"].values - row[0]) / 500))
                assert bool(ds["stable"][i]) == bool(row[4]), row


def test_fhn_canard_folds_and_onset_period():
    ref = load("fhn")
    tree, _ = _tree("fhn", 45.0, 3)
    sp = nma.special_points(tree)
    lpc = np.sort(sp["I"].values[sp["type"].values == "LPC"])
    np.testing.assert_allclose(lpc, [0.3241785225, 1.4258214775], rtol=1e-6)
    b = tree["periodic/branch_0"].to_dataset()
    hb = [s for s in ref["special_points"] if s["type"] == "HB"]
    T0 = 2 * np.pi / hb[0]["crosscheck"]["angular_frequency"] if "angular_frequency" in \
        hb[0]["crosscheck"] else hb[0]["period_at_onset"]
    assert abs(float(b["period"][0]) - T0) <= 1e-8 * T0
    # one branch joins the two Hopf points
    assert len(tree["periodic"].children) == 1
