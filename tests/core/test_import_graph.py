"""The shape of the house, read from the source: every import of every module, by ``ast``.

Arrows point one way: ``screens/`` → ``kiosk/`` → ``drivers/`` → ``config/``, never back up;
``kiosk/`` sees devices only through their interfaces (``drivers/base.py``, ``drivers/<kind>/
base.py``, ``…/errors.py``), except ``kiosk/context.py``, which builds them with
``drivers/factory.py``; no module imports itself back through others (no circle); no screen
module imports SQLAlchemy or threading, and nothing under ``kiosk/`` imports Kivy. Imports under
``if TYPE_CHECKING:`` count for the layers (they name a dependency) but not for circles (they
never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"screens": 3, "kiosk": 2, "drivers": 1, "config": 0}
# ``layout`` is the printer's paper description (``Receipt``): data handed to the interface.
INTERFACE_FILES = {"base", "errors", "layout"}
# Known exceptions, each with its owner's reason; a new one must be argued for here.
KIOSK_TO_DRIVERS_EXEMPT = {
    # where concrete drivers are built: the devices home needs (kiosk.startup), and a device
    # the technician reconfigures and the document tools (kiosk.context)
    ("kiosk.startup", "drivers.factory"),
    ("kiosk.context", "drivers.factory"),
    ("kiosk.cli", "drivers.cli"),  # the shared CommandError of the command line
}
SCREENS_EXEMPT: set[str] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(imported module, at run time?) for every import statement in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else \
        module_name(path).rpartition(".")[0]
    out: list[tuple[str, bool]] = []

    def visit(node: ast.AST, runtime: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.body:
                    visit_stmt(sub, False)
                for sub in child.orelse:
                    visit_stmt(sub, runtime)
                continue
            visit_stmt(child, runtime)

    def visit_stmt(node: ast.AST, runtime: bool) -> None:
        if isinstance(node, ast.Import):
            out.extend((alias.name, runtime) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:  # ``from pkg import module`` names a module too
                candidate = f"{target}.{alias.name}"
                if _module_path(candidate) is not None:
                    out.append((candidate, runtime))
                else:
                    out.append((target, runtime))
        else:
            visit(node, runtime)

    visit(tree, True)
    return out


def _module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def our_files() -> list[Path]:
    return sorted(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py")
                  if "migrations" not in p.parts)


GRAPH = {module_name(p): imports_of(p) for p in our_files()}


def test_arrows_point_one_way() -> None:
    wrong = []
    for module, imports in GRAPH.items():
        mine = LAYERS[module.split(".")[0]]
        for target, _runtime in imports:
            top = target.split(".")[0]
            if top in LAYERS and LAYERS[top] > mine:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_the_core_sees_devices_only_through_their_interfaces() -> None:
    wrong = []
    for module, imports in GRAPH.items():
        if not module.startswith("kiosk"):
            continue
        for target, _runtime in imports:
            parts = target.split(".")
            if parts[0] != "drivers":
                continue
            if (module, target) in KIOSK_TO_DRIVERS_EXEMPT:
                continue
            if len(parts) == 1 or parts[-1] not in INTERFACE_FILES:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_circle_between_modules() -> None:
    """Tarjan's strongly connected components over the run-time imports of our modules."""
    edges = {m: sorted({t for t, runtime in imps if runtime and t in GRAPH and t != m})
             for m, imps in GRAPH.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in edges:
        if v not in index:
            strongconnect(v)
    assert circles == []


@pytest.mark.parametrize("forbidden", ["sqlalchemy", "threading"])
def test_no_screen_imports_the_database_or_threads(forbidden: str) -> None:
    wrong = [m for m, imps in GRAPH.items()
             if m.startswith("screens") and m not in SCREENS_EXEMPT
             for t, _ in imps if t.split(".")[0] == forbidden]
    assert wrong == []


def test_the_core_never_imports_kivy() -> None:
    wrong = [m for m, imps in GRAPH.items() if m.startswith("kiosk")
             for t, _ in imps if t.split(".")[0] == "kivy"]
    assert wrong == []


def test_the_reader_sees_what_it_must() -> None:
    """The graph is not empty by accident: known edges are found, both kinds of import."""
    assert ("kiosk.outbox", True) in GRAPH["kiosk.queue.counter"]
    assert ("kiosk.flows.queue", True) in GRAPH["kiosk.context"]
    assert ("drivers.factory", True) in GRAPH["kiosk.context"]
    assert any(t == "drivers.idcard.base" for t, _ in GRAPH["kiosk.flows.identity"])
