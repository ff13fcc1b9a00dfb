"""Chinese interface text uses full-width punctuation: no half-width , ; : ( ) beside a Chinese character in the
templates or in any string of the site's code (the strings handed to the translation framework, messages of
the loader and the commands, the API's field descriptions): what a reader sees."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HALF_WIDTH = re.compile(f"(?<=[{CJK}])[,;:()]|[,;:()](?=[{CJK}])")
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
MODULES = sorted(p for p in (ROOT / "cases").rglob("*.py") if "migrations" not in p.parts)


def string_literals(path: Path):
    """Every string constant of a module (f-strings' literal parts and the strings handed to the translation
    framework included) but its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates(path):
    text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
    found = [text[max(0, m.start() - 6):m.end() + 6] for m in HALF_WIDTH.finditer(text)]
    assert found == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_string_literals(path):
    found = [(line, text) for line, text in string_literals(path) if HALF_WIDTH.search(text)]
    assert found == []


def test_the_walk_finds_a_message_and_skips_a_docstring(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""说明(文档)。"""\n\n\ndef f(n):\n    return f"共 {n} 篇,用时" + _("标签:值")\n', encoding="utf-8")
    found = sorted(text for _line, text in string_literals(module) if HALF_WIDTH.search(text))
    assert found == [" 篇,用时", "标签:值"]  # a message, a translated string; not the docstring


@pytest.mark.parametrize("text, bad", [("日期(新→旧)", True), ("日期（新→旧）", False), ("来源:人民网", True),
                                       ("Vol. 11 (2022), p. 3", False), ("文件过大（%(size).1f MB）", False)])
def test_the_check_itself(text, bad):
    assert bool(HALF_WIDTH.search(text)) is bad
