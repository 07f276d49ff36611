"""Accuracy, special values and vectorisation of :mod:`nmanalysis.compile.fastmath`.

Every function is checked as a scalar call and inside an ``njit`` loop (where
LLVM inlines and vectorises it) against numpy/scipy references, and on a small
sample against mpmath (so the bounds do not depend on the local libm).  The
bounds are the measured ones (millions of samples, x86-64 with FMA) with a
small margin; "ulp" distances count representable doubles between results.
"""

import os
import re
import subprocess
import sys
import textwrap

import mpmath
import numba
import numpy as np
import pytest
from scipy.special import expit

from nmanalysis.compile import fastmath as fm
from nmanalysis.compile.fastmath import fexp, fexpm1, fheaviside, fphi1, fsigmoid, ftanh

#: max distance in ulp from the numpy/scipy reference on normal-range results
MAX_ULP = {"exp": 1, "expm1": 1, "phi1": 2, "sigmoid": 4, "tanh": 3}
#: max relative difference from the reference on normal-range results
MAX_REL = {"exp": 2.3e-16, "expm1": 2.3e-16, "phi1": 4.5e-16, "sigmoid": 5e-16, "tanh": 5e-16}
#: 99th percentile of the relative difference (the brief asks <= 1e-15)
P99_REL = {"exp": 2.0e-16, "expm1": 2.1e-16, "phi1": 2.3e-16, "sigmoid": 2.5e-16, "tanh": 2.5e-16}
#: max distance in ulp from the correctly rounded value (mpmath)
MAX_ULP_TRUE = {"exp": 1, "expm1": 1, "phi1": 2, "sigmoid": 2, "tanh": 2}

EXP_MAX = 709.782712893384  # log(DBL_MAX)
EXP_NORMAL_MIN = -708.3964185322641  # log(DBL_MIN): results below are subnormal
EXP_ZERO = -745.1332191019412  # exp rounds to 0 at and below this
TINY = 5e-324

rng = np.random.default_rng(20240611)


def _loop(f):
    @numba.njit(error_model="numpy")
    def loop(x):
        out = np.empty(x.size)
        for b in range(x.size):
            out[b] = f(x[b])
        return out

    return loop


LOOPS = {name: _loop(f) for name, f in fm.FUNCTIONS.items()}


def _phi1_ref(z):
    with np.errstate(all="ignore"):
        return np.where(z == 0, 1.0, np.expm1(z) / np.where(z == 0, 1.0, z))


REFS = {"exp": np.exp, "expm1": np.expm1, "phi1": _phi1_ref, "sigmoid": expit, "tanh": np.tanh,
        "heaviside": lambda x: np.heaviside(x, 0.5)}


