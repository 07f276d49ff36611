"""Kernel cache faults: edited sources, corrupt numba and bytecode cache files.

Each check compiles a small model in a fresh process with the cache in a
temporary directory, damages the cache, and runs a fresh process again: it must
compute the right numbers (known in closed form), and leave a repaired cache.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from nmanalysis.compile import cache

_SCRIPT = """
import json
import nmanalysis as nma
from nmanalysis.compile import cache, compile_model
m = nma.Model(name="faults", states={"x": 1.0, "y": 0.5}, params={"k": 0.5},
              equations={"x": "-k*x + 3*y", "y": "x - 2*y"})
s = compile_model(m)
f = s.f([1.0, 2.0], [0.25]).tolist()
jac = s.jacobian([1.0, 2.0], [0.25]).tolist()
info = s.cache_info()           # after the calls: numba loads or compiles at the first call
info["f"], info["J"] = f, jac
info["stats"] = cache.STATS
print(json.dumps(info))
"""
# x' = -k x + 3 y, y' = x - 2 y at (x, y) = (1, 2), k = 0.25
F = [-0.25 * 1.0 + 3.0 * 2.0, 1.0 - 2.0 * 2.0]
J = [[-0.25, 3.0], [1.0, -2.0]]


def _run(cache_root, bytecode=False):
    env = dict(os.environ, NMANALYSIS_CACHE_DIR=str(cache_root))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _check_numbers(info):
    np.testing.assert_allclose(info["f"], F, rtol=0, atol=1e-14)
    np.testing.assert_allclose(info["J"], J, rtol=0, atol=1e-14)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """A cache holding the compiled model (rhs and jac in numba's cache)."""
    root = tmp_path_factory.mktemp("template") / "cache"
    info = _run(root)
    _check_numbers(info)
    return root, info["key"]


@pytest.fixture()
def copy(compiled, tmp_path):
    """A private copy of the compiled cache (times kept, so numba's stamps still match)."""
    root, key = compiled
    target = tmp_path / "cache"
    shutil.copytree(root, target)
    return target, target / key


def _files(entry, pattern):
    found = sorted((entry / "__pycache__").glob(pattern))
    assert found, f"no {pattern} in {entry / '__pycache__'}"
    return found


def test_intact_copy_is_reused(copy):
    root, _ = copy
    info = _run(root)
    _check_numbers(info)
    assert info["source_reused"] is True
    assert info["numba_cache_hits"] == 2 and info["numba_cache_misses"] == 0
    assert info["stats"].get("cache_files_removed", 0) == 0


def _fix_checksum(text: str) -> str:
    _, _, body = text.partition("\n")
    return f"# sha256: {hashlib.sha256(body.encode()).hexdigest()}\n{body}"


def test_edited_source_with_a_fixed_up_checksum_is_regenerated(copy):
    root, entry = copy
    path = entry / "kernels.py"
    original = path.read_text()
    assert "3.0*y1" in original and "out[0, 1] = 3.0" in original
    tampered = original.replace("3.0*y1", "4.0*y1").replace("out[0, 1] = 3.0",
                                                            "out[0, 1] = 4.0")
    path.write_text(_fix_checksum(tampered))
    info = _run(root)
    _check_numbers(info)
    assert info["source_reused"] is False
    assert path.read_text() == original
    again = _run(root)             # the regenerated entry and its fresh numba cache are reused
    _check_numbers(again)
    assert again["source_reused"] is True and again["numba_cache_misses"] == 0


def _damage(path, how):
    data = path.read_bytes()
    if how == "empty":
        path.write_bytes(b"")
    elif how == "half":
        path.write_bytes(data[:len(data) // 2])
    else:
        path.write_bytes(bytes((b * 7 + 13) % 256 for b in data))


@pytest.mark.parametrize("how", ["empty", "half", "garbage"])
@pytest.mark.parametrize("pattern", ["kernels.rhs-*.nbi", "kernels.rhs-*.nbc"])
def test_corrupt_numba_cache_file_is_replaced(copy, pattern, how):
    root, entry = copy
    for path in _files(entry, pattern):
        _damage(path, how)
    info = _run(root)
    _check_numbers(info)
    assert info["source_reused"] is True
    assert info["stats"]["cache_files_removed"] >= 1
    assert info["numba_cache_misses"] == 1 and info["numba_cache_hits"] == 1
    again = _run(root)             # numba wrote good files again
    _check_numbers(again)
    assert again["numba_cache_misses"] == 0 and again["stats"]["cache_files_removed"] == 0


@pytest.mark.parametrize("how", ["empty", "half", "garbage"])
def test_corrupt_bytecode_file_keeps_the_numba_cache(copy, how):
    root, entry = copy
    _run(root, bytecode=True)      # writes kernels.<tag>.pyc
    for path in _files(entry, "kernels.*.pyc"):
        _damage(path, how)
    info = _run(root, bytecode=True)
    _check_numbers(info)
    assert info["source_reused"] is True and info["stats"]["rebuilds"] == 0
    assert info["numba_cache_misses"] == 0 and info["numba_cache_hits"] == 2


def test_all_numba_files_damaged_at_once(copy):
    root, entry = copy
    for i, path in enumerate(_files(entry, "*.nb[ic]")):
        _damage(path, ["empty", "half", "garbage"][i % 3])
    info = _run(root)
    _check_numbers(info)
    assert info["numba_cache_misses"] == 2


# -- in-process checks of the file validation ---------------------------------------------
def test_check_keeps_good_files_and_removes_bad_ones(copy, tmp_path):
    _, entry = copy
    folder = entry / "__pycache__"
    good = sorted(p.name for p in folder.iterdir())
    assert any(n.endswith(".nbi") for n in good) and any(n.endswith(".nbc") for n in good)
    cache._check_compiled_caches(folder)
    assert sorted(p.name for p in folder.iterdir()) == good
    bad = []
    for i, path in enumerate(sorted(folder.iterdir())):
        if path.suffix in (".nbi", ".nbc", ".pyc") and i % 2 == 0:
            _damage(path, ["empty", "half", "garbage"][i % 3])
            bad.append(path.name)
    (folder / "notes.txt").write_text("")        # other files are left alone
    assert bad
    cache._check_compiled_caches(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [n for n in good if n not in bad] + ["notes.txt"])


def test_cache_pickles_are_checked_without_running_them(tmp_path):
    import pickle

    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    data = pickle.dumps(("stamp", {"key": Evil()}))
    assert cache._readable(".nbc", data)
    assert not marker.exists()
    assert not cache._readable(".nbc", data[:-3])
    assert not cache._readable(".nbc", data + b"trailing")
    assert not cache._readable(".nbc", b"")
    # an index: version pickle, then (stamp, {key: data file name})
    import numba
    index = pickle.dumps(numba.__version__) + pickle.dumps((b"stamp", {("sig",): "f.1.nbc"}))
    assert cache._readable(".nbi", index)
    assert not cache._readable(".nbi", index[:-1])
    assert not cache._readable(".nbi", pickle.dumps(numba.__version__) + pickle.dumps([1]))
    assert cache._readable(".nbi", pickle.dumps("0.0.other") + b"anything")
    assert not marker.exists()
