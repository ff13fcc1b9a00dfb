"""Chinese interface text uses full-width punctuation: no half-width , ; : ( ) beside a Chinese character in the
templates or in the strings the code hands to the translation framework (the ones a reader sees)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HALF_WIDTH = re.compile(f"(?<=[{CJK}])[,;:()]|[,;:()](?=[{CJK}])")
TRANSLATORS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
MODULES = sorted(p for p in (ROOT / "cases").rglob("*.py") if "migrations" not in p.parts)


def translated_strings(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in TRANSLATORS:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield node.lineno, arg.value


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates(path):
    text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
    found = [text[max(0, m.start() - 6):m.end() + 6] for m in HALF_WIDTH.finditer(text)]
    assert found == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_translated_strings(path):
    found = [(line, text) for line, text in translated_strings(path) if HALF_WIDTH.search(text)]
    assert found == []


@pytest.mark.parametrize("text, bad", [("日期(新→旧)", True), ("日期（新→旧）", False), ("来源:人民网", True),
                                       ("Vol. 11 (2022), p. 3", False), ("文件过大（%(size).1f MB）", False)])
def test_the_check_itself(text, bad):
    assert bool(HALF_WIDTH.search(text)) is bad
