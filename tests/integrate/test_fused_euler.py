"""The fused Euler driver (``run_euler``, "scheme 2" here) against the general explicit
Runge-Kutta step with the Euler tableau (scheme 0), bit for bit, and the input knot
search against numpy's."""

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.compile import compile_model
from nmanalysis.compile.fastmath import CONSTANTS
from nmanalysis.compile.rows import no_uniform_rows, uniform_rows
from nmanalysis.integrate.inputs import Step
from nmanalysis.integrate.tableaux import get_tableau

from .models import BLOWUP, RELAX

_NO_INPUTS = (np.zeros((0, 1)), np.zeros((0, 1, 1)), np.zeros(0, np.int64))


def _run(model, scheme, P, Y0, dt, n_steps, *, q0=0, rec_every=1, full=False, red=7,
         bounds=None, inputs=_NO_INPUTS, chunk=256, shared=True):
    """run_fixed (scheme 0) or run_euler (2) as simulate calls them: all arrays of the run
    (``shared``: parameters shared by all rows go to the fused kernel as scalars, as
    simulate passes them for long runs)."""
    system = compile_model(model)
    n_derived = system.module.N_DERIVED
    rows = (uniform_rows(P, len(model.param_names), system.derived_block, n_derived)
            if shared and scheme == 2 else no_uniform_rows(P.shape[0], n_derived))
    tab = get_tableau("euler")
    n, B = Y0.shape
    n_obs = len(model.observable_names)
    nv = n + n_obs
    lo = np.array([(bounds or {}).get(s, (-np.inf, np.inf))[0] for s in model.state_names])
    hi = np.array([(bounds or {}).get(s, (-np.inf, np.inf))[1] for s in model.state_names])
    n_rec = (n_steps - q0) // rec_every + 1 if full else 0
    out = dict(REC=np.full((n_rec, nv, B), np.nan), RMIN=np.full((nv, B), np.nan),
               RMAX=np.full((nv, B), np.nan), RSUM=np.full((nv, B), np.nan),
               FINAL=np.full((n, B), np.nan), STATUS=np.zeros(B, np.int8),
               TSTOP=np.full(B, np.nan))
    if scheme == 2:
        system.run_euler(Y0, P, 0.0, dt, n_steps, q0, rec_every, *inputs, 0, B, lo, hi, chunk,
                         full, red, n_obs, out["REC"], out["RMIN"], out["RMAX"], out["RSUM"],
                         out["FINAL"], out["STATUS"], out["TSTOP"], *rows, CONSTANTS)
    else:
        system.run_fixed(Y0, P, scheme, tab.A, tab.b, tab.c, 0.0, dt, n_steps, q0, rec_every,
                         *inputs, 0, np.zeros(n), np.ones(n), 0, 0, B, lo, hi, chunk, full, red,
                         n_obs, out["REC"], out["RMIN"], out["RMAX"], out["RSUM"], out["FINAL"],
                         out["STATUS"], out["TSTOP"])
    failed = out["STATUS"] != 0
    for key in ("RMIN", "RMAX", "RSUM"):       # as simulate reports them
        out[key][:, failed] = np.nan
    return out


def _params(model, B, **sweeps):
    P = np.empty((len(model.param_names) + len(model.input_names), B))
    for i, name in enumerate(model.param_names):
        P[i] = sweeps.get(name, model.params[name])
    for k, name in enumerate(model.input_names):
        P[len(model.param_names) + k] = 0.0
    return P


def _states(model, B, **values):
    return np.array([np.broadcast_to(values.get(s, model.states[s]), B)
                     for s in model.state_names], dtype=float)


def _same(a, b, red=7):
    """Equal bits in every output the run asked for (``red``: bit 1 min, 2 max, 4 sum)."""
    skip = {key for bit, key in ((1, "RMIN"), (2, "RMAX"), (4, "RSUM")) if not red & bit}
    for key in a.keys() - skip:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("options", [
    dict(red=3), dict(red=7, q0=37), dict(red=4), dict(red=0, full=True, rec_every=7, q0=10),
    dict(red=3, full=True, rec_every=1), dict(red=1, chunk=64)])
