"""Layer 5: the shape of answers (names, attrs, validation); no computation."""

from .attrs import provenance
from .conventions import DIMS

__all__ = ["provenance", "DIMS"]
