"""PyRates YAML templates: equations, reference bifurcations and trace, bad files."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import nmanalysis as nma
from nmanalysis.io.pyrates import load_pyrates, looks_like_pyrates

DATA = Path(__file__).parent / "data" / "pyrates"
REF = Path(__file__).resolve().parents[1] / "reference" / "data"
TRACE = REF / "pyrates_wc_tutorial.csv"


def _wc():
    return nma.load_model(DATA / "wilsoncowan.yaml",
                          template="model_templates.neural_mass_models.wilsoncowan.WC")


def _jrc():
    return nma.load_model(DATA / "jansenrit.yaml", template="JRC")


def _values(model, rng, scale=None):
    """Random values for every parameter and input of ``model``."""
    out = {}
    for name in (*model.param_names, *model.input_names):
        base = {**model.params, **model.inputs}[name]
        out[name] = base * rng.uniform(0.5, 1.5) if base else rng.uniform(-0.5, 0.5)
    return out


def _eval(exprs, values):
    subs = {sp.Symbol(k, real=True): v for k, v in values.items()}
    return np.array([float(e.subs(subs).evalf(30)) for e in exprs])


# -- equations -----------------------------------------------------------------------------
def test_wilson_cowan_template_has_the_library_equations():
    m, lib = _wc(), nma.get_model("wilson_cowan_pyrates")
    assert m.state_names == ("r_e", "r_i")
    assert {"r_ext_e", "r_ext_i", "w_e_e", "w_e_i", "w_i_e", "w_i_i"} <= set(m.param_names)
    assert m.input_names == ("u_r_ext_e", "u_r_ext_i")
    assert m.state_info["r_e"].description == "PyRates e/rate_op/r"
    # names of the loaded model -> expressions in the library's names (edge weights
    # carry the sign there, the library writes it in the equation)
    S = lambda n: sp.Symbol(n, real=True)  # noqa: E731
    rename = {"r_e": S("re"), "r_i": S("ri"), "k_e": S("k"), "k_i": S("k"),
              "w_e_e": S("w_ee"), "w_e_i": -S("w_ei"), "w_i_e": S("w_ie"),
              "w_i_i": -S("w_ii"), "u_r_ext_e": S("u_e"), "u_r_ext_i": S("u_i")}
    subs = {S(n): rename.get(n, S(n)) for n in (*m.state_names, *m.param_names,
                                                 *m.input_names)}
    ours = [e.xreplace(subs) for e in m.rhs_expressions()]
    theirs = lib.rhs_expressions()
    for a, b in zip(ours, theirs):
        assert sp.simplify(a - b) == 0, (a, b)
    # and numerically, at random states and parameters, in the library's names
    rng = np.random.default_rng(1)
    for _ in range(5):
        vals = _values(lib, rng)
        vals.update(re=rng.uniform(-0.2, 0.6), ri=rng.uniform(-0.2, 0.6))
        np.testing.assert_allclose(_eval(ours, vals), _eval(theirs, vals), rtol=1e-14,
                                   atol=1e-16)
    # default values: the template's numbers are the library's
    for ours_name, lib_name, sign in (("w_e_e", "w_ee", 1), ("w_e_i", "w_ei", -1),
                                      ("w_i_e", "w_ie", 1), ("w_i_i", "w_ii", -1),
                                      ("tau_e", "tau_e", 1), ("theta_i", "theta_i", 1),
                                      ("s_i", "s_i", 1), ("k_e", "k", 1)):
        assert m.params[ours_name] == sign * lib.params[lib_name]


# Jansen-Rit: the template has 8 states in volts; the library has 6 in mV. The map
# y -> x below (x = Phi y) sends library states to template states; the equations agree
# when f_template(Phi y) = Phi f_library(y) at every state.
def _phi(y, C):
    y0, y1, y2, y3, y4, y5 = y
    return 1e-3 * np.array([y1, y4, -y2, -y5, C * y0, C * y3, 0.25 * C * y0, 0.25 * C * y3])


def test_jansen_rit_template_has_the_library_equations():
    m, lib = _jrc(), nma.get_model("jansen_rit")
    assert m.state_names == ("V_pc_rpo_e_in", "X_pc_rpo_e_in", "V_pc_rpo_i", "X_pc_rpo_i",
                             "V_ein", "X_ein", "V_iin", "X_iin")
    assert m.params["u"] == 220.0 and m.input_names == ("u_u",)
    assert m.params["tau_pc_rpo_i"] == 0.02 and m.params["h_pc_rpo_i"] == 0.022
    assert m.params["w_pc_iin"] == -33.75 and m.params["w_ein_pc"] == 135.0
    ours, theirs = m.rhs_expressions(), lib.rhs_expressions()
    rng = np.random.default_rng(2)
    C = lib.params["C"]
    for _ in range(4):
        y = np.array([rng.uniform(-0.05, 0.2), *rng.uniform(-5, 30, 2),
                      *rng.uniform(-20, 20, 3)])
        p = rng.uniform(-100, 400)
        lib_vals = {**dict(lib.params), "p": p, **dict(zip(lib.state_names, y))}
        x = _phi(y, C)
        vals = {**dict(m.params), "u": p, "u_u": 0.0, **dict(zip(m.state_names, x))}
        want = _phi(_eval(theirs, lib_vals), C)
        got = _eval(ours, vals)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())


def test_node_and_operator_templates_load_alone():
    node = nma.load_model(DATA / "wilsoncowan.yaml", template="exc_pop")
    assert node.state_names == ("r",)
    assert node.observable_names == ("m",)
    assert set(node.param_names) == {"k", "tau", "s", "theta", "r_in", "r_ext"}
    op = load_pyrates(DATA / "base_templates.yaml", "alpha_op")
    assert op.state_names == ("V", "X") and op.params["tau"] == 1.0
    assert op.equations["X"] == "r_in + u_r_in - 2 * X / tau - V / tau ** 2"


# -- reference dynamics --------------------------------------------------------------------
def _crosschecked(ref):
    return sorted((s["type"], s["crosscheck"]["param"], s["crosscheck"]["state"])
                  for s in ref["special_points"])


def test_wilson_cowan_template_folds_match_auto():
    ref = json.loads((REF / "wc_pyrates.json").read_text())
    tree = nma.continuation(_wc(), "r_ext_e", p_range=ref["continuation_range"])
    sp_ = nma.special_points(tree)
    got = sorted(zip(sp_["type"].values.tolist(), sp_["r_ext_e"].values.tolist(),
                     sp_["r_e"].values.tolist(), sp_["r_i"].values.tolist()))
    want = _crosschecked(ref)
    assert [g[0] for g in got] == [w[0] for w in want] == ["LP", "LP"]
    for (kind, p, re, ri), (_, p_ref, x_ref) in zip(got, want):
        assert abs(p - p_ref) <= 1e-9 * max(1.0, abs(p_ref)), (p, p_ref)
        np.testing.assert_allclose([re, ri], x_ref, rtol=1e-8, atol=1e-10)


def test_jansen_rit_template_special_points_match_auto():
    ref = json.loads((REF / "jansen_rit.json").read_text())
    tree = nma.continuation(_jrc(), "u", p_range=ref["continuation_range"])
    sp_ = nma.special_points(tree)
    got = sorted(zip(sp_["type"].values.tolist(), sp_["u"].values.tolist(),
                     sp_["period"].values.tolist()))
    want = sorted((s["type"], s["crosscheck"]["param"], s["crosscheck"].get("period"))
                  for s in ref["special_points"])
    assert [g[0] for g in got] == [w[0] for w in want]
    for (kind, p, period), (_, p_ref, period_ref) in zip(got, want):
        assert abs(p - p_ref) <= 1e-8 * abs(p_ref), (kind, p, p_ref)
        if kind == "HB":
            assert abs(period / period_ref - 1) <= 1e-8


def test_pyrates_tutorial_trace_reproduced():
    t, e, i = np.loadtxt(TRACE, delimiter=",", skiprows=1).T
    ds = nma.simulate(_wc(), t=(0.0, 125.0), dt=5e-4, method="euler",
                      inputs={"u_r_ext_e": nma.Pulse(amplitude=1.0, start=25.0, stop=100.0)},
                      sampling=0.01)
    np.testing.assert_allclose(ds.time.values[:t.size], t, atol=1e-12)
    d_e = np.abs(ds["r_e"].values[:t.size] - e).max()
    d_i = np.abs(ds["r_i"].values[:t.size] - i).max()
    assert d_e <= 1e-5 and d_i <= 1e-5, (d_e, d_i)      # measured 8.24e-6, 8.53e-6
    assert np.abs(e).max() > 0.1                          # the step does drive the model


# -- wiring --------------------------------------------------------------------------------
LEAKY = """
li_op:
  base: OperatorTemplate
  equations: "d/dt * r = (r0 - r)/tau + m_in"
  variables:
    r: {default: output(0.25), description: rate, unit: Hz}
    r0: 0.5
    tau: 2.0
    m_in: input
