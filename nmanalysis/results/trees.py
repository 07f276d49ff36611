"""The layout of a diagram's DataTree: where its branches live.

Equilibrium branches are the children of ``equilibria/``, periodic-orbit
branches the children of ``periodic/`` (absent when no cycle was continued),
beside one ``special_points`` node.
"""

from __future__ import annotations

__all__ = ["CURVE_KINDS", "tree_equilibria", "tree_cycles", "tree_free_parameters", "tree_curves"]


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


def tree_free_parameters(tree) -> tuple:
    """The two free parameters ``(p1, p2)`` of a two-parameter diagram.

    Read from the root's ``free_parameters`` attribute (names separated by
    commas or spaces, or a list).
    """
    value = tree.attrs.get("free_parameters")
    if value is None and "special_points" in tree:
        value = tree["special_points"].attrs.get("free_parameters")
    if value is None:
        raise ValueError("not a two-parameter diagram: its root has no `free_parameters` "
                         "attribute (make it with nmanalysis.codim2_continuation)")
    names = (value.replace(",", " ").split() if isinstance(value, str)
             else [str(v) for v in value])
    if len(names) != 2:
        raise ValueError(f"`free_parameters` must name two parameters; got {value!r}")
    return names[0], names[1]


#: the kinds of curve a two-parameter diagram holds, in drawing order: equilibria, then cycles
CURVE_KINDS = ("fold", "hopf", "lpc", "pd", "ns")


def tree_curves(tree) -> dict:
    """``<kind>/<name>`` -> Dataset of every curve of a two-parameter diagram: fold and
    Hopf curves of equilibria, then the LPC, PD and NS curves of cycles (kinds in
    :data:`CURVE_KINDS`)."""
    out = {}
    for kind in CURVE_KINDS:
        if kind in tree:
            node = tree[kind]
            out.update({f"{kind}/{name}": node[name].to_dataset() for name in node.children})
    return out
