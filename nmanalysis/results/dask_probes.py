"""How Datasets of numpy arrays are built without importing dask.

xarray asks of every array it wraps whether it is a dask array: it imports
``dask.array`` to get the type (0.8 s on the project's 2-core machine, once in
every process that builds a Dataset from plain numpy arrays) and ``dask.base``
to ask whether the array is a dask collection (0.15 s). A numpy array is
neither, and no object can be a dask array while ``dask.array`` has not been
imported. :func:`lazy_dask_probes` makes both questions answer that without
importing dask; once dask is imported (``regime_map`` and the ``client=``
options use it, and so may the user), xarray sees its real types again, so
dask arrays behave exactly as before.

``import nmanalysis`` calls :func:`watch_xarray_import`: the probes are set up
as soon as xarray has been imported (at once when it already is), so every
analysis and every user script gains the time, not only the command line.
"""

from __future__ import annotations

import importlib.abc
import sys

__all__ = ["lazy_dask_probes", "watch_xarray_import"]


def lazy_dask_probes() -> None:
    """Let xarray tell numpy arrays from dask arrays without importing dask.

    Imports xarray (call it where a Dataset is built anyway, or once xarray is
    imported: :func:`watch_xarray_import`). Does nothing if xarray's internals
    are not as expected, or if xarray has looked at dask already.
    """
    try:
        import numpy as np
        from xarray.namedarray import pycompat, utils
        cached = pycompat._cached_duck_array_modules
        base = pycompat.DuckArrayModule
        original = utils.is_dask_collection
    except (ImportError, AttributeError):
        return
    if "dask" not in cached:
        cached["dask"] = _lazy_dask_module(base)()
    if not getattr(original, "_nma_lazy", False):

        def is_dask_collection(x):
            return False if type(x) is np.ndarray else original(x)

        is_dask_collection._nma_lazy = True
        utils.is_dask_collection = is_dask_collection


def _lazy_dask_module(base):
    """xarray's record of the dask module, whose array type is looked up when asked."""

    class LazyDaskModule(base):
        def __init__(self):         # nothing imported here
            self._real = None

        @property
        def type(self):
            mod = sys.modules.get("dask.array")
            array = getattr(mod, "Array", None)
            return (array,) if isinstance(array, type) else ()

        def _module(self):
            if self._real is None:
                self._real = base("dask")
            return self._real

        @property
        def module(self):
            return self._module().module

        @property
        def version(self):
            return self._module().version

        @property
        def available(self):
            return self._module().available

    return LazyDaskModule


class _XarrayWatcher(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the loader of ``xarray`` so that the probes are set
    up right after xarray's own import, then leaves ``sys.meta_path``."""

    def find_spec(self, name, path=None, target=None):
        if name != "xarray":
            return None
        _unwatch()
        spec = None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                break
        loader = getattr(spec, "loader", None)
        run = getattr(loader, "exec_module", None)
        if run is None:
            return spec

        def exec_module(module, run=run):
            run(module)
            try:
                lazy_dask_probes()
            except Exception:           # never let a speed-up break an import
                pass

        loader.exec_module = exec_module
        return spec


def _unwatch():
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _XarrayWatcher)]


def watch_xarray_import() -> None:
    """Set up :func:`lazy_dask_probes` once xarray is imported (now, if it is already).

    Imports nothing itself. xarray's own import is unchanged; the probes are
    added after it.

    Examples
    --------
    >>> import sys
    >>> watch_xarray_import()
    >>> import xarray, numpy
    >>> _ = xarray.DataArray(numpy.zeros(3))
    >>> any(f.__class__.__name__ == "_XarrayWatcher" for f in sys.meta_path)
    False
    """
    if "xarray" in sys.modules:
        if getattr(sys.modules["xarray"], "__spec__", None) is not None:
            lazy_dask_probes()
        return
    if not any(isinstance(f, _XarrayWatcher) for f in sys.meta_path):
        sys.meta_path.insert(0, _XarrayWatcher())
