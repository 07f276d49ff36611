"""Reading and writing models and results on disk.

:func:`load_model` and :func:`save_model` read and write model files (YAML or
TOML); the format is documented in :mod:`nmanalysis.io.model_file`. ``load_model``
also reads XPPAUT ``.ode`` files (:mod:`nmanalysis.io.xpp`) and PyRates YAML
templates (:mod:`nmanalysis.io.pyrates`).
"""

from .connectome import Connectome, load_connectome
from .model_file import FORMATS, TOP_LEVEL_KEYS, load_model, save_model
from .xpp import OdeFile, parse_ode, read_ode

__all__ = ["load_model", "save_model", "load_connectome", "Connectome", "FORMATS", "TOP_LEVEL_KEYS", "OdeFile", "parse_ode",
           "read_ode"]
