"""Model files: YAML/TOML round trips, the documented examples, and refusals."""

import textwrap
import tomllib

import pytest

import nmanalysis as nma
from nmanalysis.errors import ModelError, OptionsError
from nmanalysis.io import bounded, model_file, writing

LIBRARY = [("fitzhugh_nagumo", ""), ("wilson_cowan", ""), ("wilson_cowan", "docstring")]


def _docstring_example(language: str) -> str:
    block = model_file.__doc__.split(f".. code-block:: {language}")[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line and not line.startswith("    "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines))


def _rich_model():
    """Every section of the format, and strings TOML and YAML must escape."""
    return nma.Model(
        name="rich", states={"x": {"value": 0.25, "bounds": (-1, 2), "units": "mV",
                                   "description": 'say "hi"\\ \u00e9\u4e2d \t tab'},
                             "y": 1e-12},
        params={"k": {"value": 3, "range": (0, 10), "bounds": (-5, 50), "units": "1/ms"},
                "c": -0.5},
        inputs={"u": {"value": 0.1, "units": "nA", "description": "drive\nsecond line"}},
        functions={"S(z, g)": "1/(1 + exp(-g*z))"},
        observables={"o": {"expression": "x - y", "units": "mV", "description": "diff"},
                     "p": "x*y"},
        equations={"x": "-k*x + S(u, 2) + c", "y": "o - y^2"},
        description="a: b # not a comment", reference="'quoted' ref", time_units="ms",
        variant="v1")


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".toml"])
@pytest.mark.parametrize("name,variant", LIBRARY)
def test_library_round_trip(tmp_path, name, variant, suffix):
    model = nma.get_model(name, variant)
    path = tmp_path / f"m{suffix}"
    nma.save_model(model, path)
    assert nma.load_model(path) == model


@pytest.mark.parametrize("suffix", [".yaml", ".toml"])
def test_rich_round_trip(tmp_path, suffix):
    model = _rich_model()
    nma.save_model(model, tmp_path / f"rich{suffix}")
    back = nma.load_model(str(tmp_path / f"rich{suffix}"))
    assert back == model
    assert back.state_names == ("x", "y") and back.hash == model.hash


def test_saved_files_are_compact(tmp_path):
    model = nma.Model(name="d", states={"x": 1.0}, params={"k": 0.5},
                      equations={"x": "-k*x"})
    nma.save_model(model, tmp_path / "d.yaml")
    nma.save_model(model, tmp_path / "d.toml")
    assert (tmp_path / "d.yaml").read_text() == \
        "name: d\nstates:\n  x: 1.0\nparams:\n  k: 0.5\nequations:\n  x: -k*x\n"
    assert tomllib.loads((tmp_path / "d.toml").read_text()) == {
        "name": "d", "states": {"x": 1.0}, "params": {"k": 0.5}, "equations": {"x": "-k*x"}}


def test_docstring_examples_describe_the_same_model(tmp_path):
    (tmp_path / "fhn.yaml").write_text(_docstring_example("yaml"))
    (tmp_path / "fhn.toml").write_text(_docstring_example("toml"))
    from_yaml = nma.load_model(tmp_path / "fhn.yaml")
    assert from_yaml == nma.load_model(tmp_path / "fhn.toml")
    assert from_yaml.functions == {"cubic(x)": "x - x^3/3"}
    assert from_yaml.state_info["v"].bounds == (-3.0, 3.0)
    assert from_yaml.params["tau"] == 12.5 and from_yaml.time_units == "1"
    # same dynamics as the library FitzHugh-Nagumo
    fhn = nma.get_model("fitzhugh_nagumo")
    assert from_yaml.params == fhn.params


def test_hand_written_toml_with_sub_tables(tmp_path):
    path = tmp_path / "decay.toml"
    path.write_text(textwrap.dedent("""\
        name = "decay"
        time_units = "s"

        [states.x]
        value = 2.0
        units = "mol"

        [params]
        k = 0.5

        [equations]
        x = "-k*x"
        """))
    m = nma.load_model(path)
    assert m.states == {"x": 2.0} and m.params == {"k": 0.5}
    assert m.units_of("x") == "mol" and m.time_units == "s"


