"""The :class:`CompiledSystem`: a model as fast numba functions."""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from pathlib import Path

import numpy as np

from .cache import GENERATOR_VERSION, load_source_module

__all__ = ["CompiledSystem", "compile_model"]

_HERE = Path(__file__).resolve().parent
_KERNELS = ("rhs", "jac", "jac_p", "jac_diag", "observables", "d2", "d3", "rhs_block",
            "jac_diag_block", "observables_block", "derived_block", "run_fixed", "run_euler",
            "run_adaptive", "newton_batch", "jac_batch", "rhs_batch")
_TEMPLATES = ("rk.py", "drivers.py", "solvers.py")
_SYSTEMS: dict[str, CompiledSystem] = {}


@functools.lru_cache(maxsize=1)
def _support_hash() -> str:
    """Hash of the text that ends up in (or is inlined into) every kernel module."""
    h = hashlib.sha256(GENERATOR_VERSION.encode())
    for name in (*_TEMPLATES, "linalg.py", "fastmath.py", "rows.py", "codegen.py"):
        h.update((_HERE / name).read_bytes())
    return h.hexdigest()


class CompiledSystem:
    """Compiled kernels of one model (shared by every model with the same structure).

    Attributes
    ----------
    rhs, jac, jac_p, jac_diag, observables : numba functions ``f(t, y, p, out)``
        Right-hand side (n,), Jacobian (n, n), parameter Jacobian
        (n, n_params), diagonal of the Jacobian (n,), observables (n_obs,).
        ``p`` holds the parameters then the inputs, in model order.
    rhs_block, jac_diag_block, observables_block : numba functions ``f(t, Y, P, Q, OUT)``
        The same over a block of rows: ``Y`` (n, m), ``P`` (n_p + n_in, m),
        ``Q`` (n_derived, m) the hoisted parameter terms from ``derived_block(P, Q)``.
    run_fixed, run_euler, run_adaptive : numba functions
        Batched integration drivers (used by :func:`nmanalysis.simulate`); ``run_euler``
        is the fused Euler step without noise.
    newton_batch, jac_batch, rhs_batch : numba functions
        Batched damped Newton, Jacobians and right-hand sides over columns.
    key : str
        Cache key (model structure, generator and driver versions).
    path : pathlib.Path
        The generated source file.
    """

    def __init__(self, model):
        self.model_name = model.name
        self.state_names = model.state_names
        self.param_names = model.param_names
        self.input_names = model.input_names
        self.observable_names = model.observable_names
        text = f"{model.structure_hash}:{_support_hash()}"
        self.key = hashlib.sha256(text.encode()).hexdigest()[:24]

        def make_source():
            from .codegen import kernel_source
            templates = [(_HERE / t).read_text(encoding="utf-8") for t in _TEMPLATES]
            return "\n\n".join([kernel_source(model), *templates])

        module, self.source_reused = load_source_module(self.key, make_source)
        self.module = module
        self._model = model
        self._extensions = {}
        self.path = Path(module.__file__)
        for name in _KERNELS:
            setattr(self, name, getattr(module, name))

    @property
    def n_states(self) -> int:
        return len(self.state_names)

    def parameter_vector(self, params=None, inputs=None, defaults=None) -> np.ndarray:
        """Parameter vector (parameters then inputs) from dicts, defaults filled in."""
        defaults = defaults or {}
        # names as the model spells them (Unicode NFKC, as Python reads identifiers)
        params = {unicodedata.normalize("NFKC", k): v for k, v in (params or {}).items()}
        inputs = {unicodedata.normalize("NFKC", k): v for k, v in (inputs or {}).items()}
        values = []
        for name in (*self.param_names, *self.input_names):
            src = params if name in self.param_names else inputs
            if src is not None and name in src:
                values.append(float(src[name]))
            else:
                values.append(float(defaults[name]))
        return np.array(values, dtype=float)

    def f(self, y, p, t=0.0) -> np.ndarray:
        """Evaluate the right-hand side at one point (convenience; allocates)."""
        out = np.empty(self.n_states)
        self.rhs(float(t), np.ascontiguousarray(y, dtype=float), np.asarray(p, float), out)
        return out

    def jacobian(self, y, p, t=0.0) -> np.ndarray:
        """Evaluate the Jacobian at one point (convenience; allocates)."""
        out = np.empty((self.n_states, self.n_states))
        self.jac(float(t), np.ascontiguousarray(y, dtype=float), np.asarray(p, float), out)
        return out

    def extension(self, template: str | Path):
        """The model's kernels plus one extra template, as a separately cached module.

        ``template`` is the bare name of a file in ``nmanalysis/compile`` (e.g.
        ``"tangent.py"``) or the absolute :class:`~pathlib.Path` of a template kept
        beside the analysis that uses it (e.g. ``analysis/basins/kernels_template.py``),
        written like ``solvers.py``: its functions call the model's ``rhs``, ``jac``,
        ``jac_p``, ... as module globals and may use the helpers of ``rk.py`` and
        ``solvers.py`` (which every extension includes). Each extension has its own cache
        key, hashing the template's text, so editing one template does not invalidate the
        main kernels or other extensions; functions are compiled on first call.
        """
        path = _template_path(template)
        module = self._extensions.get(path)
        if module is None:
            module = _extension_module(self._model, path)
            self._extensions[path] = module
        return module

    def derivatives(self):
        """The higher-derivative kernels ``d2p``, ``d4``, ``d5`` (see
        :func:`~nmanalysis.compile.codegen.derivative_source`), as a separately cached
        module built on first use."""
        module = self._extensions.get("derivatives")
        if module is None:
            text = f"{self._model.structure_hash}:derivatives:{_support_hash()}"
            key = hashlib.sha256(text.encode()).hexdigest()[:24]

            def make_source():
                from .codegen import derivative_source
                return derivative_source(self._model)

            module, _ = load_source_module(key, make_source)
            self._extensions["derivatives"] = module
        return module

    def cache_info(self) -> dict:
        """Whether the source file was reused, and numba's cache hits/misses per kernel."""
        hits = misses = 0
        for name in _KERNELS:
            stats = getattr(getattr(self, name), "stats", None)
            if stats is not None:
                hits += sum(stats.cache_hits.values())
                misses += sum(stats.cache_misses.values())
        return {"key": self.key, "path": str(self.path), "source_reused": self.source_reused,
                "numba_cache_hits": hits, "numba_cache_misses": misses}


