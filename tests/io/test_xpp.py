"""XPPAUT .ode files: reading (io/xpp.py), writing (Model.to_ode) and round trips."""

import builtins
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import nmanalysis as nma
from nmanalysis.errors import ModelError, NMAError, OptionsError
from nmanalysis.io.xpp import parse_ode, read_ode
from nmanalysis.model.export import ode_text
from nmanalysis.model.functions import Logistic

DATA = Path(__file__).parent / "data"


def _rhs(model):
    """The right-hand sides with the logistic written out (so forms can be compared)."""
    return [e.rewrite(Logistic, sp.exp) if e.has(Logistic) else e
            for e in model.rhs_expressions()]


def _same_expressions(a, b):
    syms = {s.name: s for e in [*a, *b] for s in e.free_symbols}
    return all(sp.simplify(x - y.xreplace({s: syms[s.name] for s in y.free_symbols})) == 0
               for x, y in zip(a, b))


# -- the example files ---------------------------------------------------------------------
def test_fhn_file_is_the_library_model():
    ode = read_ode(DATA / "fhn.ode")
    m, lib = ode.model, nma.get_model("fitzhugh_nagumo")
    assert m.state_names == lib.state_names and dict(m.params) == dict(lib.params)
    assert dict(m.states) == dict(lib.states)
    assert m.structure_hash == lib.structure_hash       # the same equations, term by term
    assert ode.simulate_options == {"t": (0.0, 200.0), "dt": 0.01, "method": "rk4"}
    assert m.state_info["w"].bounds == (-3.0, 5.0)      # from @ yp=w, ylo, yhi
    a = nma.simulate(m, **ode.simulate_options)
    b = nma.simulate(lib, t=(0, 200), dt=0.01, method="rk4")
    np.testing.assert_array_equal(a["v"].values, b["v"].values)
    assert float(a["v"].max()) > 1.5                    # it fires: a real trajectory


def test_wilson_cowan_file_simulates_like_the_library_model():
    ode = read_ode(DATA / "wilson_cowan.ode")
    m, lib = ode.model, nma.get_model("wilson_cowan")
    assert m.name == "wilson_cowan" and m.state_names == ("rE", "rI")
    assert dict(m.params) == dict(lib.params) and dict(m.states) == dict(lib.states)
    assert list(m.functions) == ["F(x, a, th)"]
    assert list(m.observables) == ["fE", "fI"]
    assert _same_expressions(m.rhs_expressions(), lib.rhs_expressions())
    assert ode.simulate_options["method"] == "euler"
    assert ode.simulate_options["bounds"] == {"rE": (-100.0, 100.0), "rI": (-100.0, 100.0)}
    # without its aux quantities the file's model is the library model term by term (so
    # both run the same compiled kernels, which keeps this test fast); simulate it
    bare = nma.Model(**{**m.to_dict(), "observables": {}})
    assert bare.structure_hash == lib.structure_hash
    params = {"IE": np.array([0.0, 1.5, 3.0])}
    a = nma.simulate(bare, t=(0, 40), dt=0.01, params=params, method="euler")
    b = nma.simulate(lib, t=(0, 40), dt=0.01, params=params, method="euler")
    np.testing.assert_array_equal(a["rE"].values, b["rE"].values)
    np.testing.assert_array_equal(a["rI"].values, b["rI"].values)
    assert np.ptp(a["rE"].sel(IE=3.0).values) > 0.1       # not a flat line
    # the aux quantities: the sigmoids of the two inputs, written directly here
    p = lib.params
    sym = m.symbolic
    obs = sp.lambdify((*sym.y, *sym.p), [e.rewrite(Logistic, sp.exp) for e in sym.observables],
                      "numpy")
    rng = np.random.default_rng(3)
    for rE, rI in rng.uniform(-0.1, 1.1, size=(5, 2)):
        x_e = p["wEE"] * rE - p["wIE"] * rI + p["IE"]
        x_i = p["wEI"] * rE - p["wII"] * rI + p["II"]
        f_e = 1 / (1 + np.exp(-p["aE"] * (x_e - p["thE"]))) - 1 / (1 + np.exp(p["aE"] * p["thE"]))
        f_i = 1 / (1 + np.exp(-p["aI"] * (x_i - p["thI"]))) - 1 / (1 + np.exp(p["aI"] * p["thI"]))
        np.testing.assert_allclose(obs(rE, rI, *m.params.values()), [f_e, f_i], rtol=1e-13)


