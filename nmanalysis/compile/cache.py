"""On-disk cache of generated kernel modules.

Each model's generated source is written to
``<cache dir>/<key>/kernels.py`` and imported from there; numba's own cache
(``cache=True``) then stores the machine code in the ``__pycache__`` folder
beside it, so a second process neither regenerates nor recompiles.

The cache directory is ``$NMANALYSIS_CACHE_DIR`` if set, else
``$XDG_CACHE_HOME/nmanalysis`` (``~/.cache/nmanalysis``). Writes are atomic
(temporary file + :func:`os.replace`); an entry whose text does not match what
the generator produces now (stale or corrupt) is rewritten, and one that fails
to import is rebuilt once before an error is raised.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from ..errors import CompileError

__all__ = ["cache_dir", "load_source_module", "clear_cache", "STATS", "GENERATOR_VERSION"]

#: version of the code generator; part of every cache key (the generator's and
#: the templates' text are hashed into the key too)
GENERATOR_VERSION = "3"

#: process-wide counters: source files reused / written, modules imported
STATS = {"source_hits": 0, "source_writes": 0, "rebuilds": 0}


def cache_dir() -> Path:
    """The directory kernel modules are cached in (created on demand)."""
    env = os.environ.get("NMANALYSIS_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nmanalysis"


def clear_cache() -> None:
    """Delete every cached kernel module (they are rebuilt on next use)."""
    shutil.rmtree(cache_dir(), ignore_errors=True)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".py")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _import(path: Path, module_name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def load_source_module(key: str, make_source) -> tuple[ModuleType, bool]:
    """Import the cached module ``key``, generating it with ``make_source()`` if needed.

    ``make_source`` is only called when the file is missing or unreadable.
    The file carries a checksum line; a mismatch (corruption) triggers a
    rewrite. Returns ``(module, reused)`` where ``reused`` tells whether an
    existing, intact file was used.
    """
    module_name = f"_nma_kernels_{key}"
    if module_name in sys.modules:
        STATS["source_hits"] += 1
        return sys.modules[module_name], True
    folder = cache_dir() / key
    path = folder / "kernels.py"
    reused = _intact(path)
    if reused:
        STATS["source_hits"] += 1
    else:
        _write_fresh(folder, path, make_source())
    try:
        return _import(path, module_name), reused
    except Exception as first:
        STATS["rebuilds"] += 1
        _write_fresh(folder, path, make_source())
        try:
            return _import(path, module_name), False
        except Exception as exc:
            raise CompileError(f"generated kernels in {path} failed to import: {exc}") from first


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def _intact(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    first, _, body = text.partition("\n")
    return first == f"# sha256: {_checksum(body)}"


def _write_fresh(folder: Path, path: Path, source: str) -> None:
    STATS["source_writes"] += 1
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)
    try:
        _atomic_write(path, f"# sha256: {_checksum(source)}\n{source}")
    except OSError as exc:
        raise CompileError(f"cannot write kernel cache under {folder}: {exc}; set "
                           "NMANALYSIS_CACHE_DIR to a writable directory") from exc
