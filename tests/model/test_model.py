"""Model construction, validation, immutability, hashing and symbolic derivatives."""

import math

import numpy as np
import pytest
import sympy as sp

import nmanalysis as nma

FHN = dict(name="fhn", states={"v": -1.0, "w": 1.0},
           params={"I": 0.5, "a": 0.7, "b": 0.8, "tau": 12.5},
           equations={"v": "v - v**3/3 - w + I", "w": "(v + a - b*w)/tau"})


def make(**changes):
    d = {k: (dict(v) if isinstance(v, dict) else v) for k, v in FHN.items()}
    d.update(changes)
    return nma.Model(**d)


def test_read_only_views_and_order():
    m = make()
    assert m.state_names == ("v", "w")
    assert dict(m.params) == {"I": 0.5, "a": 0.7, "b": 0.8, "tau": 12.5}
    with pytest.raises(TypeError):
        m.params["I"] = 3.0
    with pytest.raises(AttributeError):
        m.name = "other"


def test_with_params_returns_new_model_and_checks_names():
    m = make()
    m2 = m.with_params(I=0.8)
    assert m.params["I"] == 0.5 and m2.params["I"] == 0.8
    assert m.structure_hash == m2.structure_hash
    assert m.hash != m2.hash
    with pytest.raises(nma.ModelError, match="'J' is not a parameter"):
        m.with_params(J=1.0)


@pytest.mark.parametrize("changes, match", [
    (dict(equations={"v": "v"}), "state 'w' has no equation"),
    (dict(equations={"v": "v", "w": "w", "z": "1"}), "unknown state 'z'"),
    (dict(states={"t": 0.0, "v": 1.0, "w": 1.0}), "reserved"),
    (dict(params={"v": 1.0, "a": 0.7, "b": 0.8, "tau": 1.0, "I": 0.0}), "used twice"),
    (dict(params={"I": math.inf, "a": 0.7, "b": 0.8, "tau": 12.5}), "finite"),
    (dict(params={"I": float("nan"), "a": 0.7, "b": 0.8, "tau": 12.5}), "finite"),
    (dict(states={"v": "abc", "w": 1.0}), "must be a number"),
    (dict(states={}), "at least one state"),
    (dict(equations={"v": "v - q", "w": "w"}), "unknown name 'q'"),
    (dict(states={"_v": 1.0, "w": 1.0}), "may not start"),
    (dict(params={"I": {"value": 1, "bounds": (2, 1)}, "a": 0.7, "b": 0.8, "tau": 12.5}),
     "low < high"),
    (dict(params={"I": {"value": 1, "colour": "red"}, "a": 0.7, "b": 0.8, "tau": 12.5}),
     "unknown keys"),
])
def test_invalid_definitions_raise_model_error(changes, match):
    with pytest.raises(nma.ModelError, match=match):
        make(**changes)


def test_functions_observables_and_inputs():
    m = nma.Model(
        name="wc1", states={"E": 0.1},
        params={"w": 10.0, "th": 2.0},
        inputs={"u": 0.0},
        functions={"S(x, k)": "1/(1 + exp(-k*(x - th)))", "S2(x)": "S(x, 1)^2"},
        observables={"drive": "w*E + u"},
        equations={"E": "-E + S2(drive)"},
    )
    f = m.rhs_expressions()[0]
    E, w, th, u = sp.symbols("E w th u", real=True)
    expected = -E + (1 / (1 + sp.exp(-(w * E + u - th)))) ** 2
    assert sp.simplify(f - expected) == 0
    assert m.input_names == ("u",)
    assert m.observable_names == ("drive",)


def test_function_body_cannot_read_states():
    with pytest.raises(nma.ModelError, match="unknown name 'v'"):
        make(functions={"g(x)": "x + v"})


def test_jacobians_match_hand_derivation():
    m = make()
    J = m.jacobian()
    v, w, b, tau = sp.symbols("v w b tau", real=True)
    assert sp.simplify(J - sp.Matrix([[1 - v ** 2, -1], [1 / tau, -b / tau]])) == sp.zeros(2)
    Jp = m.jacobian_params()
    assert Jp.shape == (2, 4)
    assert Jp[0, 0] == 1


def test_sympy_equations_are_accepted():
    v, w = sp.symbols("v w")
    m = make(equations={"v": v - v ** 3 / 3 - w + sp.Symbol("I"), "w": "(v + a - b*w)/tau"})
    assert m.equations["v"].replace(" ", "") in ("I-v**3/3+v-w", "I+v-v**3/3-w")


def test_sigmoid_derivative_is_closed_form():
    m = nma.Model(name="s", states={"x": 0.0}, params={}, equations={"x": "sigmoid(x)"})
    d = m.jacobian()[0, 0]
    x = sp.Symbol("x", real=True)
    val = float(d.subs(x, 0.3).evalf())
    s = 1 / (1 + np.exp(-0.3))
    assert abs(val - s * (1 - s)) < 1e-15


def test_to_dict_round_trip():
    m = nma.get_model("wilson_cowan", variant="docstring")
    assert nma.Model(**m.to_dict()) == m


def test_library():
    assert {"wilson_cowan", "fitzhugh_nagumo"} <= set(nma.list_models())
    with pytest.raises(nma.ModelError, match="unknown model"):
        nma.get_model("nope")
    with pytest.raises(nma.ModelError, match="no variant"):
        nma.get_model("wilson_cowan", variant="bogus")
    code, doc = nma.get_model("wilson_cowan"), nma.get_model("wilson_cowan", "docstring")
    assert code.structure_hash != doc.structure_hash
