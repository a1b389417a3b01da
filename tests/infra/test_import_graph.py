"""The apps' import graph keeps its layers (docs: README "Project layout").

Every import statement of every module of our apps and config/ (migrations and tests left
out) is read with ast, without importing anything. Imports inside functions and under
``if TYPE_CHECKING:`` count for the layering rules: a deferred import is still a
dependency. The layers, bottom first:

- core: site-wide pieces; imports no app (apps register into it, never the reverse).
- accounts: the user; imports only core.
- programs: the catalog; imports accounts and core.
- assessments, advising, tracker: built on the three above.
- config: settings and entry points, on top.

Apps extend a lower layer through its registries and signals (accounts.hooks,
accounts.services.register_user_data_exporter, programs.signals), connected from their
own AppConfig.ready().

Inside an app, no two modules import each other at module level, directly or through
others (a cycle makes the import order matter). Deferred imports may close a cycle.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "accounts", "programs", "assessments", "advising", "tracker", "config")

# app -> the apps it must never import
FORBIDDEN = {
    "core": set(PACKAGES) - {"core"},
    "accounts": {"programs", "assessments", "advising", "tracker", "config"},
    "programs": {"assessments", "advising", "tracker", "config"},
}

# Imports that close a cycle between apps, each with its reason: without them the apps'
# graph has no cycle. Keep this short; an entry whose import is gone must be removed.
ALLOWED_CYCLE_EDGES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    target: str  # dotted module name (the longest known module it names), or the raw name
    line: int
    deferred: bool  # inside a function or under `if TYPE_CHECKING:`


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Dotted name -> file, for every module of `packages` but migrations and tests."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).parts
            if "migrations" in parts or "tests" in parts:
                continue
            modules[_module_name(path, root)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str:
    """The longest known module `name` starts with (a name imported from it, else itself)."""
    candidate = name
    while candidate:
        if candidate in modules:
            return candidate
        candidate = candidate.rpartition(".")[0]
    return name


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, modules: dict[str, Path]) -> None:
        self.module, self.is_package, self.modules = module, is_package, modules
        self.imports: list[Import] = []
        self._deferred = 0

    def _deeper(self, node: ast.AST) -> None:
        self._deferred += 1
        self.generic_visit(node)
        self._deferred -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _deeper

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" in ast.unparse(node.test):
            self._deferred += 1
            for child in node.body:
                self.visit(child)
            self._deferred -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def _add(self, name: str, node: ast.stmt) -> None:
        target = _resolve(name, self.modules)
        self.imports.append(Import(self.module, target, node.lineno, self._deferred > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            package = self.module.split(".")
            if not self.is_package:
                package.pop()
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, *([node.module] if node.module else [])])
        else:
            base = node.module or ""
        for alias in node.names:
            # `from package import module` names the module, `from module import name` not
            self._add(f"{base}.{alias.name}", node)


def imports_of(root: Path, packages: Iterable[str] = PACKAGES) -> list[Import]:
    modules = app_modules(root, packages)
    found: list[Import] = []
    for name, path in modules.items():
        collector = _Collector(name, path.name == "__init__.py", modules)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        found.extend(collector.imports)
    return found


def _app(module: str) -> str:
    return module.partition(".")[0]


def forbidden_imports(imports: Iterable[Import]) -> list[str]:
    return sorted(
        {
            f"{i.importer}:{i.line} imports {i.target}"
            for i in imports
            if _app(i.target) in FORBIDDEN.get(_app(i.importer), set())
        }
    )


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = itertools.count()

    def visit(node: str) -> None:
        index[node] = low[node] = next(counter)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(components)


def app_edges(
    imports: Iterable[Import], packages: Iterable[str] = PACKAGES
) -> set[tuple[str, str]]:
    names = set(packages)
    return {
        (_app(i.importer), _app(i.target))
        for i in imports
        if _app(i.target) in names and _app(i.target) != _app(i.importer)
    }


def app_cycles(
    imports: Iterable[Import], *, allowed: Iterable[tuple[str, str]] = ()
) -> list[list[str]]:
    """Cycles between apps once the `allowed` (importer app, imported app) links are left out."""
    edges: dict[str, set[str]] = defaultdict(set)
    for source, target in app_edges(imports) - set(allowed):
        edges[source].add(target)
    return _cycles(edges)


def module_cycles(imports: Iterable[Import]) -> list[list[str]]:
    """Cycles of module-level imports between the modules of one app."""
    edges: dict[str, set[str]] = defaultdict(set)
    for i in imports:
        same_app = _app(i.importer) == _app(i.target)
        if same_app and not i.deferred and i.target != i.importer:
            edges[i.importer].add(i.target)
    return _cycles(edges)


# --- the project -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_imports() -> list[Import]:
    return imports_of(ROOT)


def test_the_graph_covers_every_app(project_imports: list[Import]) -> None:
    importers = {_app(i.importer) for i in project_imports}
    assert importers == set(PACKAGES)
    assert len(project_imports) > 500


def test_no_app_imports_a_layer_above_it(project_imports: list[Import]) -> None:
    assert forbidden_imports(project_imports) == []


def test_apps_do_not_import_each_other_in_a_cycle(project_imports: list[Import]) -> None:
    assert app_cycles(project_imports, allowed=ALLOWED_CYCLE_EDGES) == []


def test_every_allowed_cycle_edge_still_exists(project_imports: list[Import]) -> None:
    """An allowed link that is gone is removed from the list, so it cannot come back."""
    assert set(ALLOWED_CYCLE_EDGES) <= app_edges(project_imports)


def test_no_module_level_import_cycle_inside_an_app(project_imports: list[Import]) -> None:
    assert module_cycles(project_imports) == []


# --- the checks themselves fail on a bad graph --------------------------------------------


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_checks_find_forbidden_imports_and_cycles(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            # accounts -> assessments, deferred: still forbidden
            "accounts/views.py": "def f():\n    from assessments.drafts import draft_for_user\n",
            "assessments/drafts.py": "from accounts import views\n",
            # programs -> advising through a management command
            "programs/management/commands/load_demo.py": "import advising.demo\n",
            "advising/demo.py": "from ..tracker import x\n",
            "tracker/x.py": "import advising\n",
            "core/views.py": "if TYPE_CHECKING:\n    from programs.models import Program\n",
            "programs/models.py": "",
            # module cycle inside assessments: a -> b -> c -> a, at module level
            "assessments/a.py": "from assessments import b\n",
            "assessments/b.py": "from .c import thing\n",
            "assessments/c.py": "import assessments.a\n",
            # deferred imports close no module cycle
            "tracker/y.py": "from tracker import z\n",
            "tracker/z.py": "def f():\n    from tracker import y\n",
            # migrations and tests are left out
            "accounts/migrations/0001_initial.py": "import tracker\n",
        },
    )
    imports = imports_of(root)
    assert forbidden_imports(imports) == [
        "accounts.views:2 imports assessments.drafts",
        "core.views:2 imports programs.models",
        "programs.management.commands.load_demo:1 imports advising.demo",
    ]
    assert app_cycles(imports) == [["accounts", "assessments"], ["advising", "tracker"]]
    assert app_cycles(imports, allowed=[("advising", "tracker")]) == [["accounts", "assessments"]]
    assert module_cycles(imports) == [["assessments.a", "assessments.b", "assessments.c"]]
