"""Fuzzing the model-file loader: whatever the text, the result is a Model or an NMAError."""

import json
import random

import pytest

hypothesis = pytest.importorskip("hypothesis")
yaml = pytest.importorskip("yaml")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import nmanalysis as nma  # noqa: E402
from nmanalysis.errors import NMAError  # noqa: E402
from nmanalysis.io import model_file, writing  # noqa: E402

# 150 examples per test; more when the loaded profile asks for more (NMANALYSIS_FUZZ=explore)
FUZZ = settings(max_examples=max(150, settings.default.max_examples), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _load(tmp_path, data: bytes, suffix: str):
    """Load ``data`` as a model file; only a Model or an NMAError may come out."""
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        result = nma.load_model(path)
    except NMAError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 2000
        return None
    assert isinstance(result, nma.Model)
    return result


# -- random bytes and text ----------------------------------------------------------------
@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".toml"]))
def test_random_bytes(tmp_path, data, suffix):
    _load(tmp_path, data, suffix)


_YAML_CHARS = st.sampled_from(list("abxyk01.-+*&!|>[]{}:,#'\"\n \t?%@`\\^()=e") +
                              ["&a ", "*a", "<<: ", "!!", "---", "...", "0x", "1e400",
                               "9" * 30, "\x00", "\ufeff", "é"])


@FUZZ
@given(chars=st.lists(_YAML_CHARS, max_size=80), suffix=st.sampled_from([".yaml", ".toml"]))
def test_random_yaml_like_text(tmp_path, chars, suffix):
    _load(tmp_path, "".join(chars).encode("utf-8"), suffix)


# -- random structures, written as YAML / JSON / TOML -------------------------------------
_KEYS = st.one_of(st.sampled_from(list(model_file.TOP_LEVEL_KEYS) +
                                  ["x", "y", "k", "value", "bounds", "range", "units",
                                   "expression", "f(x)", "f(", "on"]),
                  st.text(max_size=8))
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10 ** 400), max_value=10 ** 400),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["-x", "k*x", "x^2 - y", "exp(", "__import__('os')", "1/0",
                     "x" * 200, "(" * 300 + "x" + ")" * 300]))
_TREES = st.recursive(_SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(_KEYS, children, max_size=5)),
    max_leaves=25)


def _model_like():
    """Mappings shaped like a model file, with random values in the sections."""
    section = st.dictionaries(st.sampled_from(["x", "y", "k", "u", "f(x)", "o"]), _TREES,
                              max_size=3)
    return st.fixed_dictionaries(
        {"name": st.one_of(st.just("m"), _SCALARS)},
        optional={"states": section, "params": section, "equations": section,
                  "functions": section, "inputs": section, "observables": section,
                  "description": _SCALARS, "time_units": _SCALARS, "extra": _TREES})


_VALID = {"name": "m", "states": {"x": 1.0, "y": {"value": 0.5, "bounds": [-1.0, 2.0]}},
          "params": {"k": {"value": 0.5, "range": [0.0, 1.0]}},
          "inputs": {"u": 0.0}, "functions": {"f(z)": "z/(1 + z^2)"},
          "equations": {"x": "-k*x + f(y) + u", "y": "x - y"},
          "observables": {"o": {"expression": "x - y", "units": "mV"}}}
_PLACES = [(), ("name",), ("states",), ("states", "x"), ("states", "y"), ("states", "y", "value"),
           ("states", "y", "bounds"), ("params", "k"), ("params", "k", "range"),
           ("inputs", "u"), ("functions",), ("functions", "f(z)"), ("equations", "x"),
           ("equations",), ("observables", "o"), ("observables", "o", "expression"),
           ("description",), ("time_units",)]


@st.composite
def _near_valid(draw):
    """A valid model with one entry (or one new key) replaced by a random value."""
    data = json.loads(json.dumps(_VALID))
    place = draw(st.sampled_from(_PLACES))
    value = draw(_TREES)
    if not place:
        data[draw(_KEYS)] = value
        return data
    target = data
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    return data


def _toml_text(data) -> str | None:
    try:
        return writing.dump_toml(data)
    except Exception:
        return None


@FUZZ
@given(data=st.one_of(_TREES, _model_like(), _near_valid(), _near_valid()),
       writer=st.sampled_from(["yaml", "json", "toml"]))
def test_random_structures(tmp_path, data, writer):
    if writer == "yaml":
        text, suffix = yaml.safe_dump(data, allow_unicode=True), ".yaml"
    elif writer == "json":       # JSON is YAML too
        text, suffix = json.dumps(data), ".yaml"
    else:
        text, suffix = _toml_text(data) if isinstance(data, dict) else None, ".toml"
        if text is None:
            text = json.dumps(data)
    _load(tmp_path, text.encode("utf-8"), suffix)


# -- mutations of valid library model files -----------------------------------------------
_SOURCES = {}


def _library_text(name: str, suffix: str) -> str:
    if (name, suffix) not in _SOURCES:
        model = nma.get_model(name)
        text = (writing.dump_yaml if suffix == ".yaml" else writing.dump_toml)(
            writing.compact(model.to_dict()))
        _SOURCES[name, suffix] = text
    return _SOURCES[name, suffix]


_SNIPPETS = ["", "\n", "&a ", "*a", "[", "]", "{", "}", ":", ": ", "-", "#", "'", '"',
             "\\", "9" * 400, "0x" + "f" * 300, "1e999", "nan", "!!binary", "<<: *a",
             "\t", "\x00", "\udcff", "[" * 60, "{a: " * 60, "{[1]: 2}", "? [a]\n: 1\n",
             "2020-13-45", "&a [*a]", "!!set {a}", "!!python/object:os.system"]


@FUZZ
@given(name=st.sampled_from(["fitzhugh_nagumo", "wilson_cowan", "jansen_rit"]),
       suffix=st.sampled_from([".yaml", ".toml"]),
       seed=st.integers(0, 2 ** 32 - 1),
       edits=st.lists(st.tuples(st.sampled_from(["insert", "delete", "replace", "swap"]),
                                st.sampled_from(_SNIPPETS)), min_size=1, max_size=4))
def test_mutated_library_files(tmp_path, name, suffix, seed, edits):
    text = _library_text(name, suffix)
    rng = random.Random(seed)
    for kind, snippet in edits:
        i = rng.randrange(len(text) + 1)
        j = min(len(text), i + rng.randrange(1, 20))
        if kind == "insert":
            text = text[:i] + snippet + text[i:]
        elif kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "replace":
            text = text[:i] + snippet + text[j:]
        else:
            lines = text.splitlines(keepends=True)
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "".join(lines)
    _load(tmp_path, text.encode("utf-8", "surrogateescape"), suffix)


def test_unmutated_library_files_load(tmp_path):
    for suffix in (".yaml", ".toml"):
        model = _load(tmp_path, _library_text("wilson_cowan", suffix).encode(), suffix)
        assert model == nma.get_model("wilson_cowan")