def test_wilson_cowan_matches_general_step(wc, options):
    B = 700                                     # several chunks, the last one short
    P = _params(wc, B, IE=np.linspace(-2.0, 8.0, B))
    Y0 = _states(wc, B)
    ref = _run(wc, 0, P, Y0, 0.01, 400, **options)
    fused = _run(wc, 2, P, Y0, 0.01, 400, **options)
    _same(ref, fused, options["red"])
    assert np.isfinite(fused["FINAL"]).all()


def test_shared_parameters_as_scalars_give_the_same_bits(wc):
    B = 300
    P = _params(wc, B, IE=np.linspace(-2.0, 8.0, B), tauI=np.linspace(0.5, 2.0, B))
    P[2, ::2] = -0.0 * P[2, ::2] + 12.0        # wEE: one value in every row
    P[3, 1] = np.nextafter(P[3, 0], 1.0)        # wIE: one row differs in the last bit
    Y0 = _states(wc, B)
    system = compile_model(wc)
    PU, QU = uniform_rows(P, len(wc.param_names), system.derived_block,
                          system.module.N_DERIVED)
    names = wc.param_names
    assert PU[names.index("IE")] is None and PU[names.index("tauI")] is None
    assert PU[names.index("wEE")] == 12.0 and PU[names.index("wIE")] is None
    assert PU[names.index("thE")] == wc.params["thE"]
    assert any(q is None for q in QU) and any(q is not None for q in QU)
    ref = _run(wc, 0, P, Y0, 0.01, 300, red=3)
    alone = _run(wc, 2, P, Y0, 0.01, 300, red=3, shared=False)
    fused = _run(wc, 2, P, Y0, 0.01, 300, red=3)
    _same(ref, alone, 3)
    _same(ref, fused, 3)
    # a row of -0.0 beside 0.0 or a NaN is not shared
    Z = np.zeros((2, 4))
    Z[0, 2] = -0.0
    Z[1, 3] = np.nan
    assert uniform_rows(Z, 2, None, 0) == ((None, None), ())


def test_observables_and_bounds_match_general_step():
    jr = nma.get_model("jansen_rit")
    B = 300
    P = _params(jr, B, p=np.linspace(0.0, 400.0, B))
    Y0 = _states(jr, B)
    bounds = {"y1": (-1e9, 25.0)}              # some rows leave the box (status 2)
    for options in (dict(red=7, q0=50), dict(red=3, full=True, rec_every=10, q0=100)):
        ref = _run(jr, 0, P, Y0, 1e-4, 2000, bounds=bounds, **options)
        fused = _run(jr, 2, P, Y0, 1e-4, 2000, bounds=bounds, **options)
        _same(ref, fused, options["red"])
        assert 0 < np.count_nonzero(fused["STATUS"] == 2) < B


@pytest.mark.parametrize("options", [
    dict(red=3, q0=50), dict(red=1, full=True, rec_every=10, q0=100), dict(red=2, chunk=64),
    dict(red=7, q0=20)])
def test_observable_extrema_in_the_kernel_match_general_step(options):
    """Without bounds the fused kernel keeps the observables' minima and maxima itself
    (runs of untested steps); with their mean it goes one step per call."""
    jr = nma.get_model("jansen_rit")
    assert jr.observable_names
    B = 300
    P = _params(jr, B, p=np.linspace(0.0, 400.0, B))
    Y0 = _states(jr, B)
    ref = _run(jr, 0, P, Y0, 1e-4, 2000, **options)
    fused = _run(jr, 2, P, Y0, 1e-4, 2000, **options)
    _same(ref, fused, options["red"])
    n = len(jr.state_names)
    if options["red"] & 1:
        assert np.isfinite(fused["RMIN"][n:]).all()


