"""Imports only point down the chain model -> compile -> integrate -> analysis -> plot/cli."""

import ast
from pathlib import Path

import nmanalysis

PKG = Path(nmanalysis.__file__).parent

# lower rank = lower layer; a module may import its own layer or lower ones
RANK = {"_version": 0, "errors": 0, "_checks": 0, "progress": 0, "results": 1, "model": 1,
        "models": 2, "io": 2, "compile": 3, "integrate": 4, "analysis": 5, "plot": 6,
        "cli": 7, "__main__": 8, "__init__": 8}
# plot reads Datasets only: it may not reach into the numerics
PLOT_MAY_IMPORT = {"plot", "results", "errors", "_version"}


def _layer(rel_parts):
    head = rel_parts[0]
    return head[:-3] if head.endswith(".py") else head


def _imports(path):
    tree = ast.parse(path.read_text())
    rel = path.relative_to(PKG).parts
    pkg_parts = list(rel[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[: len(pkg_parts) - (node.level - 1)]
                target = base + (node.module.split(".") if node.module else [])
                if not target:      # "from . import x" at the top level
                    target = [node.names[0].name]
                yield target[0], node.lineno
            elif node.module and node.module.split(".")[0] == "nmanalysis":
                parts = node.module.split(".")
                yield (parts[1] if len(parts) > 1 else "__init__"), node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "nmanalysis":
                    yield (parts[1] if len(parts) > 1 else "__init__"), node.lineno


def test_no_import_points_up():
    problems = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).parts
        if (rel[0] == "compile" and rel[-1] in ("drivers.py", "solvers.py", "collocation.py",
                                                "tangent.py", "rk.py")) \
                or rel[-1] == "kernels_template.py":
            continue                       # templates appended to generated modules
        me = _layer(rel)
        for target, line in _imports(path):
            if target not in RANK:
                problems.append(f"{path.relative_to(PKG)}:{line} imports unknown layer {target}")
                continue
            if target == "cli" and me not in ("__main__", "cli"):
                problems.append(f"{path.relative_to(PKG)}:{line} imports the CLI")
            elif me == "plot" and target not in PLOT_MAY_IMPORT:
                problems.append(f"{path.relative_to(PKG)}:{line}: plot imports {target}")
            elif RANK[target] > RANK[me]:
                problems.append(f"{path.relative_to(PKG)}:{line}: {me} imports {target} (up)")
    assert problems == []


def test_core_does_not_import_matplotlib():
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).parts
        if rel[0] == "plot":
            continue
        if "matplotlib" in path.read_text():
            offenders.append(str(path.relative_to(PKG)))
    assert offenders == []


# the command line: one module per command, sharing only the option readers and reports
CLI_SHARED = {"_args", "_report"}


def _cli_imports(path):
    """Modules of the cli package that ``path`` imports (relative or absolute)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
            elif node.level == 0 and (node.module or "").startswith("nmanalysis.cli."):
                names = [node.module.split(".")[2]]
            else:
                continue
            for name in names:
                yield name.split(".")[0], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("nmanalysis.cli."):
                    yield alias.name.split(".")[2], node.lineno


def test_cli_commands_import_only_the_shared_modules():
    import nmanalysis.cli as cli
    modules = {p.stem for p in (PKG / "cli").glob("*.py")}
    assert set(cli.COMMANDS) <= modules
    problems = []
    for path in (PKG / "cli").glob("*.py"):
        if path.stem in ("__init__", "__main__"):
            continue
        for name, line in _cli_imports(path):
            if name not in CLI_SHARED:
                problems.append(f"cli/{path.name}:{line} imports cli.{name}")
    assert problems == []


def test_modules_stay_readable():
    # the largest analyses: a module each, or a package of modules
    analyses = [p for name in ("cycles", "basins", "regimes")
                for pattern in (f"{name}.py", f"{name}/*.py")
                for p in (PKG / "analysis").glob(pattern)]
    assert {p.relative_to(PKG / "analysis").parts[0].removesuffix(".py")
            for p in analyses} == {"cycles", "basins", "regimes"}
    paths = [*(PKG / "cli").glob("*.py"), *(PKG / "plot").glob("*.py"), *analyses]
    long = [f"{p.relative_to(PKG)}: {n} lines" for p in paths
            if (n := len(p.read_text().splitlines())) > 500]
    assert long == []