def _morris_lecar(V, w, p):
    """The Morris-Lecar right-hand side written directly from the equations."""
    minf = 0.5 * (1 + np.tanh((V - p["v1"]) / p["v2"]))
    winf = 0.5 * (1 + np.tanh((V - p["v3"]) / p["v4"]))
    tauw = 1 / np.cosh((V - p["v3"]) / (2 * p["v4"]))
    cm = 20.0
    dv = (p["iapp"] - p["gl"] * (V - p["vl"]) - p["gk"] * w * (V - p["vk"])
          - p["gca"] * minf * (V - p["vca"])) / cm
    return dv, p["phi"] * (winf - w) / tauw


def test_morris_lecar_derived_parameters_follow_their_parameters():
    ode = read_ode(DATA / "morris_lecar.ode")
    m = ode.model
    assert m.state_names == ("V", "w")
    assert "cm" not in m.params and "gcabar" not in m.params and "phit" not in m.params
    assert m.state_info["V"].bounds == (-75.0, 45.0)
    assert ode.options["maxstor"] == "20000" and any("maxstor" in n for n in ode.notes)
    rng = np.random.default_rng(1)
    sym = m.symbolic
    f = sp.lambdify((*sym.y, *sym.p), list(sym.rhs), "numpy")
    for _ in range(5):
        params = {k: v * (1 + 0.2 * rng.standard_normal()) for k, v in m.params.items()}
        V, w = rng.uniform(-70, 40), rng.uniform(0, 0.5)
        got = f(V, w, *params.values())
        np.testing.assert_allclose(got, _morris_lecar(V, w, params), rtol=1e-13)


@pytest.mark.parametrize("name, construct", [
    ("bad_table.ode", "lookup tables ('table')"),
    ("bad_wiener.ode", "white-noise variables ('wiener')"),
    ("bad_injection.ode", "cannot appear in a formula"),
])
def test_bad_files_are_refused_with_the_line(name, construct):
    with pytest.raises(ModelError) as info:
        nma.load_model(DATA / name)
    message = str(info.value)
    assert construct in message and name in message and "line " in message
    assert "\n" not in message


# -- constructs -----------------------------------------------------------------------------
def test_forms_of_equations_parameters_and_initial_values():
    m = parse_ode("""
# comment
p a=1 b = 2,c=3   # trailing comment
param d=.5e1
number two=2
X'=-a*x + b \\
   + c
dy/dt=-d*Y + two*x^2 ** 1
x(0)=0.25
i y=-1.5
aux s=x+y
done
""").model
    assert m.state_names == ("X", "y") and m.param_names == ("a", "b", "c", "d")
    assert dict(m.states) == {"X": 0.25, "y": -1.5}
    assert m.params["d"] == 5.0
    assert m.equations["X"].replace(" ", "") == "-a*X+b+c"
    assert m.observables["s"] == "X+y"


def test_names_are_case_insensitive_and_keywords_renamed():
    ode = parse_ode("par Lambda=2, SIGMOID=1\nv'=-lambda*V + sigmoid\n")
    m = ode.model
    assert m.param_names == ("Lambda", "SIGMOID") and m.state_names == ("v",)
    ode = parse_ode("par lambda=2\nv'=-LAMBDA*v\n")
    assert ode.model.param_names == ("lambda_",) and ode.renamed == {"lambda": "lambda_"}
    assert ode.model.equations["v"] == "-lambda_*v"


def test_builtins_are_mapped():
    m = parse_ode("x'=ln(2)+log(3)+log10(1000)+heav(x-1)+abs(x)+max(x,1)\ninit x=2\n").model
    (rhs,) = m.rhs_expressions()
    x = m.symbolic.y[0]
    assert math.isclose(float(rhs.subs(x, 2)), math.log(2) + math.log(3) + 3 + 1 + 2 + 2,
                        rel_tol=1e-14)
    assert "log10(x)" in m.functions
    ode = parse_ode("x'=heav(x)\n")
    assert any("Heaviside" in n for n in ode.notes)


