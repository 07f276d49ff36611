"""nmanalysis: dynamical-systems analysis of neural mass models.

One symbolic model definition feeds every analysis; every analysis runs on the
same compiled kernels and returns a labelled :class:`xarray.Dataset`.

>>> import nmanalysis as nma
>>> ds = nma.simulate(nma.get_model("wilson_cowan"), t=(0, 50), dt=0.01, record="final")
>>> sorted(ds.data_vars)
['rE', 'rI', 'status', 't_stop']
"""

from __future__ import annotations

import importlib

from ._version import __version__
from .errors import (CacheWarning, CompileError, ConvergenceWarning, ModelError, NMAError,
                     NoStartError, OptionsError, ResourceError, SimulationError)
from .model import Model
from .models import get_model, list_models
from .results.dask_probes import watch_xarray_import

watch_xarray_import()       # Datasets of numpy arrays are then built without importing dask

__all__ = [
    "__version__", "Model", "get_model", "list_models", "load_model", "save_model",
    "simulate", "fixed_points", "stability", "phase_plane", "continuation", "special_points",
    "response_metrics", "cycle_continuation", "find_cycles", "cycle_start", "polish_cycle",
    "largest_lyapunov", "lyapunov_spectrum", "brute_force_diagram", "basin_map", "basin_fractions", "regime_map",
    "codim2_continuation", "Network", "functional_connectivity", "load_connectome",
    "fc_dynamics", "sc_fc_correlation", "Connectome",
    "Step", "Pulse", "Ramp", "Sampled", "Constant", "PIController",
    "NMAError", "ModelError", "CompileError", "OptionsError", "SimulationError",
    "ResourceError", "NoStartError", "ConvergenceWarning", "CacheWarning", "plot",
]

# heavy names, imported on first use so that `import nmanalysis` stays fast
_LAZY = {
    "simulate": "nmanalysis.integrate.simulate",
    "fixed_points": "nmanalysis.analysis.equilibria",
    "stability": "nmanalysis.analysis.stability",
    "phase_plane": "nmanalysis.analysis.phase_plane",
    "continuation": "nmanalysis.analysis.continuation",
    "special_points": "nmanalysis.analysis.continuation",
    "response_metrics": "nmanalysis.analysis.responses",
    "cycle_continuation": "nmanalysis.analysis.continuation.periodic",
    "find_cycles": "nmanalysis.analysis.cycles",
    "cycle_start": "nmanalysis.analysis.cycles",
    "polish_cycle": "nmanalysis.analysis.cycles",
    "largest_lyapunov": "nmanalysis.analysis.lyapunov",
    "lyapunov_spectrum": "nmanalysis.analysis.lyapunov",
    "brute_force_diagram": "nmanalysis.analysis.sweeps",
    "basin_map": "nmanalysis.analysis.basins",
    "basin_fractions": "nmanalysis.analysis.basins",
    "regime_map": "nmanalysis.analysis.regimes",
    "codim2_continuation": "nmanalysis.analysis.continuation.codim2",
    "Network": "nmanalysis.model.network",
    "functional_connectivity": "nmanalysis.analysis.connectivity",
    "load_connectome": "nmanalysis.io.connectome",
    "Connectome": "nmanalysis.io.connectome",
    "fc_dynamics": "nmanalysis.analysis.connectivity",
    "sc_fc_correlation": "nmanalysis.analysis.connectivity",
    "Step": "nmanalysis.integrate.inputs",
    "Pulse": "nmanalysis.integrate.inputs",
    "Ramp": "nmanalysis.integrate.inputs",
    "Sampled": "nmanalysis.integrate.inputs",
    "Constant": "nmanalysis.integrate.inputs",
    "PIController": "nmanalysis.integrate.controller",
    "load_model": "nmanalysis.io.model_file",
    "save_model": "nmanalysis.io.model_file",
}
_LAZY_MODULES = {"plot": "nmanalysis.plot", "compile": "nmanalysis.compile",
                 "analysis": "nmanalysis.analysis",
                 "integrate": "nmanalysis.integrate", "io": "nmanalysis.io"}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(_LAZY_MODULES[name])
    else:
        raise AttributeError(f"module 'nmanalysis' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
