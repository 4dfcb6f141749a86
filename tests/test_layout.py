"""The package's layout shows the pipeline: every import points down the stages, never up or
sideways, and no two modules import each other (directly or round a cycle).

Stages, lowest first: the base (`errors`, `lock`, `params`), `evidence`, then `imports` and
`articles` (both writers of data/, beside each other), `content`, `render`, `publish`;
`cli` drives them all.
"""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "libyareport"
ALLOWED = {
    "base": set(),
    "evidence": {"base"},
    "imports": {"base", "evidence"},
    "articles": {"base", "evidence"},
    "content": {"base", "evidence", "imports"},
    "render": {"base", "evidence", "imports", "content"},
    "publish": {"base", "evidence", "imports", "content", "render"},
    "cli": {"base", "evidence", "imports", "articles", "content", "render", "publish"},
}


def _module(path: Path) -> str:
    return ".".join(("libyareport", *path.relative_to(PKG).with_suffix("").parts)).removesuffix(".__init__")


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "base"  # the package's __init__: __version__ and lazy re-exports only
    if parts[1] in ("errors", "lock", "params", "progress"):
        return "base"
    if parts[1] in ("cli", "__main__"):
        return "cli"
    return parts[1]


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("libyareport"):
            assert node.level == 0, f"{path}: relative import; use absolute libyareport.… imports"
            if node.module == "libyareport" and all(a.name == "__version__" for a in node.names):
                out.add("libyareport")
                continue
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names
                       if (PKG / Path(*f"{node.module}.{a.name}".split(".")[1:])).with_suffix(".py").exists())
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("libyareport"))
    return out


MODULES = {_module(p): p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts}


def test_every_stage_is_a_subpackage_and_the_top_level_is_small():
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "cli.py", "errors.py", "lock.py", "params.py", "progress.py"], top
    for stage in ("evidence", "imports", "content", "render", "publish"):
        assert (PKG / stage / "__init__.py").is_file(), stage


def test_imports_point_down_the_pipeline():
    wrong = []
    for mod, path in MODULES.items():
        s = "cli" if mod == "libyareport" else _stage(mod)  # the facade's lazy re-exports may reach any stage
        for target in _imports(path):
            t = _stage(target)
            if t != s and t not in ALLOWED[s]:
                wrong.append(f"{mod} ({s}) imports {target} ({t})")
    assert not wrong, "imports against the pipeline's direction:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles_between_modules():
    graph = {m: {t for t in _imports(p, top_level_only=True) if t in MODULES and t != m} for m, p in MODULES.items()}
    for m in list(graph):  # importing a.b.c runs a.b/__init__ first: no edge needed, packages' inits are docstrings
        graph[m] = {t for t in graph[m] if MODULES[t].name != "__init__.py" or t == "libyareport"}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m: str, stack: list[str]) -> bool:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle.extend(stack[stack.index(t):] + [m, t] if t in stack else [m, t])
                return True
            if state.get(t) is None and visit(t, stack + [m]):
                return True
        state[m] = 2
        return False

    for m in sorted(graph):
        if state.get(m) is None and visit(m, []):
            break
    assert not cycle, "import cycle: " + " → ".join(cycle)
