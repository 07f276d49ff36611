"""On-disk cache of generated kernel modules.

Each model's generated source is written to
``<cache dir>/<key>/kernels.py`` and imported from there; numba's own cache
(``cache=True``) then stores the machine code in the ``__pycache__`` folder
beside it, so a second process neither regenerates nor recompiles.

The cache directory is ``$NMANALYSIS_CACHE_DIR`` if set, else
``$XDG_CACHE_HOME/nmanalysis`` (``~/.cache/nmanalysis``). If it cannot be
written, a private per-user directory in the system's temporary directory
(``nmanalysis-<uid>``) is used instead, with a
:class:`~nmanalysis.errors.CacheWarning`.

Before a cached module is imported:

* its text is compared with what the generator produces now; an entry that
  differs in any way (stale, truncated, edited, even with its checksum line
  fixed up) is rewritten and its ``__pycache__`` folder deleted. A text that
  passed is stamped (``kernels.stamp``: the hash of its bytes and of the
  generator's sources), and a later process that finds the stamp still true
  skips the generation (no sympy, no derivatives) and imports the file (the
  stamp is trusted as far as numba's own cache files beside it are: whoever
  can rewrite both can change the compiled code anyway);
* numba's cache files in its ``__pycache__`` (``.nbi`` index, ``.nbc`` data)
  are checked to be complete pickles, read without running any code, and
  Python's bytecode files (``.pyc``) to hold code; a file that fails (empty,
  truncated or garbage, say after a full disk or a killed process) is
  deleted, so that numba compiles that function again instead of failing at
  its first call.

Writes are atomic (temporary file + :func:`os.replace`), and a module that
fails to import is rebuilt once before an error is raised.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import importlib.util
import io
import marshal
import os
import pickle
import shutil
import stat
import sys
import tempfile
import types
import warnings
from pathlib import Path
from types import ModuleType

from ..errors import CacheWarning, CompileError

__all__ = ["cache_dir", "fallback_cache_dir", "load_source_module", "clear_cache", "STATS",
           "GENERATOR_VERSION"]

#: version of the code generator; part of every cache key (the generator's and
#: the templates' text are hashed into the key too)
GENERATOR_VERSION = "3"

#: process-wide counters: source files reused / written, modules rebuilt after a
#: failed import, corrupt numba or bytecode cache files deleted
STATS = {"source_hits": 0, "stamp_hits": 0, "source_writes": 0, "rebuilds": 0,
         "cache_files_removed": 0}


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


def fallback_cache_dir() -> Path:
    """The per-user cache used when :func:`cache_dir` cannot be written."""
    try:
        user = str(os.getuid())
    except AttributeError:          # no uids (Windows)
        user = getpass.getuser()
    return Path(tempfile.gettempdir()) / f"nmanalysis-{user}"


def _private_dir(path: Path) -> None:
    """Create ``path`` readable and writable by its owner only, and check that it is
    ours: a shared temporary directory must not let others plant kernels or pickles."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(f"{path} is not a directory")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise PermissionError(f"{path} belongs to another user")
    if info.st_mode & 0o022:
        os.chmod(path, 0o700)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".py")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
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
    load_without_refresh(module)
    return module


def load_without_refresh(module: ModuleType) -> None:
    """Let the numba functions of ``module`` load their cached machine code directly.

    Before numba loads a function from its cache it "refreshes" its compiler: it
    imports every typing and lowering registry it has (about 250 modules, among
    them one that imports scipy.linalg), which takes longer than everything else a
    warm ``nmanalysis simulate`` does. Machine code loaded from the cache needs none
    of that, only numba's runtime (the allocator and reference counting the code
    calls); a function that has to be compiled after all goes through numba's
    compiler, which refreshes itself first. Each dispatcher's cache gets a
    ``load_overload`` that does just that (numba's own, minus the refresh); if numba's
    internals are not as expected, nothing is changed.
    """
    try:
        from numba.core.dispatcher import Dispatcher
        from numba.core.runtime import rtsys
    except ImportError:             # pragma: no cover - numba is a dependency
        return
    for obj in list(vars(module).values()):
        if not isinstance(obj, Dispatcher):
            continue
        cache = getattr(obj, "_cache", None)
        load = getattr(cache, "_load_overload", None)
        guard = getattr(cache, "_guard_against_spurious_io_errors", None)
        if load is None or guard is None or not callable(getattr(rtsys, "initialize", None)):
            continue

        def load_overload(sig, target_context, load=load, guard=guard):
            rtsys.initialize(target_context)
            with guard():
                return load(sig, target_context)

        cache.load_overload = load_overload


