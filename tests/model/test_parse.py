"""The safe expression parser: what it accepts, what it refuses, and how it says so."""

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nmanalysis as nma
from nmanalysis.model.parse import names_in, parse_expression, parse_signature
from nmanalysis.model.sympy_form import to_sympy

KNOWN = {"x", "y", "a"}


@pytest.mark.parametrize("text", [
    "x + y*a", "x^2 - y**3/3", "-x + +y", "exp(-a*(x - 1))", "min(x, y, a)", "max(x, 1)",
    "Heaviside(x - 0.5)", "sigmoid(x)", "pow(x, 2)", "sqrt(abs(x))", "tanh(x) + log(y)",
    "pi*t", "1e-3*x", "sin(x)*cos(y)",
])
def test_accepts_plain_arithmetic(text):
    tree = parse_expression(text, KNOWN)
    assert isinstance(tree, ast.expr)


@pytest.mark.parametrize("text, culprit", [
    ("__import__('os')", "__import__"),
    ("x.real", "x.real"),
    ("x.__class__", "x.__class__"),
    ("q + x", "'q'"),
    ("eval('1')", "eval"),
    ("open('f')", "open"),
    ("(lambda: 1)()", "lambda: 1"),
    ("x[0]", "Subscript"),
    ("x if y else a", "IfExp"),
    ("x < y", "Compare"),
    ("'abc'", "'abc'"),
    ("exp(x=1)", "positional"),
    ("exp(*x)", "positional"),
    ("exp(x, y)", "1 argument"),
    ("x // y", "FloorDiv"),
    ("x % y", "Mod"),
    ("exp", "must be called"),
    ("[x]", "List"),
    ("x; y", "cannot parse"),
    ("True", "True"),
])
def test_refuses_with_the_culprit_named(text, culprit):
    with pytest.raises(nma.ModelError, match="equation") as err:
        parse_expression(text, KNOWN, where="equation for 'x'")
    assert culprit in str(err.value)


def test_caret_is_power_with_power_precedence():
    tree = parse_expression("x - x^3/3", {"x"})
    assert ast.unparse(tree) == "x - x ** 3 / 3"


def test_signature():
    assert parse_signature("S(x, k, th)") == ("S", ("x", "k", "th"))
    with pytest.raises(nma.ModelError):
        parse_signature("S(x, x)")
    with pytest.raises(nma.ModelError):
        parse_signature("S(x + 1)")


def test_to_sympy_is_exact_for_rationals():
    import sympy as sp
    tree = parse_expression("x/3 + 0.5", {"x"})
    x = sp.Symbol("x", real=True)
    expr = to_sympy(tree, {"x": x})
    assert sp.simplify(expr - (x / 3 + sp.Rational(1, 2))) == 0
    assert names_in(tree) == {"x"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="xya()+-*/^.,_[]'\"0123456789 eplomnsqrt=<>!&|~%:;@#", max_size=40))
def test_random_junk_raises_only_model_error(text):
    try:
        parse_expression(text, KNOWN)
    except nma.ModelError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_unicode_raises_only_model_error(text):
    try:
        parse_expression(text, KNOWN)
    except nma.ModelError:
        pass
