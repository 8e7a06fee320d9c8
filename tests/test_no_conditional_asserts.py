"""A test's assertions always run: an `assert` under an `if` in a test function checks only when
the data happen to take that branch (a refresh test once checked the figures only when the fit
had converged), so it can pass without checking anything. Arrange the data so the outcome is
known, split a parametrized test by outcome, or compare one expected value."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _asserts_under_if(node: ast.AST, under_if: bool = False) -> list[int]:
    lines: list[int] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue  # a helper defined inside a test is judged on its own
        if isinstance(child, ast.Assert) and under_if:
            lines.append(child.lineno)
        lines += _asserts_under_if(child, under_if or isinstance(child, ast.If))
    return lines


def conditional_asserts(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            found += [f"{filename}:{line} {node.name}" for line in _asserts_under_if(node)]
    return found


def test_the_scan_finds_an_assert_under_an_if() -> None:
    source = (
        "def test_x(status):\n"
        "    if status == 200:\n"
        "        assert True\n"
        "    for i in range(2):\n"
        "        if i:\n"
        "            assert i\n"
        "    assert status\n"
        "def helper(x):\n"
        "    if x:\n"
        "        assert x\n"
    )
    assert conditional_asserts(source, "t.py") == ["t.py:3 test_x", "t.py:6 test_x"]


def test_no_test_function_asserts_under_an_if() -> None:
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 50
    found = [
        hit
        for path in files
        for hit in conditional_asserts(
            path.read_text(encoding="utf-8"), str(path.relative_to(TESTS))
        )
    ]
    assert found == []