def load_source_module(key: str, make_source) -> tuple[ModuleType, bool]:
    """Import the cached module ``key``, whose source is ``make_source()``.

    The file is used as it is when its stamp (``kernels.stamp`` beside it,
    written after a verified import) holds the hash of its every byte and of
    the generator's own sources; otherwise ``make_source()`` is called and the
    file is used only if its text is exactly what ``make_source()`` returns
    (with the checksum line in front), else it is rewritten and its compiled
    caches deleted. numba's cache files beside it
    are checked before the import (see the module docstring). If the cache
    directory is not writable, the per-user fallback
    (:func:`fallback_cache_dir`) is used with a
    :class:`~nmanalysis.errors.CacheWarning`.

    Returns ``(module, reused)`` where ``reused`` tells whether an existing,
    intact file was used.

    Raises
    ------
    CompileError
        If neither the cache directory nor the fallback can be written, or
        the module fails to import even after being rewritten.
    """
    module_name = f"_nma_kernels_{key}"
    if module_name in sys.modules:
        STATS["source_hits"] += 1
        return sys.modules[module_name], True
    path = _stamped_entry(key)
    if path is not None:
        STATS["source_hits"] += 1
        STATS["stamp_hits"] += 1
        _check_compiled_caches(path.parent / "__pycache__")
        try:
            return _import(path, module_name), True
        except Exception:
            pass                    # rebuilt below from freshly generated source
    path, reused = _entry(key, _file_text(make_source()))
    if reused:
        STATS["source_hits"] += 1
    _check_compiled_caches(path.parent / "__pycache__")
    try:
        module = _import(path, module_name)
    except Exception as first:
        STATS["rebuilds"] += 1
        path, reused = _entry(key, _file_text(make_source()), rewrite=True)
        try:
            module = _import(path, module_name)
        except Exception as exc:
            raise CompileError(f"generated kernels in {path} failed to import: {exc}") from first
    _write_stamp(path)
    return module, reused


# -- stamps: reuse a verified entry without generating its source again ---------------------
_STAMP = "kernels.stamp"


@functools.lru_cache(maxsize=1)
def _generator_digest() -> str:
    """Hash of everything besides the cache key that shapes a generated text: the
    model and compile packages' sources and sympy's release (read, not imported)."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for sub in ("model", "compile"):
        for path in sorted((package / sub).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    spec = importlib.util.find_spec("sympy")
    if spec is not None and spec.origin:
        try:
            h.update((Path(spec.origin).parent / "release.py").read_bytes())
        except OSError:
            h.update(spec.origin.encode())
    return h.hexdigest()


def _stamp_text(data: bytes) -> str:
    return f"{hashlib.sha256(data).hexdigest()} {_generator_digest()}\n"


def _write_stamp(path: Path) -> None:
    """Record that ``path`` holds exactly what the generator produces now (best effort:
    without a stamp the next process generates and compares the text again)."""
    try:
        stamp = _stamp_text(path.read_bytes())
        stamp_path = path.parent / _STAMP
        if not _matches(stamp_path, stamp):
            _atomic_write(stamp_path, stamp)
    except OSError:
        pass


def _stamped_entry(key: str) -> Path | None:
    """The cached ``kernels.py`` of ``key`` if its stamp vouches for every byte of it
    (and for the generator that wrote it), else None."""
    folder = cache_dir() / key
    try:
        stamp = (folder / _STAMP).read_bytes()
        data = (folder / "kernels.py").read_bytes()
    except OSError:
        return None
    if stamp != _stamp_text(data).encode():
        return None
    return folder / "kernels.py"


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def _file_text(source: str) -> str:
    return f"# sha256: {_checksum(source)}\n{source}"


def _matches(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def _entry(key: str, text: str, rewrite: bool = False) -> tuple[Path, bool]:
    """The path of an up-to-date ``kernels.py`` for ``key`` and whether it was already
    there; written under the cache directory, else under the per-user fallback."""
    root = cache_dir()
    path = root / key / "kernels.py"
    if not rewrite and _matches(path, text):
        return path, True
    try:
        _write_fresh(path.parent, path, text)
        return path, False
    except OSError as exc:
        problem = exc
    fallback = fallback_cache_dir()
    fallback_path = fallback / key / "kernels.py"
    if fallback == root:
        raise CompileError(f"cannot write kernel cache under {path.parent}: "
                           f"{_reason(problem)}; set NMANALYSIS_CACHE_DIR to a writable "
                           "directory") from problem
    try:
        _private_dir(fallback)
        if not rewrite and _matches(fallback_path, text):
            reused = True
        else:
            _write_fresh(fallback_path.parent, fallback_path, text)
            reused = False
    except OSError as exc:
        raise CompileError(f"cannot write kernel cache under {path.parent} "
                           f"({_reason(problem)}) nor under the fallback {fallback} "
                           f"({_reason(exc)}); set NMANALYSIS_CACHE_DIR to a writable "
                           "directory") from exc
    warnings.warn(CacheWarning(
        f"kernel cache directory {root} is not writable ({_reason(problem)}); using "
        f"{fallback} instead; set NMANALYSIS_CACHE_DIR to a writable directory to keep "
        "compiled kernels"), stacklevel=3)
    return fallback_path, reused


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _write_fresh(folder: Path, path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, deleting what was compiled from the old one."""
    STATS["source_writes"] += 1
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)
    _atomic_write(path, text)