li_node: {base: NodeTemplate, operators: [li_op]}
slow_node:
  base: NodeTemplate
  operators: {li_op: {tau: 8.0}}
"""


def _write(tmp_path, text, name="t.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_node_overrides_and_summed_edges(tmp_path):
    path = _write(tmp_path, LEAKY + """
ring:
  base: CircuitTemplate
  nodes: {a: li_node, b: slow_node, c: li_node}
  edges:
    - [a/li_op/r, c/li_op/m_in, null, {weight: 2.0}]
    - [b/li_op/r, c/li_op/m_in, null, {weight: -1.0, delay: null}]
    - [c/li_op/r, a/li_op/m_in, null, {}]
""")
    m = nma.load_model(path, template="ring")
    assert m.params["tau_b"] == 8.0 and m.params["tau_a"] == 2.0
    assert m.observables["m_in_c"] == "w_c_a * r_a + w_c_b * r_b"
    assert m.observables["m_in_a"] == "w_a_c * r_c"
    assert m.params["w_a_c"] == 1.0                      # weight defaults to 1
    assert "m_in_b" in m.params and m.input_names == ("u_m_in_b",)   # nothing arrives at b
    assert m.states["r_a"] == 0.25 and m.state_info["r_a"].units == "Hz"
    # the right-hand side by hand
    x = {"r_a": 0.3, "r_b": -0.2, "r_c": 0.7}
    vals = {**dict(m.params), **x, "u_m_in_b": 0.1}
    f = _eval(m.rhs_expressions(), vals)
    want = [(0.5 - 0.3) / 2 + 1.0 * 0.7, (0.5 + 0.2) / 8 + vals["m_in_b"] + 0.1,
            (0.5 - 0.7) / 2 + 2 * 0.3 - 1 * (-0.2)]
    np.testing.assert_allclose(f, want, rtol=1e-14)


def test_delayed_edges_between_identical_nodes_give_a_network(tmp_path):
    edges = """
  edges:
    - [a/li_op/r, b/li_op/m_in, null, {weight: 2.0, delay: DA}]
    - [b/li_op/r, a/li_op/m_in, null, {weight: 0.5, delay: DB}]
    - [b/li_op/r, c/li_op/m_in, null, {weight: 1.5, delay: DB}]
