"""The page plumbing lives in one place (`accounts.http`, `accounts.policy.require`,
`core.middleware.PageErrorMiddleware`); this keeps the per-module copies from coming back."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "liuke"

#: Helpers each module used to write for itself, and what replaces them.
COPIED = {
    "_actor": "take `request: StaffRequest` from `@staff_view` (pages) or `api_actor(request)`",
    "_require": "`@staff_view(cap=...)` on a read page; a write's service checks",
    "_need": "`policy.require(actor, cap)`",
}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for file in sorted(SRC.rglob("*.py")):
        if "migrations" in file.parts:
            continue
        yield file, ast.parse(file.read_text(encoding="utf-8"), filename=str(file))


def _names(node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, ast.Tuple):
        return {n for element in node.elts for n in _names(element)}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    if isinstance(node, ast.Name):
        return {node.id}
    return set()


def _raises_http404(handler: ast.ExceptHandler) -> bool:
    return any(
        isinstance(n, ast.Raise) and n.exc is not None and "Http404" in ast.unparse(n.exc)
        for n in ast.walk(handler)
    )


def test_no_module_defines_its_own_actor_or_capability_helper() -> None:
    found = [
        f"{file.relative_to(SRC)}:{node.lineno} {node.name}: use {COPIED[node.name]}"
        for file, tree in _modules()
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name in COPIED
    ]
    assert not found, "\n".join(found)


def test_no_view_turns_not_found_into_http404_by_hand() -> None:
    found = [
        f"{file.relative_to(SRC)}:{node.lineno}: let PageErrorMiddleware answer 404"
        for file, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ExceptHandler)
        and "NotFound" in _names(node.type)
        and _raises_http404(node)
    ]
    assert not found, "\n".join(found)


def test_no_type_ignore_for_the_request_attributes() -> None:
    pattern = re.compile(r"request\.(htmx|auth)\b.*# type: ignore")
    found = [
        f"{file.relative_to(SRC)}:{number}: annotate the view's request as StaffRequest"
        f" (pages) or use api_actor(request) (API)"
        for file in sorted(SRC.rglob("*.py"))
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_checks_above_would_see_a_copy() -> None:
    """The walker itself: a module with each copy is caught."""
    copy = ast.parse(
        "def _actor(request):\n    return request.user\n"
        "try:\n    pass\nexcept (ValueError, NotFound):\n    raise Http404 from None\n"
    )
    assert [n.name for n in copy.body if isinstance(n, ast.FunctionDef)] == ["_actor"]
    handlers = [n for n in ast.walk(copy) if isinstance(n, ast.ExceptHandler)]
    assert "NotFound" in _names(handlers[0].type)
    assert _raises_http404(handlers[0])