# -- checks of the compiled caches --------------------------------------------------------
class _Placeholder:
    """Stands for every object a cache pickle refers to: nothing is imported or run."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Placeholder()

    def __setstate__(self, state):
        pass


class _InertUnpickler(pickle.Unpickler):
    """Reads a pickle to its end, checking its structure without building real objects."""

    def find_class(self, module, name):
        return _Placeholder

    def persistent_load(self, pid):
        return _Placeholder()


def _inert_load(stream):
    return _InertUnpickler(stream).load()


def _valid_index(data: bytes) -> bool:
    """A numba ``.nbi`` file: a pickled version string, then a pickled
    ``(source stamp, {key: data file name})`` (as numba's ``_load_index`` reads it)."""
    import numba

    stream = io.BytesIO(data)
    version = _inert_load(stream)
    if version != numba.__version__:
        return True                 # numba ignores indexes of other versions
    content = _inert_load(io.BytesIO(stream.read()))
    return (isinstance(content, tuple) and len(content) == 2
            and isinstance(content[1], dict)
            and all(isinstance(name, str) for name in content[1].values()))


def _valid_data(data: bytes) -> bool:
    """A numba ``.nbc`` file: one complete pickle (numba ``pickle.loads`` it whole)."""
    stream = io.BytesIO(data)
    _inert_load(stream)
    return stream.read(1) == b""


def _valid_bytecode(data: bytes) -> bool:
    """A ``.pyc``: 16 header bytes, then a marshalled code object."""
    return len(data) > 16 and isinstance(marshal.loads(data[16:]), types.CodeType)


_CHECKS = {".nbi": _valid_index, ".nbc": _valid_data, ".pyc": _valid_bytecode}


def _readable(suffix: str, data: bytes) -> bool:
    """Whether ``data``, the content of a ``.nbi``, ``.nbc`` or ``.pyc`` file, can be read."""
    try:
        return bool(data) and _CHECKS[suffix](data)
    except Exception:
        return False


def _check_compiled_caches(folder: Path) -> None:
    """Delete the cache files in ``folder`` that numba or Python could not read."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        suffix = os.path.splitext(entry.name)[1]
        if suffix not in _CHECKS:
            continue
        try:
            with open(entry.path, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        if not _readable(suffix, data):
            try:
                os.unlink(entry.path)
                STATS["cache_files_removed"] += 1
            except FileNotFoundError:
                pass
            except OSError:         # cannot repair here: numba would fail on it
                shutil.rmtree(folder, ignore_errors=True)
                return


def load_package_without_refresh() -> None:
    """:func:`load_without_refresh` for every imported module of this package (the
    numba functions defined in its own modules, beside the generated kernels)."""
    package = __name__.split(".")[0] + "."
    for name, module in list(sys.modules.items()):
        if name.startswith(package) and isinstance(module, ModuleType):
            load_without_refresh(module)