def test_options_are_mapped_or_recorded():
    ode = parse_ode("x'=-x\n@ total=50 t0=10, dt=.1, meth=5dp, trans=20\n"
                    "@ toler=1e-8, atoler=1e-10, bounds=1e4, parmin=-1, parmax=2\n"
                    "@ meth=gear, nout=3\n")
    opts = ode.simulate_options
    assert opts["t"] == (10.0, 60.0) and opts["dt"] == 0.1 and opts["transient"] == 10.0
    assert "method" not in opts                    # the later meth=gear has no equivalent
    assert opts["rtol"] == 1e-8 and opts["atol"] == 1e-10
    assert opts["bounds"] == {"x": (-1e4, 1e4)}
    assert ode.continuation_options == {"p_range": (-1.0, 2.0)}
    assert any("gear" in n for n in ode.notes) and any("nout" in n for n in ode.notes)
    assert ode.options["meth"] == "gear"


BAD = [
    ("x(t+1)=x*(4-x)", "maps / difference equations"),
    ("x(t)=int{exp(-t)#x}", "Volterra integral equations"),
    ("volterra x=1", "Volterra integral equations"),
    ("x'=-x+int{exp(-t)#x}", "integrals int{...}"),
    ("x'=-x\nmarkov z 2", "Markov variables"),
    ("x'=-x\nglobal 1 x-1 {x=0}", "global flags"),
    ("x[1..3]'=-x[j]", "arrays"),
    ("%[1..3]\nx'=-x", "arrays"),
    ("x'=if(x>1)then(1)else(0)", "comparison and logical operators"),
    ("x'=-x & 1", "comparison and logical operators"),
    ("x'=flr(x)", "flr() is not supported"),
    ("x'=mod(x,2)", "mod() is not supported"),
    ("x'=delay(x,1)", "delay() is not supported"),
    ("x'=normal(0,1)", "normal() is not supported"),
    ("x'=-x\n0=x+y", "algebraic equations"),
    ("x'=-x+q", "unknown name 'q'"),
    ("x'=-x+g(x)", "unknown function g()"),
    ("par a=1\npar A=2\nx'=-a*x", "already defined on line 1"),
    ("x'=-x\ninit y=1", "not a state"),
    ("z=w\nw=x\nx'=-z", "used before its definition"),
    ("x'=-x\naux e=x^2\ny'=e", "aux quantity 'e' cannot be used"),
    ("par a=1\ng(u)=u*x\nx'=g(a)", "state 'x' cannot appear here"),
    ("par a=nan\nx'=-x", "is not a number"),
    ("par a=1e999\nx'=-x", "too large for a number"),
    ("par a\nx'=-x", "expected name=value"),
    ("par a=1\n", "no differential equation"),
    ("x'=-x\n@ total=abc", "is not a number"),
    ("x'=-x^^2", "cannot parse"),
    ("x'=2x", "cannot parse"),
    ("x'=-x\n!k=t", "time 't' cannot appear here"),
    ("x'=-x\nwhat is this", "cannot read"),
    ("x'=-x;y'=1", "cannot appear in a formula"),
    ("x'=-x\nexp(u)=u", "built-in function"),
]


@pytest.mark.parametrize("text, match", BAD)
def test_unsupported_constructs_are_refused_by_name(text, match):
    with pytest.raises(ModelError, match=None) as info:
        parse_ode(text + "\n", source="m.ode")
    message = str(info.value)
    assert match in message, message
    assert message.startswith("m.ode") and "\n" not in message


