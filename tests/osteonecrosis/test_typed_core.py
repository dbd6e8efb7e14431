"""Issue 17 item 3, one typed core: the case model sits below the rules (no import cycle), one case model
gives the published schema, and every result is a frozen dataclass read by attribute (no dict layer)."""

from __future__ import annotations

import ast
from pathlib import Path

import osteonecrosis

PKG = Path(osteonecrosis.__file__).resolve().parent

# The engine's core: the case model, the rules and every module that turns a case into a result.
CORE = ("cases", "rules", "staging", "plan", "prevention", "risk", "management", "scope", "cli",
        "other_staging", "models.virtual_patient")


def _module_names() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        parts = path.relative_to(PKG).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Every relative import inside the package, at module level or inside a function (a lazy import is still
    a dependency), as module -> modules it imports ('' is the package itself)."""
    modules = _module_names()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = [p for p in name.split(".") if p] if is_package else name.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = here[:len(here) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            subs = {f"{target}.{a.name}".lstrip(".") for a in node.names} & set(modules)
            deps |= subs or ({target} & set(modules))
        graph[name] = deps - {name}
    return graph


def reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for dep in graph.get(node, ()):
            if dep == goal:
                return True
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return False


def test_the_case_model_imports_no_rule_and_no_engine_module():
    """cases.py is the bottom of the engine: it may read the knowledge base, nothing that reads a case."""
    deps = import_graph()["cases"]
    assert deps <= {"knowledge", ""}, deps


def test_no_core_module_is_on_an_import_cycle():
    graph = import_graph()
    for name in CORE:
        assert name in graph, name
        assert not reaches(graph, name, name), f"{name} imports itself through a cycle"


def test_the_cycle_check_sees_lazy_imports():
    """The graph counts an import inside a function (the old ``cases.exposure`` -> rules was one):
    management_cases imports management only inside its functions."""
    graph = import_graph()
    text = (PKG / "management_cases.py").read_text(encoding="utf-8")
    assert "\n    from . import management" in text and "\nfrom . import management" not in text
    assert "management" in graph["management_cases"]
    assert "rules" in graph["staging"] and "cases" in graph["rules"]