"""
    circuit = "\nnet:\n  base: CircuitTemplate\n  nodes: {a: li_node, b: slow_node, c: li_node}"
    delayed = _write(tmp_path, LEAKY + circuit + edges.replace("DA", "3.0")
                     .replace("DB", "1.0"), "delayed.yaml")
    plain = _write(tmp_path, LEAKY + circuit + edges.replace("DA", "0")
                   .replace("DB", "0"), "plain.yaml")
    net = nma.load_model(delayed)
    assert isinstance(net, nma.Network)
    np.testing.assert_array_equal(net.weights, [[0, 0.5, 0], [2, 0, 0], [0, 1.5, 0]])
    np.testing.assert_array_equal(net.delays(), [[0, 1, 0], [3, 0, 0], [0, 1, 0]])
    assert net.labels == ("a", "b", "c") and net.source == "r" and net.target == "m_in"
    np.testing.assert_array_equal(net.node_params["tau"], [2.0, 8.0, 2.0])
    # delays aside, the network is the flat model of the same circuit without delays
    flat, fromnet = nma.load_model(plain), net.to_model()
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, 3)
    a = _eval(flat.rhs_expressions(), {**dict(flat.params), **dict(flat.inputs),
                                       **dict(zip(flat.state_names, x))})
    b = _eval(fromnet.rhs_expressions(), {**dict(fromnet.params), **dict(fromnet.inputs),
                                          **dict(zip(fromnet.state_names, x))})
    np.testing.assert_allclose(a, b, rtol=1e-14)


def test_yaml_aliases_and_sibling_files(tmp_path):
    _write(tmp_path, LEAKY, "lib.yaml")
    path = _write(tmp_path, """
