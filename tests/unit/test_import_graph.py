"""The modules of bot/, handlers/ and db/ import each other without a circle.

Dependencies go one way (handlers -> services -> db); a service that needed the application
object closed an 11-file circle once. Only imports run at module level count (those inside a
function run later, at call time), `if TYPE_CHECKING:` blocks included.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.harness import ROOT

PACKAGES = ("bot", "handlers", "db")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def top_level_imports(tree: ast.Module, this: str, is_package: bool) -> list[str]:
    """Modules named by the imports outside functions and classes (inside `if`/`try` too)."""
    found: list[str] = []
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = this.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.If | ast.Try):
            for block in (node.body, node.orelse, *(h.body for h in getattr(node, "handlers", []))):
                stack.extend(block)
            stack.extend(getattr(node, "finalbody", []))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = set()
        for imported in top_level_imports(tree, name, path.name == "__init__.py"):
            # Importing a.b.c runs a/__init__ and a/b/__init__ first, except the packages
            # that hold this module: they are already being imported.
            parts = imported.split(".")
            for end in range(1, len(parts) + 1):
                target = ".".join(parts[:end])
                if target in modules and target != name and not name.startswith(target + "."):
                    targets.add(target)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of the graph as a path (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_graph_is_read() -> None:
    graph = import_graph()
    assert "bot.services.broadcast" in graph["bot.app"]
    assert "db" in graph["bot.services.broadcast"]
    assert "bot.program.model" in graph["bot.i18n"]


def test_the_finder_sees_a_circle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_itself_through_others() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_services_and_db_never_import_the_application_or_handlers() -> None:
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith(("bot.services", "db")):
            bad = {t for t in targets if t == "bot.app" or t.startswith("handlers")}
            assert not bad, f"{name} imports {bad}"
