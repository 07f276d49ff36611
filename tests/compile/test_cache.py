"""The on-disk kernel cache: reuse, corruption recovery, and a second process hitting it."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.compile import cache
from nmanalysis.compile.codegen import kernel_source


@pytest.fixture()
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NMANALYSIS_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_source_written_once_then_reused(tmp_cache):
    calls = []

    def make():
        calls.append(1)
        return "VALUE = 41 + 1\n"

    mod, reused = cache.load_source_module("k_reuse", make)
    assert mod.VALUE == 42 and not reused and len(calls) == 1
    path = tmp_cache / "k_reuse" / "kernels.py"
    before, writes = path.stat(), cache.STATS["source_writes"]
    sys.modules.pop(mod.__name__)
    mod2, reused2 = cache.load_source_module("k_reuse", make)
    # the stamp vouches for the file: it is neither generated again nor rewritten
    assert mod2.VALUE == 42 and reused2 and len(calls) == 1
    assert cache.STATS["source_writes"] == writes
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # without its stamp the source is generated again to compare, and still not rewritten
    sys.modules.pop(mod2.__name__)
    (path.parent / "kernels.stamp").unlink()
    mod3, reused3 = cache.load_source_module("k_reuse", make)
    assert mod3.VALUE == 42 and reused3 and len(calls) == 2
    assert cache.STATS["source_writes"] == writes
    assert (path.parent / "kernels.stamp").is_file()


def test_stamp_of_other_bytes_or_another_generator_is_not_trusted(tmp_cache, monkeypatch):
    calls = []

    def make():
        calls.append(1)
        return "VALUE = 7\n"

    mod, _ = cache.load_source_module("k_stamp", make)
    path = tmp_cache / "k_stamp" / "kernels.py"
    sys.modules.pop(mod.__name__)
    # an edited file with its checksum line fixed up, beside a stamp of other bytes:
    # generated again, found different, rewritten
    body = "VALUE = 8\n"
    path.write_text(f"# sha256: {cache._checksum(body)}\n{body}")
    (path.parent / "kernels.stamp").write_text(cache._stamp_text(b"VALUE = 9\n"))
    mod, reused = cache.load_source_module("k_stamp", make)
    assert mod.VALUE == 7 and not reused and len(calls) == 2
    sys.modules.pop(mod.__name__)
    # a stamp written by another version of the generator is not trusted either
    monkeypatch.setattr(cache, "_generator_digest", lambda: "another generator")
    mod, reused = cache.load_source_module("k_stamp", make)
    assert mod.VALUE == 7 and reused and len(calls) == 3


def test_corrupt_entry_is_rebuilt(tmp_cache):
    mod, _ = cache.load_source_module("k_corrupt", lambda: "VALUE = 1\n")
    sys.modules.pop(mod.__name__)
    path = tmp_cache / "k_corrupt" / "kernels.py"
    path.write_text(path.read_text() + "garbage(((\n")          # checksum no longer matches
    mod2, reused = cache.load_source_module("k_corrupt", lambda: "VALUE = 2\n")
    assert not reused and mod2.VALUE == 2
    sys.modules.pop(mod2.__name__)
    path.write_bytes(b"\xff\xfe not utf8")
    mod3, reused = cache.load_source_module("k_corrupt", lambda: "VALUE = 3\n")
    assert not reused and mod3.VALUE == 3


def test_entry_that_fails_to_import_is_rebuilt_once(tmp_cache):
    sources = iter(["raise RuntimeError('boom')\n", "VALUE = 5\n"])
    mod, reused = cache.load_source_module("k_boom", lambda: next(sources))
    assert mod.VALUE == 5 and not reused


def _not_a_directory(tmp_path, monkeypatch):
    """NMANALYSIS_CACHE_DIR naming a file: unwritable even for root."""
    target = tmp_path / "file"
    target.write_text("not a directory")
    monkeypatch.setenv("NMANALYSIS_CACHE_DIR", str(target))
    return target


def test_unwritable_cache_falls_back_to_a_per_user_directory(tmp_path, monkeypatch):
    import tempfile

    target = _not_a_directory(tmp_path, monkeypatch)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    fallback = cache.fallback_cache_dir()
    user = str(os.getuid()) if hasattr(os, "getuid") else __import__("getpass").getuser()
    assert fallback == tmp_path / "tmp" / f"nmanalysis-{user}"
    with pytest.warns(nma.CacheWarning) as record:
        mod, reused = cache.load_source_module("k_unwritable", lambda: "VALUE = 1\n")
    message = str(record[0].message)
    assert str(target) in message and str(fallback) in message
    assert mod.VALUE == 1 and not reused
    assert (fallback / "k_unwritable" / "kernels.py").is_file()
    assert oct((fallback).stat().st_mode & 0o777) == oct(0o700)
    sys.modules.pop(mod.__name__)
    with pytest.warns(nma.CacheWarning):
        mod, reused = cache.load_source_module("k_unwritable", lambda: "VALUE = 1\n")
    assert mod.VALUE == 1 and reused

    # a real model compiles and computes there
    from nmanalysis.compile import compile_model
    model = nma.Model(name="fallback_decay", states={"x": 1.0, "y": 2.0},
                      params={"k": 0.75}, equations={"x": "-k*x + 0.125*y", "y": "x - y"})
    with pytest.warns(nma.CacheWarning):
        system = compile_model(model)
    assert system.path.parent.parent == fallback
    np.testing.assert_allclose(system.f([2.0, 4.0], [0.75]), [-1.0, -2.0], rtol=0, atol=1e-15)


def test_unwritable_cache_and_fallback_give_compile_error(tmp_path, monkeypatch):
    import tempfile

    target = _not_a_directory(tmp_path, monkeypatch)
    blocker = tmp_path / "tmpfile"
    blocker.write_text("not a directory either")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))
    with pytest.raises(nma.CompileError, match="NMANALYSIS_CACHE_DIR") as info:
        cache.load_source_module("k_unwritable2", lambda: "VALUE = 1\n")
    assert str(target) in str(info.value) and str(blocker) in str(info.value)


def test_cache_dir_from_environment(tmp_cache):
    assert cache.cache_dir() == tmp_cache


def test_generated_source_is_deterministic(fhn):
    assert kernel_source(fhn) == kernel_source(nma.get_model("fitzhugh_nagumo"))
    assert "fexp(" not in kernel_source(fhn)  # FHN has no exponentials
    assert "fsigmoid(" in kernel_source(nma.get_model("wilson_cowan"))


def test_models_differing_only_in_values_share_kernels(wc):
    from nmanalysis.compile import compile_model
    a = compile_model(wc)
    b = compile_model(wc.with_params(IE=3.0, wEE=1.0))
    assert a is b


_SCRIPT = """
import json, numpy as np, nmanalysis as nma
from nmanalysis.compile import compile_model
m = nma.get_model("fitzhugh_nagumo")
ds = nma.simulate(m, t=(0, 1), dt=0.1, record="final")
info = compile_model(m).cache_info()
info["v"] = float(ds["v"])
print(json.dumps(info))
"""


def test_second_process_hits_the_kernel_cache(fhn):
    env = dict(os.environ)

    def run():
        out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                             text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    first = run()     # compiles or reuses, depending on what earlier tests left
    second = run()
    assert second["source_reused"] is True
    assert second["numba_cache_misses"] == 0
    assert second["numba_cache_hits"] >= 1
    assert second["v"] == first["v"]
    assert np.isfinite(second["v"])
