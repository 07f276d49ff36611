"""Layer 2: a model as fast numba functions (generated, cached on disk)."""

from .cache import cache_dir, clear_cache
from .system import CompiledSystem, compile_model

__all__ = ["CompiledSystem", "compile_model", "cache_dir", "clear_cache"]