aliases:
  - &node some.package.lib.li_node
pair:
  base: CircuitTemplate
  nodes: {a: *node, b: lib.slow_node}
  edges: [[a/li_op/r, b/li_op/m_in, null, {weight: 3.0}]]
""")
    m = nma.load_model(path)
    assert m.state_names == ("r_a", "r_b") and m.params["tau_b"] == 8.0


def test_own_format_still_read(tmp_path):
    path = _write(tmp_path, "name: decay\nstates: {x: 1.0}\nparams: {k: 0.5}\n"
                            "equations: {x: -k*x}\n")
    assert nma.load_model(path).equations["x"] == "-k*x"
    assert not looks_like_pyrates({"name": "x", "states": {}, "equations": {}})


# -- bad files -----------------------------------------------------------------------------
def _refused(path, match, **kw):
    with pytest.raises(nma.ModelError, match=match) as info:
        nma.load_model(path, **kw)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_unknown_template_named():
    msg = _refused(DATA / "wilsoncowan.yaml", "unknown template 'WCC'", template="WCC")
    assert "did you mean 'WC'" in msg


def test_several_circuits_need_a_choice(tmp_path):
    path = _write(tmp_path, LEAKY + "c1: {base: CircuitTemplate, nodes: {a: li_node}}\n"
                                    "c2: {base: CircuitTemplate, nodes: {a: li_node}}\n")
    _refused(path, r"several Circuit templates \['c1', 'c2'\]; choose one with template=")
    assert nma.load_model(path, template="c2").state_names == ("r",)


def test_reference_cycles_named(tmp_path):
    path = _write(tmp_path, "a: {base: b}\nb: {base: c}\nc: {base: a}\n"
                            "n: {base: NodeTemplate, operators: [a]}\n")
    _refused(path, r"cycle: t\.a -> t\.b -> t\.c -> t\.a", template="a")
    other = _write(tmp_path, "x: {base: t.y}\n", "u.yaml")
    _write(tmp_path, "y: {base: u.x}\n")
    _refused(other, r"cycle: u\.x -> t\.y -> u\.x", template="x")


@pytest.mark.parametrize("equation, culprit", [
    ("d/dt * r = __import__('os').system('ls')", "__import__"),
    ("d/dt * r = r.__class__", "__class__|attribute"),
    ("d/dt * r = past(r, 2.0)", "past"),
    ("d/dt * r = -r + q", "'q'"),
    ("d/dt * r == -r", "one '='"),
    ("import os = r", "left-hand side"),
])
def test_code_like_equations_refused(tmp_path, equation, culprit):
    path = _write(tmp_path, f"""
op:
  base: OperatorTemplate
  equations: "{equation}"
  variables: {{r: output(0.0)}}
""")
    _refused(path, culprit)


@pytest.mark.parametrize("value, culprit", [
    ("input(__import__('os'))", "cannot read the default"),
    ("!!python/object/apply:os.system ['ls']", "invalid YAML"),
    ("'lambda x: x'", "cannot read"),
    ("'input(0.0, 3)'", "vector"),
    (".nan", "finite"),
    ("nan", "finite|cannot read"),
])
def test_code_like_variables_refused(tmp_path, value, culprit):
    path = _write(tmp_path, f"""
op:
  base: OperatorTemplate
  equations: "d/dt * r = -r/tau"
  variables: {{r: output(0.0), tau: {value}}}
