"""Layer 1: what a dynamical system is (symbolic; no numerics)."""

from .model import Model
from .symbols import Input, Observable, Parameter, State

__all__ = ["Model", "State", "Parameter", "Input", "Observable"]
