"""Fuzzing the XPPAUT reader: whatever the text, the result is a Model or an NMAError."""

import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import nmanalysis as nma  # noqa: E402
from nmanalysis.errors import NMAError  # noqa: E402
from nmanalysis.io.xpp import parse_ode  # noqa: E402

FUZZ = settings(max_examples=max(150, settings.default.max_examples), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
_PIECES = st.sampled_from(
    ["x", "y", "a", "k", "'", "=", "(", ")", ",", " ", "\n", "\\\n", "par ", "p ", "init ",
     "aux ", "number ", "!", "@ ", "done", "#", "dx/dt", "d", "/", "*", "**", "^", "+", "-",
     "0", "1", ".5", "1e400", "(0)", "(t+1)", "exp", "heav", "flr", "t", "pi", "[", "{",
     "table ", "wiener ", "f(u)", "u", "__import__", "\x00", "\ufeff", "é", "9" * 30,
     "(" * 40, "total", "meth", "xp", "xlo"])


@FUZZ
@given(pieces=st.lists(_PIECES, max_size=60))
def test_fuzz_ode_like_text(pieces):
    try:
        result = parse_ode("".join(pieces), source="fuzz.ode")
    except NMAError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 2000
        return
    assert isinstance(result.model, nma.Model)


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes(tmp_path, data):
    path = tmp_path / "fuzz.ode"
    path.write_bytes(data)
    try:
        result = nma.load_model(path)
    except NMAError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(result, nma.Model)


_LINES = st.sampled_from(
    ["par a=1", "p b=-2.5e-1, c=3", "x'=-a*x+b", "y'=x-y*c", "dx/dt=f(x)-x", "init x=0.5",
     "x(0)=2", "z=x*y", "w=z+x", "aux q=z+1", "aux r=w^2", "f(u)=u^2+a", "g(u,v)=f(u)*v",
     "number k=3", "!d=a*k", "y'=g(x,y)+d", "@ total=10, dt=.1", "@ xp=x, yp=y, xlo=-1",
     "# comment", "done", "x'=heav(x)+ln(2)", "y'=max(x,y)", "par A=1", "x'=exp(-x)"])


@FUZZ
@given(lines=st.lists(_LINES, max_size=12))
def test_fuzz_statement_combinations(lines):
    """Mostly valid files: each gives a model with a symbolic form, or a one-line error."""
    try:
        result = parse_ode("\n".join(lines), source="fuzz.ode")
    except NMAError as exc:
        assert "\n" not in str(exc)
        return
    model = result.model
    assert model.n_states >= 1
    try:
        model.rhs_expressions()
    except NMAError as exc:           # e.g. a constant that is undefined after all
        assert "\n" not in str(exc)
