"""Reading untrusted model-file text within bounds.

A model file may come from a stranger: it is read with a size limit, parsed by
safe loaders whose nesting depth and number of values (YAML aliases counted at
their expanded size) are bounded, and every value quoted in an error message
is cut short, so no file can run code, exhaust memory or flood a terminal.
"""

from __future__ import annotations

import math
import os
import reprlib
import sys
from collections.abc import Mapping
from pathlib import Path

from ..errors import ModelError

__all__ = ["MAX_FILE_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_MESSAGE", "short", "one_line",
           "value_problem", "read_text", "parse_text", "where", "check_tree"]


#: largest model file read, in bytes
MAX_FILE_BYTES = 10 * 1024 * 1024
#: deepest nesting of lists and mappings accepted (a model file needs about 4)
MAX_DEPTH = 50
#: most values (scalars, lists, mappings) accepted, YAML aliases counted expanded
MAX_NODES = 100_000
#: longest error message built from a file's content
MAX_MESSAGE = 1000
#: integers with more bits than this cannot be converted to a float
FLOAT_BITS = 1024


class ShortRepr(reprlib.Repr):
    """``reprlib`` with bounded output for every type, huge integers and bytes included."""

    def __init__(self, width):
        super().__init__()
        self.maxlevel = 3
        self.maxstring = self.maxother = self.maxlong = width
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = 6

    def repr_int(self, x, level):
        if x.bit_length() > 128:   # repr() of a huge integer is slow or refused
            return f"<integer of about {int(x.bit_length() * math.log10(2)) + 1} digits>"
        return super().repr_int(x, level)

    def repr_bytes(self, x, level):
        return repr(x[:self.maxstring]) + ("..." if len(x) > self.maxstring else "")

    def repr_instance(self, x, level):
        try:
            return super().repr_instance(x, level)
        except Exception:
            return f"<{type(x).__name__}>"


def short(value, width: int = 60) -> str:
    """A repr of a value read from a file, at most about ``width`` characters long."""
    text = ShortRepr(width).repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def value_problem(exc: Exception) -> str:
    """What Python's converters said about a value, in the file's terms."""
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return (f"an integer may have at most {sys.get_int_max_str_digits()} digits (and "
                "must fit in a float)")
    return one_line(exc, 200)


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def read_text(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
            size = max(size, len(data))
    except FileNotFoundError:
        raise ModelError(f"{path}: model file not found") from None
    except IsADirectoryError:
        raise ModelError(f"{path}: is a directory, not a model file") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read model file: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise ModelError(f"{path}: model file is {size} bytes, larger than the limit of "
                         f"{MAX_FILE_BYTES} bytes ({MAX_FILE_BYTES / 2**20:g} MB)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def yaml_loader():
    import yaml
    from yaml.constructor import ConstructorError
    from yaml.composer import ComposerError
    from yaml.events import AliasEvent

    class StrictSafeLoader(yaml.SafeLoader):
        """The safe loader with limits.

        Refuses duplicate keys (instead of keeping the last one), more than
        ``MAX_NODES`` nodes with aliases counted at their expanded size, nesting
        deeper than ``MAX_DEPTH``, aliases to a node that contains them, and
        turns errors of Python's converters (a 5000-digit integer, a date such
        as 2020-13-45) into YAML errors with a line and column.
        """

        def __init__(self, stream):
            super().__init__(stream)
            self._nodes = 0          # nodes composed so far, aliases expanded
            self._depth = 0
            self._weights = {}       # anchor -> expanded size of the anchored node

        def _count(self, n, mark):
            self._nodes += n
            if self._nodes > MAX_NODES:
                raise ComposerError(None, None, f"more than {MAX_NODES} values (aliases "
                                    "counted expanded); a model file needs far fewer",
                                    mark)

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, AliasEvent):
                anchor = event.anchor
                if anchor in self.anchors and anchor not in self._weights:
                    raise ComposerError(None, None, f"alias {short(anchor)} refers to a "
                                        "node that contains it", event.start_mark)
                self._count(self._weights.get(anchor, 0), event.start_mark)
                return super().compose_node(parent, index)
            if self._depth >= MAX_DEPTH:
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                    event.start_mark)
            start = self._nodes
            self._count(1, event.start_mark)
            self._depth += 1
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            if event.anchor is not None:
                self._weights[event.anchor] = self._nodes - start
            return node

        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep=deep)
            except (ValueError, OverflowError, TypeError) as exc:
                raise ConstructorError(None, None, f"cannot read the value "
                                       f"{short(node.value)}: {value_problem(exc)}",
                                       node.start_mark) from None

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue         # "<<: *base" merges; its keys may be overridden
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:    # unhashable: the base class reports it
                    break
                if duplicate:
                    raise ConstructorError(None, None, f"duplicate key {short(key)}",
                                           key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return StrictSafeLoader


def one_line_yaml_error(exc) -> str:
    problem = getattr(exc, "problem", None)
    if problem is None:
        return one_line(exc)
    context = getattr(exc, "context", None)
    text = f"{context}: {problem}" if context else problem
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        text = f"{one_line(text, 400)} (line {mark.line + 1}, column {mark.column + 1})"
    return one_line(text)


def parse_text(text: str, fmt: str, path: Path):
    language = fmt.upper()
    try:
        if fmt == "toml":
            import tomllib
            try:
                return tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ModelError(f"{path}: invalid TOML: {one_line(exc)}") from None
            except (ValueError, OverflowError) as exc:   # e.g. a 5000-digit integer
                raise ModelError(f"{path}: invalid TOML: a value cannot be read: "
                                 f"{value_problem(exc)}") from None
        import yaml
        try:
            # a SafeLoader subclass: builds only plain data, never Python objects
            return yaml.load(text, Loader=yaml_loader())  # noqa: S506
        except yaml.YAMLError as exc:
            raise ModelError(f"{path}: invalid YAML: {one_line_yaml_error(exc)}") from None
    except RecursionError:
        raise ModelError(f"{path}: invalid {language}: lists or mappings are nested too "
                         f"deeply (at most {MAX_DEPTH} levels)") from None


def where(trail) -> str:
    """``states.x.bounds[0]`` from a trail of mapping keys and ``(index,)`` list steps."""
    parts = []
    for step in trail:
        if isinstance(step, tuple):
            parts.append(f"[{step[0]}]")
        else:
            text = step if isinstance(step, str) and step.isprintable() else short(step, 30)
            text = text if len(text) <= 30 else text[:27] + "..."
            parts.append(("." if parts else "") + text)
    return "".join(parts) or "the top level"


def check_tree(data, path: Path) -> None:
    """Depth, size and number checks over the whole file, without recursion."""
    stack = [(data, ())]
    count = 0
    while stack:
        value, trail = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ModelError(f"{path}: more than {MAX_NODES} values; a model file needs "
                             "far fewer")
        if len(trail) > MAX_DEPTH:
            raise ModelError(f"{path}: {where(trail[:3])}...: lists or mappings are nested "
                             f"deeper than {MAX_DEPTH} levels")
        if isinstance(value, int) and not isinstance(value, bool) \
                and value.bit_length() > FLOAT_BITS:
            raise ModelError(f"{path}: {where(trail)}: {short(value)} is too large for a "
                             "number (at most about 1.8e308)")
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, int) and not isinstance(key, bool) \
                        and key.bit_length() > FLOAT_BITS:
                    raise ModelError(f"{path}: {where(trail)}: key {short(key)} is too "
                                     "large")
                stack.append((item, (*trail, key)))
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend((item, (*trail, (i,))) for i, item in enumerate(value))
