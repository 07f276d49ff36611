"""The layout of a diagram's DataTree: where its branches live.

Equilibrium branches are the children of ``equilibria/``, periodic-orbit
branches the children of ``periodic/`` (absent when no cycle was continued),
beside one ``special_points`` node.
"""

from __future__ import annotations

__all__ = ["tree_equilibria", "tree_cycles"]


def tree_equilibria(tree) -> dict:
    """Name -> Dataset of every equilibrium branch of a diagram."""
    node = tree["equilibria"]
    return {name: node[name].to_dataset() for name in node.children}


def tree_cycles(tree) -> dict:
    """``periodic/<name>`` -> Dataset of every periodic-orbit branch (``{}`` if none)."""
    if "periodic" not in tree:
        return {}
    node = tree["periodic"]
    return {f"periodic/{name}": node[name].to_dataset() for name in node.children}
