"""The house: ingest/ is a library of pure stages that never imports Django or the app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

INGEST = Path(__file__).resolve().parent.parent / "ingest"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(INGEST.rglob("*.py")), ids=lambda p: str(p.relative_to(INGEST)))
def test_ingest_imports_neither_django_nor_the_app(path):
    assert not _imports(path) & {"django", "cases", "config", "simple_history"}
