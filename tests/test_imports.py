"""The app's files import each other without cycles, and private Streamlit internals are
reached only through ui/compat.py.

The graph is built from the source (``ast``), file by file, counting every import — also
the ones inside functions: a function-level import only postpones a cycle to the first
call, it does not remove it, and it hides which file sits on which floor.

An edge goes from a file to the file it names: ``from ui import charts`` → ui/charts.py,
``from scoring import prepare`` → scoring/__init__.py, ``import data.store`` →
data/store.py. The implicit "a submodule's package runs first" is not an edge (every
submodule would otherwise be in a cycle with a package that re-exports it).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The app's own code: the entry point and its packages (``views/`` once it exists).
SCOPE = ("app.py", "pages", "ui", "views", "data", "scoring", "geo")
#: The one file allowed to reach private Streamlit and asyncio internals.
COMPAT = "ui/compat.py"
#: Imports known to close a cycle, being removed by other work: (importer, imported). The
#: test drops them before looking for cycles, and fails once one is gone from the source (so
#: the list only shrinks). Empty: strict. The one entry is the cache-warming thread
#: (ui/state.py starts ui/profile.py's ``warm``), which issue 18 removes.
KNOWN_EDGES: set[tuple[str, str]] = set()


def app_files() -> list[Path]:
    out = []
    for name in SCOPE:
        path = ROOT / name
        if path.is_file():
            out.append(path)
        elif path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts))
    return out


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_file(module: str) -> str | None:
    """The repository file of a dotted module name, or None if it is not the app's."""
    parts = module.split(".")
    for candidate in (ROOT.joinpath(*parts).with_suffix(".py"), ROOT.joinpath(*parts, "__init__.py")):
        if candidate.is_file() and any(rel(candidate) == s or rel(candidate).startswith(s + "/")
                                       for s in SCOPE):
            return rel(candidate)
    return None


def package_of(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts if path.name == "__init__.py" else parts[:-1]


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports, with its line: ``import X.Y`` → ``X.Y``; ``from X
    import a`` → ``X.a`` when that is a module of the app (a submodule), else ``X``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_of(path)
                base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                out.append((sub if module_file(sub) else module, node.lineno))
    return out


def graph() -> dict[str, set[str]]:
    """File → the app files it imports."""
    edges: dict[str, set[str]] = {}
    for path in app_files():
        me = rel(path)
        edges[me] = {t for m, _ in imported_modules(path) if (t := module_file(m)) not in (None, me)}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one file (Tarjan), each sorted."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def one_loop(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A concrete loop inside ``component`` (a → b → … → a), to name in a failure."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}

    def walk(v):
        for w in sorted(edges[v] & members):
            if w == start:
                return path + [start]
            if w not in seen:
                seen.add(w)
                path.append(w)
                found = walk(w)
                if found:
                    return found
                path.pop()
        return None

    return walk(start) or component


def test_the_graph_sees_function_level_and_relative_imports(tmp_path):
    """The parser itself: an import inside a function counts, ``from pkg import sub`` points
    at the submodule's file, and a cycle is found and named."""
    edges = {"a.py": {"b.py"}, "b.py": {"c.py"}, "c.py": {"a.py"}, "d.py": {"a.py"}}
    found = cycles(edges)
    assert found == [["a.py", "b.py", "c.py"]]
    assert one_loop(found[0], edges) == ["a.py", "b.py", "c.py", "a.py"]
    assert module_file("ui.charts") == "ui/charts.py"
    assert module_file("scoring") == "scoring/__init__.py"
    assert module_file("streamlit") is None
    src = tmp_path / "x.py"
    src.write_text("def f():\n    from ui import charts\n    import data.store\n")
    names = {m for m, _ in imported_modules(src)}
    assert {"ui.charts", "data.store"} <= names


def test_no_import_cycles_between_files():
    edges = graph()
    assert len(edges) > 50 and "app.py" in edges
    stale = {(a, b) for a, b in KNOWN_EDGES if b not in edges.get(a, set())}
    assert not stale, f"listed as known but gone from the source — remove from KNOWN_EDGES: {stale}"
    for a, b in KNOWN_EDGES:
        edges[a].discard(b)
    found = cycles(edges)
    assert not found, "import cycles (every import counted, also inside functions):\n" + "\n".join(
        " → ".join(one_loop(c, edges)) + f"   (all of: {', '.join(c)})" for c in found)


def private_streamlit(module: str) -> bool:
    """A Streamlit module that is not its public API: a path component starting with "_",
    or anything under streamlit.runtime / streamlit.elements / streamlit.web."""
    parts = module.split(".")
    if parts[0] != "streamlit":
        return False
    return any(p.startswith("_") for p in parts[1:]) or (len(parts) > 1 and parts[1] in
                                                         ("runtime", "elements", "web"))


def private_uses(path: Path) -> list[str]:
    """The private Streamlit modules and asyncio internals ``path`` imports or touches."""
    out = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        mods = []
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            mods = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and isinstance(node.value, ast.Attribute) and node.value.attr == "base_events":
            out.append(f"line {node.lineno}: asyncio.base_events.{node.attr}")
        for m in mods:
            if private_streamlit(m) or m.startswith("asyncio.base_events"):
                out.append(f"line {node.lineno}: {m}")
                break
    return out


def test_private_streamlit_rule_itself():
    assert private_streamlit("streamlit.runtime.pages_manager")
    assert private_streamlit("streamlit.elements.vega_charts")
    assert private_streamlit("streamlit.web.server")
    assert private_streamlit("streamlit._internal")
    assert not private_streamlit("streamlit")
    assert not private_streamlit("streamlit.testing.v1")
    assert not private_streamlit("streamlit.components.v1")


def test_only_compat_reaches_private_framework_internals():
    files = [p for p in app_files() if rel(p) == "app.py" or rel(p).split("/")[0] in ("pages", "ui", "views")]
    bad = {rel(p): uses for p in files if rel(p) != COMPAT and (uses := private_uses(p))}
    assert not bad, f"private Streamlit/asyncio internals outside {COMPAT}: {bad}"


def test_pages_import_no_private_streamlit_module():
    bad = {rel(p): uses for p in (ROOT / "pages").glob("*.py") if (uses := private_uses(p))}
    assert not bad, bad


def test_views_sit_under_ui():
    """views/ (pure page models) import no Streamlit-rendering module of ui/: the floors run
    pages → ui → views → data/scoring, never back up."""
    up = {"ui/profile.py", "ui/state.py", "ui/charts.py", "ui/tables.py", "ui/components.py",
          "ui/sidebar.py", "ui/staff.py", "ui/frame.py", "ui/compat.py", "ui/practices.py",
          "ui/compare.py", "ui/gaps.py", "ui/workshop.py", "ui/brief.py", "ui/proposals.py"}
    edges = graph()
    bad = {(a, b) for a, targets in edges.items() if a.startswith("views/")
           for b in targets if b in up or b.startswith("pages/")}
    assert not bad, f"views import from a floor above them: {sorted(bad)}"
