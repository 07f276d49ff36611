"""Reading and writing models and results on disk.

:func:`load_model` and :func:`save_model` read and write model files (YAML or
TOML); the format is documented in :mod:`nmanalysis.io.model_file`.
"""

from .model_file import FORMATS, TOP_LEVEL_KEYS, load_model, save_model

__all__ = ["load_model", "save_model", "FORMATS", "TOP_LEVEL_KEYS"]
