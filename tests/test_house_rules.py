"""House rules the design depends on, checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dlstudio"
HEAVY = {"tensorflow", "keras", "keras_tuner", "jax", "torch"}
# Only these may import the training stack when they are imported; the rest do it lazily so
# that the window and `dlstudio --help` never wait for TensorFlow.
ALLOWED = ("core/engine/", "core/models/", "core/export/", "core/search/")
QT = {"PySide6", "pyqtgraph", "PyQt5", "PyQt6"}


def _module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:  # top-level statements only: imports inside functions are lazy
        for sub in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
            if isinstance(sub, ast.Import):
                names |= {a.name.split(".")[0] for a in sub.names}
            elif isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                names.add(sub.module.split(".")[0])
    return names


def test_heavy_libraries_are_imported_lazily_outside_engine_models_export():
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {sorted(_module_level_imports(path) & HEAVY)}"
        for path in PACKAGE.rglob("*.py")
        if not str(path.relative_to(PACKAGE)).startswith(ALLOWED)
        and _module_level_imports(path) & HEAVY
    ]
    assert offenders == []


def test_qt_is_imported_only_by_the_gui():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if not str(path.relative_to(PACKAGE)).startswith("gui/")
        and _module_level_imports(path) & QT
    ]
    assert offenders == []


def test_no_module_of_the_package_imports_itself_back_through_others():
    """Layers (pyproject.toml's import-linter contracts) keep imports running downwards; this
    catches a circle inside one layer too, lazy imports in functions included."""
    import grimp

    graph = grimp.build_graph("dlstudio")
    circles = [
        (module, other)
        for module in graph.modules
        for other in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=other, imported=module)
    ]
    assert circles == []
