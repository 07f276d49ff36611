"""Random equation text fed to Model: it is accepted or refused with ModelError, promptly.

Accepted models must also give a finite, real symbolic right-hand side and
Jacobian (or a ModelError naming the term when sympy's simplification turns
it into nonsense); no other exception and no hang is allowed.
"""

import time

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nmanalysis as nma

LIMIT_S = 5.0       # generous: every outcome below takes milliseconds on an idle machine

ODDITIES = "\ufb01\u00b5\u03bc\uff58\u00b2\u00bd\u2212\u200b\u00e9\u0301\u2167\U0001d465"
ALPHABET = "xyabt_pie0123456789.+-*/^()[],= " + ODDITIES

FUNCS = {"exp": 1, "log": 1, "sqrt": 1, "sin": 1, "tan": 1, "tanh": 1, "abs": 1, "sign": 1,
         "sigmoid": 1, "Heaviside": 1, "expm1": 1, "cosh": 1, "pow": 2, "min": 2, "max": 3,
         "g": 1}
NUMBERS = st.one_of(
    st.integers(-12, 12).map(str),
    st.sampled_from(["0", "0.0", "1e300", "1e-300", "10", "9", "2", "1000", "10**10",
                     "123456789012345678901234567890"]),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
)
LEAVES = st.one_of(
    NUMBERS, st.sampled_from(["x", "y", "a", "b", "t", "pi", "\u00b5", "q"]),
    # pieces sympy simplifies to exact numbers the text does not show
    st.sampled_from(["(x - x)", "x*0.0", "sqrt(9**9)", "log(2*x)", "Heaviside(0.0)",
                     "exp(log(2))", "(y + 1 - y)"]),
)


def _extend(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "^"]), children) \
        .map(lambda p: f"({p[0]}){p[1]}({p[2]})")
    unary = children.map(lambda c: f"-({c})")
    call = st.sampled_from(sorted(FUNCS)).flatmap(
        lambda f: st.lists(children, min_size=FUNCS[f], max_size=FUNCS[f])
        .map(lambda args: f"{f}({', '.join(args)})"))
    return st.one_of(binary, unary, call)


TREES = st.recursive(LEAVES, _extend, max_leaves=14)
JUNK = st.text(alphabet=ALPHABET, max_size=40)


def _outcome(rhs):
    try:
        m = nma.Model(name="fz", states={"x": 0.1, "y": 0.2},
                      params={"a": 1.5, "\u00b5": 0.5, "b": -0.5},
                      functions={"g(v)": "a*v/(1 + v**2)"},
                      equations={"x": rhs, "y": "a*x - y"})
    except nma.ModelError:
        return "refused"
    try:
        rhs_exprs = m.rhs_expressions()
        jac = m.jacobian()
    except nma.ModelError:
        return "refused symbolically"
    for e in rhs_exprs:
        assert not e.has(sp.zoo, sp.nan, sp.oo, sp.I), e
    assert jac.shape == (2, 2)
    return "accepted"


def _run(rhs):
    start = time.perf_counter()
    _outcome(rhs)
    elapsed = time.perf_counter() - start
    assert elapsed < LIMIT_S, f"{rhs!r} took {elapsed:.2f} s"


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_random_expression_trees_are_accepted_or_refused_with_model_error(rhs):
    _run(rhs)


@settings(max_examples=300, deadline=None)
@given(JUNK)
def test_random_text_is_accepted_or_refused_with_model_error(rhs):
    _run(rhs)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TREES, min_size=2, max_size=6), st.sampled_from(["**", "*", "/", "+"]))
def test_random_chains_of_trees_are_accepted_or_refused_with_model_error(parts, op):
    _run(op.join(f"({p})" for p in parts))
