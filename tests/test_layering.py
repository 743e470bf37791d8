"""Arrows point down: no import cycles between modules, the CLI and the pytest plugin on
top (nothing imports them), the catalog at the bottom. Read from the source with `ast`,
so imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"
TOP = ("conformance.cli", "conformance.pytest_")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _graph() -> dict[str, set[str]]:
    """module -> the conformance modules it imports (the deepest existing module named)."""
    modules = _modules()

    def known(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                module = node.module or ""
                module = (f"{base}.{module}" if module else base) if node.level else module
                targets.add(module)
                targets.update(f"{module}.{alias.name}" for alias in node.names)
        resolved = {known(t) for t in targets if t.startswith("conformance")}
        graph[name] = resolved - {name, "conformance", ""}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                found.append(sorted([v, *component]))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert "conformance.bundle.catalog" in graph["conformance.validation.validators"]
    assert "conformance.check.tour" in graph["conformance.check"]


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_nothing_below_imports_the_cli_or_the_pytest_plugin() -> None:
    upward = sorted(
        (name, target)
        for name, targets in _graph().items()
        for target in targets
        if target.startswith(TOP) and not name.startswith(TOP) and name != "conformance.__main__"
    )
    assert upward == []


def test_the_catalog_is_at_the_bottom() -> None:
    assert _graph()["conformance.bundle.catalog"] <= {
        "conformance.errors",
        "conformance.bundle.resources",
        "conformance.bundle.document_loader",
    }


#: The packages, bottom layer first: a package imports only from layers below its own.
#: This is the drawing of the architecture (README, "Inside the package").
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "words"),
    ("atomic",),
    ("records",),
    ("report",),
    ("bundle",),
    ("validation",),
    ("mapping", "engines", "diff"),
    ("lifecycle", "drift"),
    ("generate",),
    ("simulator", "contract"),
    ("check",),
    ("cli", "pytest"),
    ("__main__", ""),  # `python -m conformance`; the package's lazy public API
)


def _layer_of(module: str) -> int:
    """conformance.validation.routing -> the layer of `validation`; the package itself is top."""
    part = module.split(".")[1] if "." in module else ""
    for index, members in enumerate(LAYERS):
        if part in members:
            return index
    raise AssertionError(f"{module}: its package is in no layer of LAYERS")


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs that cross into the same or a higher layer's package."""
    found = []
    for name, targets in graph.items():
        for target in targets:
            same_package = name.split(".")[:2] == target.split(".")[:2]
            if not same_package and _layer_of(target) >= _layer_of(name):
                found.append((name, target))
    return sorted(found)


def test_every_package_is_in_a_layer() -> None:
    for name in _graph():
        _layer_of(name)


def test_packages_import_only_from_layers_below() -> None:
    assert upward_imports(_graph()) == []


def test_an_upward_import_would_be_found() -> None:
    graph = {
        "conformance.bundle.lint": {"conformance.validation.formats"},
        "conformance.validation.engine": {"conformance.bundle.catalog"},
    }
    assert upward_imports(graph) == [("conformance.bundle.lint", "conformance.validation.formats")]


def test_a_cycle_would_be_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
