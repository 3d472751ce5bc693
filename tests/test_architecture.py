"""The package's structure, read from its source: layers, import rules, module docstrings."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "vizwidget"
#: Every module's layer, lowest first; a module may import only its own layer and those below.
#: Keys are the first name under ``vizwidget`` (a package places all its modules).
LAYERS: dict[str, tuple[str, ...]] = {
    "leaves": ("errors", "formats", "themes", "figures", "colors", "lod", "_paths", "_cache",
               "_progress", "_blas", "_version", "_escape", "_epochs", "_record_summary",
               "_deprecation", "_templates"),
    "core": ("export", "engine"),
    "data": ("runs", "artifacts"),
    "content": ("registry", "renderers", "analysis", "scores", "processing", "grid",
                "provenance", "source"),
    "joining": ("verbs", "compare", "batch", "_batch_results", "_batch_report", "evals",
                "reproduction", "demo"),
    "front ends": ("widget", "cli", "_cli_args", "__main__", "demo_tour"),
    "package": ("",),  # vizwidget/__init__.py: lazy re-exports of the public API
}
#: Modules that wrap a heavy third-party library at their top, so they load on first use.
HEAVY_WRAPPERS = {"vizwidget.engine._page"}  # subclasses kaleido's Kaleido


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, tuple[Path, ast.Module]]:
    return {module_name(p): (p, ast.parse(p.read_text(encoding="utf-8")))
            for p in sorted(SRC.rglob("*.py"))}


def resolve(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    """Absolute names of the vizwidget modules an ``from ... import ...`` brings in."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if node.level:
        base = package.split(".")
        base = base[: len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("vizwidget"):
        return []
    return [target, *(f"{target}.{alias.name}" for alias in node.names)]


def own_imports(module: str, path: Path, tree: ast.AST, known: set[str]):
    """(node, imported module) for every import of a vizwidget module in ``tree``."""
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            target, *members = resolve(module, path, node) or [None]
            submodules = [m for m in members if m in known]
            names = submodules if submodules else [target] if target else []
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("vizwidget")]
        for name in names:
            if name in known:
                yield node, name


@pytest.fixture(scope="module")
def graph():
    mods = sources()
    known = set(mods)
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for module, (path, tree) in mods.items():
        for node, name in own_imports(module, path, tree, known):
            if name != module and not _type_checking_only(tree, node):
                edges[module].add(name)
    return mods, edges


def _type_checking_only(tree: ast.AST, target: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            if any(child is target for child in ast.walk(node)):
                return True
    return False


def layer_of(module: str) -> int | None:
    """Index in LAYERS of a ``vizwidget...`` module, None when no layer places it."""
    head = module.split(".")[1] if "." in module else ""
    for rank, names in enumerate(LAYERS.values()):
        if head in names:
            return rank
    return None


def test_every_module_has_a_layer(graph):
    mods, _ = graph
    assert sorted(m for m in mods if layer_of(m) is None) == []
    assert {layer_of("vizwidget.export._animation"), layer_of("vizwidget.widget._widget")} == {
        1, len(LAYERS) - 2}  # the walk really saw the core and the front ends


def test_no_module_imports_a_layer_above_its_own(graph):
    _, edges = graph
    names = list(LAYERS)
    bad = sorted(f"{m} ({names[layer_of(m)]}) -> {t} ({names[layer_of(t)]})"
                 for m, targets in edges.items() for t in targets
                 if layer_of(t) > layer_of(m))
    assert bad == []


def test_the_layers_table_places_no_name_twice():
    placed = [name for names in LAYERS.values() for name in names]
    assert len(placed) == len(set(placed))


def test_no_import_cycle_but_the_registration_one(graph):
    _, edges = graph
    cycles = sorted({tuple(sorted((a, b))) for a, targets in edges.items() for b in targets
                     if a in _reachable(edges, b)
                     and not (_registration(a) and _registration(b))})
    assert cycles == []


def test_no_cycle_through_type_only_imports_either():
    mods = sources()
    known = set(mods)
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for module, (path, tree) in mods.items():
        for _node, name in own_imports(module, path, tree, known):
            if name != module:
                edges[module].add(name)  # TYPE_CHECKING imports count here
    cycles = sorted({tuple(sorted((a, b))) for a, targets in edges.items() for b in targets
                     if a in _reachable(edges, b)
                     and not (_registration(a) and _registration(b))
                     and "vizwidget" not in (a, b)})  # the package's lazy re-exports
    assert cycles == []


def _registration(module: str) -> bool:
    return module == "vizwidget.registry" or module.startswith("vizwidget.renderers")


def _reachable(nodes: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        n = todo.pop()
        for m in nodes.get(n, ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def test_own_modules_are_imported_at_module_top(graph):
    """Function-level imports of vizwidget's own modules only in the CLI (fast ``--help``)."""
    mods, _ = graph
    known = set(mods)
    found = []
    for module, (path, tree) in mods.items():
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if module == "vizwidget.cli":
                continue
            for node, name in own_imports(module, path, func, known):
                if name in HEAVY_WRAPPERS:
                    continue
                found.append(f"{module}.{func.name} imports {name} (line {node.lineno})")
    assert sorted(set(found)) == []


def test_no_module_imports_another_packages_private_module(graph):
    mods, edges = graph
    bad = []
    for m, targets in edges.items():
        for t in targets:
            *package, last = t.split(".")
            if last.startswith("_") and not last.startswith("__") and len(package) > 1:
                if not (m + ".").startswith(".".join(package) + "."):
                    bad.append(f"{m} -> {t}")
    assert bad == []


def test_every_module_opens_with_a_one_line_docstring():
    for path in sorted(SRC.rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{path.relative_to(SRC)} has no module docstring"
        first = doc.splitlines()[0]
        assert first.endswith((".", ":")) and len(first) <= 100, path


def test_import_vizwidget_is_fast_and_light():
    code = ("import sys, time; t = time.perf_counter(); import vizwidget; "
            "print(time.perf_counter() - t); "
            "print(sorted(m for m in ('plotly', 'kaleido', 'PIL', 'numpy', 'anywidget') "
            "if m in sys.modules))")
    best = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                    text=True, check=True).stdout.split("\n")[0])
               for _ in range(3))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[1] == "[]"
    assert best <= 0.3