def ulp_dist(a, b):
    """Number of doubles between a and b (0 if both NaN)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    ia, ib = a.view(np.int64), b.view(np.int64)
    lo = np.iinfo(np.int64).min
    ia = np.where(ia < 0, lo - ia, ia)
    ib = np.where(ib < 0, lo - ib, ib)
    d = np.abs(ia - ib)
    return np.where(np.isnan(a) & np.isnan(b), 0, d)


def logu(lo, hi, n):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


def _tiny():
    t = logu(1e-300, 1.0, 100_000)
    return np.concatenate([t, -t])


# dense samples with normal-range results, per function
SAMPLES = {
    "exp": np.concatenate([rng.uniform(EXP_NORMAL_MIN, EXP_MAX, 400_000), rng.uniform(-2, 2, 100_000),
                           _tiny()]),
    "expm1": np.concatenate([rng.uniform(-745.2, EXP_MAX, 300_000), rng.uniform(-2, 2, 200_000),
                             _tiny()]),
    "phi1": np.concatenate([rng.uniform(-745.2, EXP_MAX, 300_000), rng.uniform(-2, 2, 200_000),
                            _tiny()]),
    "sigmoid": np.concatenate([rng.uniform(EXP_NORMAL_MIN, 745.2, 300_000), rng.uniform(-40, 40, 200_000),
                               _tiny()]),
    "tanh": np.concatenate([rng.uniform(-25, 25, 300_000), rng.uniform(-2, 2, 200_000), _tiny()]),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_accuracy_vs_numpy(name):
    x = SAMPLES[name]
    y, ref = LOOPS[name](x), REFS[name](x)
    assert np.all(np.isfinite(y))
    rel = np.abs(y - ref) / np.abs(ref)
    assert np.mean(rel <= 1e-15) >= 0.99
    assert np.quantile(rel, 0.99) <= P99_REL[name]
    assert rel.max() <= MAX_REL[name], x[np.argmax(rel)]
    assert ulp_dist(y, ref).max() <= MAX_ULP[name]


TRUTH = {
    "exp": (mpmath.exp, (-708, 709.7), (-1, 1)),
    "expm1": (mpmath.expm1, (-40, 60), (-1.5, 1.5)),
    "phi1": (lambda z: mpmath.expm1(z) / z, (-40, 716), (-1.5, 1.5)),
    "sigmoid": (lambda x: 1 / (1 + mpmath.exp(-x)), (-700, 40), (-5, 5)),
    "tanh": (mpmath.tanh, (-20, 20), (-1, 1)),
}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_accuracy_vs_mpmath(name):
    mf, wide, narrow = TRUTH[name]
    x = np.concatenate([rng.uniform(*wide, 300), rng.uniform(*narrow, 300)])
    with mpmath.workprec(110):
        truth = np.array([float(mf(mpmath.mpf(float(v)))) for v in x])
    assert ulp_dist(LOOPS[name](x), truth).max() <= MAX_ULP_TRUE[name]


@pytest.mark.parametrize("name, lo, hi", [("expm1", 0.3, 0.5), ("expm1", -0.5, -0.3), ("expm1", 1.0, 1.1),
                                           ("phi1", 0.3, 0.5), ("phi1", -0.5, -0.3), ("tanh", 0.15, 0.25)])
def test_accuracy_where_expm1_cancels(name, lo, hi):
    """Dense samples where ``2**k exp(r) - 1`` cancels (k = 1, -1, 2 at the ends of the range of r)."""
    x = np.random.default_rng(7).uniform(lo, hi, 2000)
    with mpmath.workprec(110):
        truth = np.array([float(TRUTH[name][0](mpmath.mpf(float(v)))) for v in x])
    assert ulp_dist(LOOPS[name](x), truth).max() <= MAX_ULP_TRUE[name]


@pytest.mark.parametrize("prefix, lo, hi, bound", [("_C", -0.3465736, 0.3465736, 6e-18),
                                                   ("_D", -0.2496, 0.4437, 6.5e-18)])
def test_polynomial_error(prefix, lo, hi, bound):
    """``r + r**2 (c2 + ... + c11 r**9) - expm1(r)`` relative to ``exp(r)``: the minimax error."""
    c = [mpmath.mpf(getattr(fm, f"{prefix}{j}")) for j in range(11, 1, -1)]
    with mpmath.workprec(120):
        err = max(abs(r + r * r * mpmath.polyval(c, r) - mpmath.expm1(r)) / mpmath.exp(r)
                  for r in mpmath.linspace(lo, hi, 1001))
    assert err <= bound


def _near(x0, k=4):
    """x0 and its k neighbouring doubles on each side."""
    up, down = [x0], [x0]
    for _ in range(k):
        up.append(np.nextafter(up[-1], np.inf))
        down.append(np.nextafter(down[-1], -np.inf))
    return np.array(down[:0:-1] + up)


def test_exp_thresholds_and_subnormals():
    x = np.concatenate([_near(EXP_MAX), _near(EXP_ZERO), _near(EXP_NORMAL_MIN), _near(-745.0),
                        rng.uniform(-745.2, EXP_NORMAL_MIN, 100_000)])
    with np.errstate(over="ignore"):
        y, ref = LOOPS["exp"](x), np.exp(x)
    assert np.array_equal(np.isinf(y), np.isinf(ref))
    assert np.array_equal(y == 0, ref == 0)
    assert ulp_dist(y, ref).max() <= 1  # subnormals: within 1 ulp = 5e-324 absolute
    assert fexp(EXP_MAX) == np.exp(EXP_MAX) and fexp(np.nextafter(EXP_MAX, 800)) == np.inf
    assert fexp(-745.1332191019411) == TINY and fexp(EXP_ZERO) == 0.0


def test_sigmoid_subnormal_results():
    x = rng.uniform(-745.2, -700, 100_000)  # expit flushes these to 0; the answer is ~exp(x)
    assert ulp_dist(LOOPS["sigmoid"](x), np.exp(x)).max() <= 1


def test_sigmoid_is_one_division_by_one_plus_exp():
    """The sigmoid's own scaling of exp(-|x|) gives the bits of (e or 1) / (1 + e) with
    e = fexp(-|x|) wherever e is normal; where it is subnormal, it rounds once (fexp twice),
    so the sigmoid is within half an ulp of the exact exp(x) there."""
    x = np.concatenate([rng.uniform(-800, 800, 300_000), rng.normal(0, 5, 100_000),
                        [0.0, -0.0, TINY, -TINY, 708.0, -708.0, 800.0, np.inf, -np.inf]])
    e = LOOPS["exp"](-np.abs(x))
    expect = np.where(np.signbit(x), e, 1.0) / (1.0 + e)
    normal = (e == 0) | (e >= np.finfo(float).tiny)
    assert normal.mean() > 0.9
    y = LOOPS["sigmoid"](x)
    np.testing.assert_array_equal(y[normal].view(np.int64), expect[normal].view(np.int64))
    assert (y[np.isposinf(x)] == 1.0).all() and (y[np.isneginf(x)] == 0.0).all()
    sub = rng.uniform(-745.2, -708.4, 100_000)
    with mpmath.workprec(80):
        truth = np.array([float(mpmath.exp(v) / (1 + mpmath.exp(v))) for v in sub[:2000]])
    got = LOOPS["sigmoid"](sub[:2000])
    assert ulp_dist(got, truth).max() <= 1 and np.mean(got == truth) > 0.99
    assert ulp_dist(LOOPS["sigmoid"](sub), np.exp(sub)).max() <= 1


def test_phi1_beyond_expm1_overflow():
    """phi_1(z) = exp(z)/z stays finite up to z ~ 716.4 although expm1 overflows."""
    z = np.array([709.9, 712.0, 714.5, 716.0, 716.3])
    with mpmath.workprec(110):
        truth = np.array([float(mpmath.expm1(v) / v) for v in z])
    assert ulp_dist(LOOPS["phi1"](z), truth).max() <= 2
    assert fphi1(716.5) == np.inf and fphi1(1e300) == np.inf


SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, TINY, -TINY, 2.2e-308, -2.2e-308, 1e-310,
                    -1e-310, 1e-300, -1e-300, 1e300, -1e300, 800.0, -800.0, 40.0, -40.0, 22.5, -22.5])

EXPECTED = {
    "exp": np.exp,
    "expm1": np.expm1,
    "tanh": np.tanh,
    "heaviside": lambda x: np.heaviside(x, 0.5),
    "sigmoid": lambda x: np.where(x < -700, np.exp(np.maximum(x, -800)), expit(x)),
    "phi1": lambda z: np.select([z == 0, z == np.inf, np.abs(z) < 1e-200], [1.0, np.inf, 1.0], _phi1_ref(z)),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_special_values(name):
    f = fm.FUNCTIONS[name]
    with np.errstate(all="ignore"):
        ref = EXPECTED[name](SPECIAL)
    for y in (LOOPS[name](SPECIAL), np.array([f(v) for v in SPECIAL])):
        nan = np.isnan(ref)
        assert np.array_equal(np.isnan(y), nan)
        assert np.array_equal(np.signbit(y[~nan]), np.signbit(ref[~nan]))  # sign of zeros too
        assert ulp_dist(y, ref).max() <= 1, (SPECIAL, y, ref)


def test_special_values_exact():
    assert fexp(-np.inf) == 0.0 and fexp(np.inf) == np.inf and fexp(0.0) == 1.0
    assert fexpm1(-np.inf) == -1.0 and fexpm1(-1000.0) == -1.0 and fexpm1(TINY) == TINY
    assert np.signbit(fexpm1(-0.0)) and np.signbit(ftanh(-0.0)) and ftanh(-TINY) == -TINY
    assert ftanh(np.inf) == 1.0 and ftanh(-np.inf) == -1.0 and ftanh(1e-300) == 1e-300
    assert fphi1(0.0) == 1.0 and fphi1(-0.0) == 1.0 and fphi1(-np.inf) == 0.0
    assert fsigmoid(0.0) == 0.5 and fsigmoid(np.inf) == 1.0 and fsigmoid(-np.inf) == 0.0
    assert [fheaviside(v) for v in (-1.0, -0.0, 0.0, TINY)] == [0.0, 0.5, 0.5, 1.0]
    for f in fm.FUNCTIONS.values():
        assert np.isnan(f(np.nan))


@pytest.mark.parametrize("name", sorted(fm.FUNCTIONS))
def test_vectorised_equals_scalar(name):
    f = fm.FUNCTIONS[name]
    x = np.concatenate([SPECIAL, rng.uniform(-50, 50, 300), rng.uniform(-745, 710, 300), _tiny()[::1000]])
    scalar = np.array([f(v) for v in x])
    assert np.array_equal(LOOPS[name](x).view(np.int64), scalar.view(np.int64))


@pytest.mark.parametrize("name", sorted(fm.FUNCTIONS))
def test_float32_and_int_arguments(name):
    f = fm.FUNCTIONS[name]
    x32 = rng.uniform(-30, 30, 1000).astype(np.float32)
    x32[:3] = [0, np.inf, np.nan]
    expect = LOOPS[name](x32.astype(np.float64))
    got = LOOPS[name](x32)  # float32 array in, float64 computation
    assert np.array_equal(got, expect, equal_nan=True)
    assert f(np.float32(0.5)) == f(0.5) and isinstance(f(np.float32(0.5)), float)
    assert f(2) == f(2.0)


def test_functions_table():
    assert fm.FUNCTIONS == {"exp": fexp, "expm1": fexpm1, "sigmoid": fsigmoid, "tanh": ftanh,
                            "heaviside": fheaviside, "phi1": fphi1}


def _host_simd():
    from llvmlite import binding as llvm

    return not os.environ.get("NUMBA_CPU_NAME") and "+sse4.1" in llvm.get_host_cpu_features().flatten()


@pytest.mark.skipif(not _host_simd(), reason="needs a native SSE4.1+ target (blendv)")
@pytest.mark.parametrize("flags", [{"error_model": "numpy"}, {}, {"fastmath": True}],
                         ids=["numpy-errors", "python-errors", "fastmath"])
@pytest.mark.parametrize("name", ["exp", "expm1", "sigmoid", "tanh", "phi1"])
def test_loops_vectorise_whatever_the_caller_flags(name, flags):
    """The loop body is SIMD (no libm call), and the caller's flags do not leak in."""
    f = fm.FUNCTIONS[name]

    @numba.njit(**flags)
    def loop(x, out):
        for b in range(x.size):
            out[b] = f(x[b])

    x = np.concatenate([SPECIAL, rng.uniform(-20, 20, 100)])
    out = np.empty_like(x)
    loop(x, out)
    assert np.array_equal(out.view(np.int64), LOOPS[name](x).view(np.int64))
    llvm_ir = loop.inspect_llvm(loop.signatures[0])
    assert re.search(r"<\d+ x double>", llvm_ir)
    assert not re.search(r"call [^\n]*@(exp|tanh|expm1)\b", llvm_ir)


def test_intrinsics_load_from_cache_in_a_fresh_process(tmp_path):
    script = textwrap.dedent("""
        from nmanalysis.compile.fastmath import fexp, ftanh
        print(fexp(1.5), ftanh(0.25), sum(fexp.stats.cache_hits.values()))
    """)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                           check=True).stdout.split() for _ in range(2)]
    assert runs[0][:2] == runs[1][:2] == [repr(fexp(1.5)), repr(ftanh(0.25))]
    assert runs[0][2] == "0" and runs[1][2] == "1"
