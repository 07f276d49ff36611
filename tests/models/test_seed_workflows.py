"""The seed tutorials' single-node workflows, reproduced and checked.

(a) PyRates' Wilson-Cowan tutorial against PyRates' own output.
    Convention found (and tested below): PyRates' forward Euler step from
    ``t_n = n dt`` uses the input sample ``inp[n]``, so its input array with
    ``inp[int(25/dt):int(100/dt)] = 1`` is exactly ``Pulse(1, start=25,
    stop=100)`` under nmanalysis' right-continuous rule (the input does *not*
    start one step late), and the row written at ``t_k`` is the state *after*
    ``t_k/dt`` steps (row t = 0 is the initial state; the state at t = 125 is
    not written). The first rows are 0 because ``re = ri = 0`` is an
    equilibrium without input. PyRates 1.2.3 ran the tutorial in single
    precision: our float64 Euler trace stays 8.2e-6 away from the CSV (the
    accumulated float32 rounding of PyRates, not a timing offset), our
    float32 Euler trace 4.5e-8 (the CSV has 10 digits; the rest is rounding
    order and ``exp``). Either precision shifted by one step (input or
    record) is >= 1.6e-5 away. Euler at dt = 5e-4 itself is 2.4e-5 (E) and
    2.7e-5 (I) away from dopri5 at rtol 1e-10.
(b) Jansen-Rit (library model) against scipy's DOP853 on equations written out
    here.
(c) brainmass' Wilson-Cowan node with Ornstein-Uhlenbeck noise: seeded runs
    are reproducible.
"""

from pathlib import Path

import numpy as np
import pytest

import nmanalysis as nma

TRACE = Path(__file__).resolve().parents[1] / "reference" / "data" / "pyrates_wc_tutorial.csv"
DT, T_END, DTS = 5e-4, 125.0, 0.01


@pytest.fixture(scope="module")
def trace():
    t, e, i = np.loadtxt(TRACE, delimiter=",", skiprows=1).T
    assert t.size == 12500
    return t, e, i


def _tutorial(dtype, pulse=(25.0, 100.0), sampling=DTS):
    m = nma.get_model("wilson_cowan_pyrates")
    return nma.simulate(m, t=(0.0, T_END), dt=DT, method="euler", dtype=dtype,
                        inputs={"u_e": nma.Pulse(amplitude=1.0, start=pulse[0], stop=pulse[1])},
                        sampling=sampling)


def _deviation(ds, trace, rows=None):
    t, e, i = trace
    rows = np.arange(t.size) if rows is None else rows
    re, ri = ds["re"].values[rows], ds["ri"].values[rows]
    return float(np.abs(re - e).max()), float(np.abs(ri - i).max())


def test_pyrates_wilson_cowan_tutorial_float64(trace):
    ds = _tutorial("float64")
    np.testing.assert_allclose(ds.time.values[:12500], trace[0], atol=1e-12)
    d_e, d_i = _deviation(ds, trace)
    assert d_e <= 1e-5 and d_i <= 1e-5, (d_e, d_i)     # measured 8.24e-6, 8.53e-6


def test_pyrates_timing_convention_and_precision(trace):
    # every step recorded: row 20 k is the state after 20 k steps
    ds = _tutorial("float32", sampling=DT)
    k = np.arange(trace[0].size) * 20
    assert max(_deviation(ds, trace, k)) <= 1e-6                # measured 4.5e-8
    assert min(_deviation(ds, trace, k + 1)) >= 1e-5            # state one step later
    assert min(_deviation(ds, trace, np.maximum(k - 1, 0))) >= 1e-5   # one step earlier
    # the input one step late is clearly worse
    late = _tutorial("float32", pulse=(25.0 + DT, 100.0 + DT))
    assert min(_deviation(late, trace)) >= 1e-5


def test_pyrates_euler_against_dopri5(trace):
    euler = _tutorial("float64")
    m = nma.get_model("wilson_cowan_pyrates")
    ref = nma.simulate(m, t=(0.0, T_END), method="dopri5", rtol=1e-10, atol=1e-12,
                       inputs={"u_e": nma.Pulse(amplitude=1.0, start=25.0, stop=100.0)},
                       sampling=DTS)
    assert int(ref["status"]) == 0
    d_e = float(np.abs(euler["re"] - ref["re"]).max())
    d_i = float(np.abs(euler["ri"] - ref["ri"]).max())
    # forward Euler's global error at dt = 5e-4: measured 2.44e-5 (E), 2.73e-5 (I)
    assert 1e-5 < d_e < 5e-5 and 1e-5 < d_i < 5e-5, (d_e, d_i)


def _jansen_rit_by_hand(t, y, p=220.0):
    A, B, a, b, C, e0, v0, r = 3.25, 22.0, 100.0, 50.0, 135.0, 2.5, 6.0, 0.56

    def sigm(v):
        return 2 * e0 / (1 + np.exp(r * (v0 - v)))

    y0, y1, y2, y3, y4, y5 = y
    return [y3, y4, y5,
            A * a * sigm(y1 - y2) - 2 * a * y3 - a * a * y0,
            A * a * (p + 0.8 * C * sigm(C * y0)) - 2 * a * y4 - a * a * y1,
            B * b * 0.25 * C * sigm(0.25 * C * y0) - 2 * b * y5 - b * b * y2]


def test_jansen_rit_against_scipy():
    from scipy.integrate import solve_ivp

    m = nma.get_model("jansen_rit")
    assert m.params["p"] == 220.0
    ds = nma.simulate(m, t=(0.0, 1.0), method="dopri5", rtol=1e-10, atol=1e-10, sampling=1e-3)
    assert int(ds["status"]) == 0
    t = ds.time.values
    sol = solve_ivp(_jansen_rit_by_hand, (0.0, 1.0), list(m.states.values()), method="DOP853",
                    rtol=1e-13, atol=1e-12, t_eval=t)
    assert sol.success
    v_pc = sol.y[1] - sol.y[2]
    assert float(np.abs(ds["v_pc"].values - v_pc).max()) < 1e-6
    assert np.ptp(v_pc[t > 0.5]) > 2.0      # it oscillates (~11 Hz), not a fixed point


def test_brainmass_wilson_cowan_ou_noise_is_reproducible():
    m = nma.get_model("wilson_cowan")
    # brainmass OUProcess(sigma=0.01), tau = 10 ms: dx = -x/tau dt + sigma/sqrt(tau) dW
    noise = {s: {"sigma": 0.01 / np.sqrt(10.0), "tau": 10.0} for s in ("rE", "rI")}

    def run(seed):
        return nma.simulate(m, t=(0.0, 100.0), dt=0.1, method="exp_euler", noise=noise,
                            seed=seed)

    a, b, c = run(7), run(7), run(8)
    np.testing.assert_array_equal(a["rE"].values, b["rE"].values)
    np.testing.assert_array_equal(a["rI"].values, b["rI"].values)
    assert not np.array_equal(a["rE"].values, c["rE"].values)
    assert np.all(np.isfinite(a["rE"].values)) and float(np.std(a["rE"].values[500:])) > 0