@pytest.mark.parametrize("options", [
    dict(), dict(red=3, q0=700), dict(red=0, full=True, rec_every=250, q0=100),
    dict(red=7, full=True, rec_every=1, q0=2900)])
def test_diverging_rows_are_flagged_while_the_others_finish(options):
    """Runs of untested steps (the whole run, after a transient, between samples) and
    one-step runs: rows that diverge inside a run get their status and stop time."""
    B = 600
    x0 = np.linspace(-1.0, 1.0, B)              # blows up at t = 1/x0 for x0 > 0
    P = _params(BLOWUP, B)
    Y0 = _states(BLOWUP, B, x=x0)
    dt, n_steps = 1e-3, 3000
    ref = _run(BLOWUP, 0, P, Y0, dt, n_steps, **options)
    fused = _run(BLOWUP, 2, P, Y0, dt, n_steps, **options)
    _same(ref, fused, options.get("red", 7))
    if options:
        return
    status = fused["STATUS"]
    # Euler blows up a little after the true time 1/x0; rows with 1/x0 well inside the run
    # diverge (status 1), rows that do not blow up finish with finite values
    assert (status[x0 > 1 / 2.5] == 1).all() and (status[x0 <= 0] == 0).all()
    assert np.isfinite(fused["FINAL"][:, status == 0]).all()
    assert np.isnan(fused["FINAL"][:, status != 0]).all()
    stopped = fused["TSTOP"][status == 1]
    assert (stopped > 1 / x0[status == 1] - 1e-12).all() and (stopped <= n_steps * dt).all()
    # the rows that finish are the same bits as when run without the diverging ones
    alone = _run(BLOWUP, 2, P[:, :B // 2], Y0[:, :B // 2].copy(), dt, n_steps)
    for key in ("RMIN", "RMAX", "RSUM", "FINAL"):
        np.testing.assert_array_equal(alone[key], fused[key][:, :B // 2])


def test_inputs_match_general_step():
    B = 50
    sig = Step(amplitude=np.linspace(0.0, 2.0, B), start=0.3)
    kw = dict(t=(0, 1), dt=1e-3, method="euler", record=["minmax", "mean"],
              inputs={"u": sig}, progress=False)
    ds = nma.simulate(RELAX, **kw)
    # the same run in float32 takes the general step; in float64 the fused one: the
    # first agrees with the second to float32 rounding, the exact solution to O(dt)
    ds32 = nma.simulate(RELAX, dtype="float32", **kw)
    np.testing.assert_allclose(ds["x_max"], ds32["x_max"], rtol=1e-5, atol=1e-6)
    amp = np.linspace(0.0, 2.0, B)
    exact = amp * (1 - np.exp(-0.7))            # x(1) below its limit amp (theta = 1)
    np.testing.assert_allclose(ds["x_max"], exact, rtol=2e-3, atol=1e-12)
    np.testing.assert_array_equal(ds["twice_max"], 2 * ds["x_max"])


def test_input_knot_search_matches_numpy():
    module = compile_model(RELAX).module
    rng = np.random.default_rng(1)
    for K in (1, 2, 5, 17):
        T = np.sort(np.round(rng.uniform(0, 4, K), 1))  # repeated knots: jumps
        padded = np.concatenate([T, np.full(3, np.inf)])
        for t in np.concatenate([T, rng.uniform(-1, 5, 40), [T[0] - 1, T[-1] + 1]]):
            for left in (True, False):
                j, w = module.input_position(padded, K, float(t), left)
                side = "left" if left else "right"
                expect = int(np.searchsorted(T, t, side=side)) - 1
                if expect < 0:
                    assert (j, w) == (0, 0.0)
                elif expect >= K - 1:
                    assert (j, w) == (K - 1, 0.0)
                else:
                    assert j == expect
                    assert w == (t - T[j]) / (T[j + 1] - T[j])