def _template_path(template) -> Path:
    """The file of a kernel template: a bare name in ``nmanalysis/compile`` or an absolute path."""
    path = Path(template)
    if not path.is_absolute():
        if path.name != str(template):
            raise ValueError(f"kernel template {template!r} must be a bare file name in "
                             f"{_HERE} or an absolute path")
        path = _HERE / path
    path = path.resolve()
    if not path.is_file() or path.suffix != ".py":
        raise ValueError(f"no kernel template {str(template)!r}: it must be a .py file in "
                         f"{_HERE} or an absolute path to one")
    return path


def _template_label(path: Path) -> str:
    """The template's name in the cache key: relative to compile/, else to the package."""
    for root in (_HERE, _HERE.parent):
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return str(path)


def _extension_module(model, path: Path):
    h = hashlib.sha256(GENERATOR_VERSION.encode())
    for name in ("rk.py", "solvers.py", "linalg.py", "fastmath.py", "codegen.py"):
        h.update((_HERE / name).read_bytes())
    h.update(path.read_bytes())
    text = f"{model.structure_hash}:{_template_label(path)}:{h.hexdigest()}"
    key = hashlib.sha256(text.encode()).hexdigest()[:24]

    def make_source():
        from .codegen import kernel_source
        parts = [kernel_source(model), *((_HERE / name).read_text(encoding="utf-8")
                                         for name in ("rk.py", "solvers.py")),
                 path.read_text(encoding="utf-8")]
        return "\n\n".join(parts)

    module, _ = load_source_module(key, make_source)
    return module


def compile_model(model) -> CompiledSystem:
    """Return the compiled kernels of ``model`` (cached in memory and on disk).

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.compile import compile_model
    >>> m = nma.get_model("fitzhugh_nagumo")
    >>> sys = compile_model(m)
    >>> p = sys.parameter_vector(defaults=m.params)
    >>> sys.f([0.0, 0.0], p).round(4).tolist()
    [0.5, 0.056]
    """
    key = hashlib.sha256(f"{model.structure_hash}:{_support_hash()}".encode()).hexdigest()[:24]
    system = _SYSTEMS.get(key)
    if system is None:
        system = CompiledSystem(model)
        _SYSTEMS[key] = system
    return system
