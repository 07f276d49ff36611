"""The package's import structure: no cycles, no reaching into another module's privates.

Read statically from the sources (every ``import``, at module level or inside
functions, since a lazy import is still a dependency).
"""

import ast
from collections import defaultdict
from pathlib import Path

import nmanalysis

ROOT = Path(nmanalysis.__file__).parent
#: kernel templates: text joined with generated code, not importable modules
TEMPLATES = {*(ROOT / "compile" / f"{name}.py"
               for name in ("collocation", "drivers", "rk", "solvers", "tangent")),
             ROOT / "analysis" / "basins" / "kernels_template.py"}
#: packages that only group their sub-packages and modules (not one unit themselves)
CONTAINERS = {"nmanalysis", "nmanalysis.analysis"}


def _module_name(path: Path) -> str:
    parts = ["nmanalysis", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports():
    """(importer, imported module, names) for every nmanalysis import in the package."""
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        if path in TEMPLATES:
            continue
        me = _module_name(path)
        package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] == "nmanalysis":
                    out.append((me, target, [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                out += [(me, a.name, []) for a in node.names
                        if a.name.split(".")[0] == "nmanalysis"]
    return out


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:]) if "." in name else Path()
    return (ROOT / rel).is_dir() or (ROOT / rel).with_suffix(".py").is_file()


def _resolve(target: str, names) -> list[str]:
    """Modules an import depends on: ``from pkg import mod`` depends on pkg.mod."""
    subs = [f"{target}.{n}" for n in names if _is_module(f"{target}.{n}")]
    return subs or [target]


def _unit(module: str) -> str:
    """The unit a module belongs to: its sub-package, or itself inside a container."""
    parts = module.split(".")
    for k in range(1, len(parts) + 1):
        prefix = ".".join(parts[:k])
        if prefix in CONTAINERS:
            continue
        return prefix
    return module


def _cycles(graph):
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    for root in list(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        comps.append(sorted(comp))
    return comps


def _graph(key):
    graph = defaultdict(set)
    for me, target, names in _imports():
        for dep in _resolve(target, names):
            a, b = key(me), key(dep)
            # a package importing its own sub-modules (its __init__) is not a cycle
            if a != b and not b.startswith(a + "."):
                graph[a].add(b)
    return graph


def test_the_finder_sees_imports():
    found = {(me, t) for me, t, _ in _imports()}
    assert ("nmanalysis.analysis.continuation.run", "nmanalysis.analysis.continuation.equilibrium") \
        in found
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules():
    assert _cycles(_graph(lambda m: m)) == []


def test_no_import_cycle_between_sub_packages():
    assert _cycles(_graph(_unit)) == []


def test_no_module_imports_another_modules_private_names():
    private = [(me, target, name) for me, target, names in _imports() for name in names
               if name.startswith("_") and not name.startswith("__")
               and not _is_module(f"{target}.{name}")]
    assert private == []