def test_params_may_be_left_out(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("name: p\nstates: {x: 1}\nequations: {x: -x}\nfunctions:\n")
    m = nma.load_model(path)
    assert m.params == {} and m.functions == {}


def test_public_names():
    assert nma.load_model is model_file.load_model
    assert nma.save_model is model_file.save_model


# -- refusals -----------------------------------------------------------------------------
def _write(tmp_path, text, name="m.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = "name: m\nstates: {x: 1}\nequations: {x: -x}\n"


def _error(path):
    with pytest.raises(ModelError) as info:
        nma.load_model(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_unknown_top_level_key(tmp_path):
    msg = _error(_write(tmp_path, GOOD + "parms: {k: 1}\n"))
    assert "'parms'" in msg and "did you mean 'params'" in msg
    for key in model_file.TOP_LEVEL_KEYS:
        assert repr(key) in msg


def test_unknown_key_in_toml(tmp_path):
    path = _write(tmp_path, 'name = "m"\nstate = {x = 1}\n', "m.toml")
    assert "unknown top-level key 'state'" in _error(path)


def test_missing_required_key(tmp_path):
    assert "missing required key 'equations'" in _error(_write(tmp_path,
                                                               "name: m\nstates: {x: 1}\n"))


@pytest.mark.parametrize("text,expected", [
    ("name: m\nstates: {x: 1\n", "invalid YAML"),
    ("name: m\n  states: 1\n: :\n", "line"),
    ("- just\n- a list\n", "mapping of model keys"),
    ("", "empty"),
    ("name: m\nstates: [1, 2]\nequations: {x: -x}\n", "'states' must be a mapping"),
    ("name: m\nstates: {x: 1}\nequations: -x\n", "'equations' must be a mapping"),
    ("name: [m]\nstates: {x: 1}\nequations: {x: -x}\n", "'name' must be a string"),
    ("name: m\nstates: {x: 1, x: 2}\nequations: {x: -x}\n", "duplicate key 'x'"),
    ("name: m\nstates: {on: 1}\nequations: {x: -x}\n", "names must be strings"),
    ("name: m\nstates: {x: abc}\nequations: {x: -x}\n", "must be a number"),
    ("name: m\nstates: {x: 1}\nequations: {x: -x, y: x}\n", "unknown state 'y'"),
])
def test_bad_yaml(tmp_path, text, expected):
    assert expected in _error(_write(tmp_path, text))


def test_bad_toml_syntax(tmp_path):
    msg = _error(_write(tmp_path, 'name = "m"\nstates = {x = 1\n', "m.toml"))
    assert "invalid TOML" in msg and "line 2" in msg


@pytest.mark.parametrize("name", ["missing.yaml", "missing.toml"])
def test_missing_file(tmp_path, name):
    assert "not found" in _error(tmp_path / name)


def test_directory_and_unknown_suffix(tmp_path):
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    assert "directory" in _error(folder)
    assert "'.json'" in _error(_write(tmp_path, "{}", "m.json"))


def test_not_utf8(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes(b"name: m\xff\n")
    assert "UTF-8" in _error(path)


def test_python_tags_are_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    texts = [
        f"!!python/object/apply:os.system ['touch {marker}']\n",
        f"name: !!python/object/apply:os.system ['touch {marker}']\n"
        "states: {x: 1}\nequations: {x: -x}\n",
        "name: m\nstates: !!python/object:collections.OrderedDict {x: 1}\n"
        "equations: {x: -x}\n",
    ]
    for text in texts:
        assert "python/object" in _error(_write(tmp_path, text))
    assert not marker.exists()


def test_code_in_an_equation_is_refused(tmp_path):
    text = "name: m\nstates: {x: 1}\nequations:\n  x: \"__import__('os').system('echo hi')\"\n"
    assert "not allowed" in _error(_write(tmp_path, text))
    toml = ("name = 'm'\nstates = {x = 1}\n[equations]\n"
            "x = \"__import__('os').system('echo hi')\"\n")
    assert "not allowed" in _error(_write(tmp_path, toml, "m.toml"))


def test_save_refusals(tmp_path, fhn):
    with pytest.raises(OptionsError, match="'.json'"):
        nma.save_model(fhn, tmp_path / "m.json")
    with pytest.raises(OptionsError, match="Model"):
        nma.save_model(fhn.to_dict(), tmp_path / "m.yaml")


# -- the TOML writer ----------------------------------------------------------------------
def test_toml_strings_round_trip():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.given(st.dictionaries(st.text(), st.text(), max_size=5))
    @hypothesis.settings(max_examples=200, deadline=None)
    def check(table):
        text = writing.dump_toml({"name": "m", "t": table})
        assert tomllib.loads(text) == {"name": "m", "t": table}

    check()


def test_toml_values():
    data = {"a": 1, "b": -2.5e-300, "c": [1.0, 2.0], "d": True,
            "tab": {"x y": {"value": 1.0, "bounds": [0.0, 1.0]}}}
    assert tomllib.loads(writing.dump_toml(data)) == data


# -- hostile files: bounded time, memory and message size ---------------------------------
def _billion_laughs() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly(tmp_path):
    import time
    import tracemalloc

    path = _write(tmp_path, _billion_laughs())
    assert path.stat().st_size < 600
    tracemalloc.start()
    start = time.perf_counter()
    try:
        msg = _error(path)
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < 5 and peak < 50 * 2**20
    assert str(model_file.MAX_NODES) in msg and "aliases" in msg


def test_aliases_within_the_limit_still_work(tmp_path):
    text = ("name: m\nstates:\n  x: &spec {value: 1.0, bounds: [-2.0, 2.0]}\n  y: *spec\n"
            "equations: {x: -y, y: x}\n")
    m = nma.load_model(_write(tmp_path, text))
    assert m.state_info["y"].bounds == (-2.0, 2.0) and m.states == {"x": 1.0, "y": 1.0}


def test_merge_keys_may_be_overridden(tmp_path):
    text = ("name: m\nstates: {x: {<<: {value: 1.0, bounds: [0.0, 2.0]}, value: 3.0}}\n"
            "equations: {x: -x}\n")
    m = nma.load_model(_write(tmp_path, text))
    assert m.states == {"x": 3.0} and m.state_info["x"].bounds == (0.0, 2.0)


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "name: m\nstates: {x: &a {value: *a}}\n"])
def test_recursive_alias_is_refused(tmp_path, text):
    assert "refers to a node that contains it" in _error(_write(tmp_path, text))


_DEEP = [
    ("m.yaml", "[" * 5000 + "]" * 5000),
    ("m.yaml", "name: m\nstates: " + "[" * 5000 + "]" * 5000 + "\nequations: {x: -x}\n"),
    ("m.yaml", "".join("  " * i + "a:\n" for i in range(3000)) + "  " * 3000 + "1\n"),
    ("m.yaml", '{"a": ' * 3000 + "1" + "}" * 3000),                      # JSON
    ("m.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n"),
    ("m.toml", "a = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"),
    ("m.toml", 'name = "m"\n[states.' + ".".join(["a"] * 3000) + ']\nb = 1\n'
               '[equations]\na = "-a"\n'),
    ("m.toml", 'name = "m"\nstates = {x = ' + "[" * 200 + "]" * 200 + '}\n'),
]


@pytest.mark.parametrize("name,text", _DEEP)
def test_deep_nesting_is_one_line_error(tmp_path, name, text):
    msg = _error(_write(tmp_path, text, name))
    assert "nested" in msg and str(model_file.MAX_DEPTH) in msg and len(msg) < 400


def test_depth_a_model_needs_is_accepted(tmp_path):
    text = "name: m\nstates: {x: {value: 1, bounds: [0, 2]}}\nequations: {x: -x}\n"
    assert nma.load_model(_write(tmp_path, text)).state_info["x"].bounds == (0.0, 2.0)


@pytest.mark.parametrize("name,text,expected", [
    ("m.yaml", "name: m\nstates: {x: " + "9" * 5000 + "}\nequations: {x: -x}\n",
     "4300 digits"),
    ("m.toml", 'name = "m"\nstates = {x = ' + "9" * 5000 + '}\n', "4300 digits"),
    ("m.yaml", "name: m\nstates: {x: " + "9" * 400 + "}\nequations: {x: -x}\n",
     "states.x: <integer of about 40"),
    ("m.toml", 'name = "m"\nstates = {x = ' + "9" * 400 + '}\n[equations]\nx = "-x"\n',
     "states.x: <integer of about 40"),
    ("m.yaml", "name: m\nstates: {x: {value: 1, bounds: [0, 0x" + "f" * 5000 + "]}}\n"
               "equations: {x: -x}\n", "states.x.bounds[1]"),
    ("m.yaml", "name: m\nstates: {x: 1, " + "9" * 400 + ": 2}\nequations: {x: -x}\n",
     "is too large"),
    ("m.yaml", 'name: m\nstates: {"x\\ny": ' + "9" * 400 + "}\n", "states.'x\\ny': <integer"),
    ("m.yaml", "name: m\nstates: {[1, 2]: 1}\nequations: {x: -x}\n", "unhashable key"),
    ("m.yaml", "name: m\nstates: {{a: 1}: 1}\nequations: {x: -x}\n", "unhashable key"),
    ("m.yaml", "? [a, b]\n: 1\n", "unhashable key (line 1"),
    ("m.yaml", "name: 2020-13-45\nstates: {x: 1}\nequations: {x: -x}\n",
     "'2020-13-45': month must be in 1..12 (line 1"),
])
def test_values_python_cannot_convert(tmp_path, name, text, expected):
    assert expected in _error(_write(tmp_path, text, name))


def test_long_values_are_cut_short_in_messages(tmp_path):
    items = ", ".join(str(i) for i in range(20000))
    for text in (f"name: [{items}]\nstates: {{x: 1}}\nequations: {{x: -x}}\n",
                 f"name: m\nstates: {{x: [{items}]}}\nequations: {{x: -x}}\n",
                 "name: m\nstates: {x: 1}\nequations: {x: -x}\nparams: {" +
                 ", ".join(f"p{i}: [{i}]" for i in range(3000)) + "}\n"):
        assert len(_error(_write(tmp_path, text))) < 1200


def test_short_repr_is_bounded():
    assert len(bounded.short(list(range(10 ** 5)))) <= 60
    assert bounded.short(16 ** 5000) == "<integer of about 6021 digits>"
    assert len(bounded.short(b"\x00" * 10 ** 6)) <= 60
    assert bounded.short("ab") == "'ab'"
    nested = []
    for _ in range(10000):
        nested = [nested]
    assert len(bounded.short(nested)) <= 60


def test_file_size_limit(tmp_path, monkeypatch):
    assert model_file.MAX_FILE_BYTES == 10 * 2**20
    path = _write(tmp_path, GOOD + "#" * (11 * 2**20) + "\n")
    msg = _error(path)
    assert f"{path.stat().st_size} bytes" in msg and str(10 * 2**20) in msg
    monkeypatch.setattr(bounded, "MAX_FILE_BYTES", 100)
    assert "limit of 100 bytes" in _error(_write(tmp_path, GOOD + "#" * 100 + "\n"))
    assert nma.load_model(_write(tmp_path, GOOD)).states == {"x": 1.0}


def test_node_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(bounded, "MAX_NODES", 20)
    text = "name: m\nstates: {" + ", ".join(f"x{i}: {i}" for i in range(20)) + "}\n"
    assert "more than 20 values" in _error(_write(tmp_path, text))
    toml = 'name = "m"\nstates = {' + ", ".join(f"x{i} = {i}" for i in range(20)) + "}\n"
    assert "more than 20 values" in _error(_write(tmp_path, toml, "m.toml"))


@pytest.mark.parametrize("name", ["m.yaml", "m.toml"])
@pytest.mark.parametrize("data", [bytes(range(256)), b"\x00" * 64, b"name: m\x00\x01\x02\n",
                                  b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\xfe\xff\x00n"])
def test_binary_garbage(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    _error(path)