""")
    _refused(path, culprit)


def test_paths_outside_the_directory_refused(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    _write(tmp_path, LEAKY, "outside.yaml")
    for ref in ("../outside.li_node", str(tmp_path / "outside") + ".li_node",
                "sub/outside.li_node"):
        path = _write(inner, f"c: {{base: CircuitTemplate, nodes: {{a: '{ref}'}}}}\n")
        _refused(path, "leads outside")
    # a sibling that is a link to a file elsewhere is not read either
    os.symlink(tmp_path / "outside.yaml", inner / "linked.yaml")
    path = _write(inner, "c: {base: CircuitTemplate, nodes: {a: linked.li_node}}\n")
    _refused(path, "leads outside")
    path = _write(inner, "c: {base: CircuitTemplate, nodes: {a: os.path.li_node}}\n")
    _refused(path, r"needs the template file path\.yaml")


def test_unsupported_constructs_refused(tmp_path):
    cases = {
        "[a/li_op/r, b/li_op/m_in, null, {weight: 1.0, delay: 1.0, spread: 0.2}]": "spread",
        "[a/li_op/r, b/li_op/m_in, some_edge, {weight: 1.0}]": "unknown template",
        "[a/li_op/r, b/li_op/r0, null, {weight: 1.0}]": "not an input variable",
        "[a/li_op/rate, b/li_op/m_in, null, {weight: 1.0}]": "no variable 'rate'",
        "[a/li_op/r, b/li_op/m_in, null, {weight: x}]": "weight must be a number",
        "[a/li_op/r, b/li_op/m_in, null, {gain: 1.0}]": "unknown edge value 'gain'",
    }
    for edge, culprit in cases.items():
        path = _write(tmp_path, LEAKY + "c:\n  base: CircuitTemplate\n  nodes: "
                      "{a: li_node, b: li_node}\n  edges:\n    - " + edge + "\n")
        _refused(path, culprit)
    # delays between nodes of different kinds do not fit a network
    path = _write(tmp_path, LEAKY + """
other_op:
  base: OperatorTemplate
  equations: "r' = -r**3 + m_in"
  variables: {r: output, m_in: input}
other_node: {base: NodeTemplate, operators: [other_op]}
c:
  base: CircuitTemplate
  nodes: {a: li_node, b: other_node}
  edges: [[a/li_op/r, b/other_op/m_in, null, {weight: 1.0, delay: 2.0}]]
""")
    _refused(path, "different equations")


def test_algebraic_loops_and_bad_overrides_refused(tmp_path):
    path = _write(tmp_path, """
op:
  base: OperatorTemplate
  equations: ["d/dt * r = a - r", "a = b + 1", "b = 2*a"]
  variables: {r: output, a: variable, b: variable}
""")
    _refused(path, "loop")
    path = _write(tmp_path, LEAKY + "n2: {base: NodeTemplate, operators: {li_op: {tauu: 1}}}\n")
    _refused(path, "no variable 'tauu'", template="n2")
    path = _write(tmp_path, LEAKY + "n3: {base: NodeTemplate, operators: [li_node]}\n")
    _refused(path, "'li_node' is a node template; an operator template", template="n3")
    with pytest.raises(nma.OptionsError, match="template"):
        nma.load_model(path, template=3)
    _refused(tmp_path / "missing.yaml", "not found", template="x")


def test_sub_circuits_expanded_and_bounded(tmp_path):
    # two copies of a two-node circuit, linked by one edge between the copies
    path = _write(tmp_path, LEAKY + """
pair:
  base: CircuitTemplate
  nodes: {a: li_node, b: li_node}
  edges: [[a/li_op/r, b/li_op/m_in, null, {weight: 2.0}]]
two:
  base: CircuitTemplate
  circuits: {p: pair, q: pair}
  edges: [[p/b/li_op/r, q/a/li_op/m_in, null, {weight: 0.5}]]
""")
    m = nma.load_model(path, template="two")
    assert m.state_names == ("r_p_a", "r_p_b", "r_q_a", "r_q_b")
    assert m.observables["m_in_q_a"] == "w_q_a_p_b * r_p_b"
    assert m.params["w_q_a_p_b"] == 0.5 and m.params["w_p_b_p_a"] == 2.0
    # empty circuits nested ten wide and eight deep: 10**8 instances, refused early
    levels = "".join(f"c{k}: {{base: CircuitTemplate, circuits: {{"
                     + ", ".join(f"x{j}: c{k + 1}" for j in range(10)) + "}}\n"
                     for k in range(8))
    path = _write(tmp_path, LEAKY + levels + "c8: {base: CircuitTemplate, nodes: {}}\n")
    _refused(path, "sub-circuits and edges", template="c0")