INJECTIONS = [
    "x'=__import__('os').system('echo hacked')",
    'x\'=__import__("os").system("echo hacked")',
    "x'=__import__(os)",
    "x'=os.system(1)",
    "x'=().__class__",
    "x'=eval(x)",
    "x'=exec(x)",
    "x'=lambda x: x",
    "x'=-x\npar k=__import__",
    "x'=-x\n!k=exec(1)",
    "f(u)=open(u)\nx'=f(x)",
    "x'=-x\naux a=globals()",
    "x'=-x\n@ total=__import__('os')",
    "x'=x.__dict__",
    "x'=-x\ninit x=__import__",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_code_in_a_file_is_never_run(text, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called while reading a model file")
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    with pytest.raises(ModelError):
        parse_ode(text + "\n")


def test_done_stops_reading_and_text_after_it_is_ignored():
    m = read_ode(DATA / "wilson_cowan.ode").model     # that file has junk after done
    assert m.n_states == 2


def test_big_fixed_quantity_chains_are_bounded():
    lines = ["z0=x"] + [f"z{k}=z{k - 1}+z{k - 1}" for k in range(1, 40)] + ["x'=-z39"]
    with pytest.raises(ModelError, match="grows beyond"):
        parse_ode("\n".join(lines))


# -- writing and round trips ---------------------------------------------------------------
@pytest.mark.parametrize("name", nma.list_models())
def test_round_trip_gives_the_same_equations(name, tmp_path):
    m = nma.get_model(name)
    path = m.to_ode(tmp_path / f"{name}.ode")
    back = nma.load_model(path)
    assert back.name == m.name and back.state_names == m.state_names
    assert dict(back.states) == dict(m.states)
    assert dict(back.params) == {**dict(m.params), **dict(m.inputs)}   # inputs -> par
    assert _same_expressions(_rhs(back), _rhs(m))
    if not m.input_names and not {"sigmoid", "expm1"} & m.calls():
        # nothing to translate: the very same syntax trees, so the same compiled kernels
        assert back.structure_hash == m.structure_hash
    obs_m = [e.rewrite(Logistic, sp.exp) for e in m.symbolic.observables]
    obs_b = [e.rewrite(Logistic, sp.exp) for e in back.symbolic.observables]
    assert list(back.observables) == list(m.observables)
    assert _same_expressions(obs_b, obs_m)
    text = path.read_text()
    names = [line.split("'")[0] for line in text.splitlines() if "'=" in line]
    assert all(len(n) <= 10 for n in names)                    # XPPAUT's name limit
    assert all(len(line) <= 1024 for line in text.splitlines())


def test_case_clashes_are_renamed_and_restored():
    m = nma.get_model("jansen_rit")                  # has both A and a, B and b
    text = ode_text(m)
    assert "par p=220, A=3.25, B=22, a_2=100, b_2=50" in text
    assert "# nmanalysis-name: a_2 = a" in text
    # without the comments XPPAUT's reading applies: the new names stay
    plain = "\n".join(line for line in text.splitlines() if "nmanalysis-name" not in line)
    ode = parse_ode(plain)
    assert "a_2" in ode.model.params and ode.model.params["a_2"] == 100


def test_long_and_reserved_names_are_renamed():
    m = nma.Model("long", {"membrane_potential": 0.0, "t_": 1.0},
                  {"gain_of_population": 2.0, "heav": 1.0},
                  {"membrane_potential": "-gain_of_population*membrane_potential + heav",
                   "t_": "-t_"})
    text = ode_text(m)
    assert "membrane_p'" in text and "heav_2=1" in text
    back = parse_ode(text).model
    assert back.state_names == m.state_names and back.param_names == m.param_names


def test_options_are_written_and_read_back(tmp_path):
    m = nma.get_model("fitzhugh_nagumo")
    path = m.to_ode(tmp_path / "f.ode", total=300, dt=0.02, method="heun")
    ode = read_ode(path)
    assert ode.simulate_options == {"t": (0.0, 300.0), "dt": 0.02, "method": "heun"}
    with pytest.raises(OptionsError, match="`method` must be one of"):
        m.to_ode(tmp_path / "g.ode", method="bs3")
    with pytest.raises(OptionsError, match="`dt` must be a positive"):
        m.to_ode(tmp_path / "g.ode", dt=-1)


def test_written_file_reads_as_plain_xppaut_text():
    """What XPPAUT itself would read: every line is a comment, par/init/aux, an equation,
    a user function, an @ option or done."""
    text = ode_text(nma.get_model("wilson_cowan_pyrates"))
    for line in text.splitlines():
        assert (line.startswith(("#", "par ", "init ", "aux ", "@ ")) or line == "done"
                or "'=" in line or ")=" in line), line
    assert "sigmoid(x)=1/(1+exp(-x))" in text    # a built-in XPPAUT lacks, written out


@pytest.mark.parametrize("stem, name", [("t", "t_"), ("exp", "exp_"), ("pi", "pi_"),
                                        ("lambda", "lambda_"), ("2cells", "m_2cells"),
                                        ("my-model", "my_model")])
def test_file_names_that_are_reserved_words_still_name_the_model(stem, name, tmp_path):
    path = tmp_path / f"{stem}.ode"
    path.write_text("x' = -x + a\npar a=1\ndone\n")
    assert nma.load_model(path).name == name
