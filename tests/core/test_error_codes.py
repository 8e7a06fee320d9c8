"""Error codes: one enum per app (`<app>/errors.py`), every raise site uses a member, and
docs/errors.md shows exactly the enums' codes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from liuke.core.errors import CoreErrorCode, error_code_enums, error_code_table_markdown

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "liuke"
DOC = ROOT / "docs" / "errors.md"

#: Calls that take a stable code, and where: the argument's position (or the `code=` keyword).
CODE_ARGUMENT = {"ServiceError": 0, "_invalid": 0, "_choice": 2, "fail": 2, "error_response": 3}
#: Exceptions whose `code=` keyword is a stable code.
CODE_KEYWORD = {"ServiceError", "ValidationError"}


def test_the_published_table_is_the_enums() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("-->", text.index("<!-- error code table")) + 3
    end = text.index("<!-- end of error code table -->")
    assert text[start:end].strip() == error_code_table_markdown(), (
        "regenerate the table in docs/errors.md from liuke.core.errors.error_code_table_markdown()"
    )


def test_every_code_is_snake_case_with_a_meaning_and_core_codes_are_not_repeated() -> None:
    enums = error_code_enums()
    assert enums[0] == ("core", CoreErrorCode)
    members = [(app, member) for app, enum in enums for member in enum]
    assert [m for _app, m in members if not re.fullmatch(r"[a-z][a-z0-9_]*", m.value)] == []
    assert [f"{app}: {m.value}" for app, m in members if not m.meaning.endswith(".")] == []
    repeated = [
        f"{app}: {m.value} is CoreErrorCode.{m.name}; use that"
        for app, m in members[len(CoreErrorCode) :]
        if m.value in CoreErrorCode._value2member_map_
    ]
    assert repeated == []


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _text(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _bare_codes(tree: ast.Module) -> list[ast.AST]:
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node)
            position = CODE_ARGUMENT.get(name)
            if position is not None and len(node.args) > position:
                found.append(node.args[position])
            if name in CODE_KEYWORD:
                found += [k.value for k in node.keywords if k.arg == "code"]
            # super().__init__("code", ...) in an error class, ServiceError.__init__(self, "code")
            if name == "__init__" and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Call) and _name(owner) == "super" and node.args:
                    found.append(node.args[0])
                if isinstance(owner, ast.Name) and owner.id == "ServiceError" and node.args[1:]:
                    found.append(node.args[1])
        # an error answer written by hand: {"code": ..., "message": ...}
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            if "code" in keys and "message" in keys:
                found.append(node.values[keys.index("code")])
        # `exc.code or "fallback"` and `exc.code == "other"`
        if isinstance(node, ast.BoolOp):
            first = node.values[0]
            if isinstance(first, ast.Attribute) and first.attr == "code":
                found += node.values[1:]
        if isinstance(node, ast.Compare):
            left = node.left
            if isinstance(left, ast.Attribute) and left.attr == "code":
                found += node.comparators
    return [node for node in found if _text(node)]


def test_no_site_uses_a_bare_string_code() -> None:
    bare = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in _bare_codes(ast.parse(path.read_text(encoding="utf-8"))):
            value = getattr(node, "value", "")
            bare.append(f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}: {value!r}")
    assert not bare, "use the app's ErrorCode member (src/liuke/<app>/errors.py):\n" + "\n".join(
        bare
    )


def test_the_scan_sees_each_kind_of_site() -> None:
    # given one bare code at each kind of site the scan knows
    source = """
raise ServiceError("a", "message")
raise ServiceError(code="b", message="m")
raise ValidationError("m", code="c")
raise _invalid("d", "field", "m")
_choice(value, Kind, "e", "kind")
fail("field", "m", "f")
error_response(api, request, 400, "g", "m")
class Refused(ServiceError):
    def __init__(self):
        super().__init__("h", "m")
answer = {"code": "i", "message": "m"}
code = exc.code or "j"
same = exc.code == "k"
"""
    # then the scan finds every one of them
    found = [getattr(n, "value", None) for n in _bare_codes(ast.parse(source))]
    assert sorted(map(str, found)) == list("abcdefghijk")
    # and a member is no bare code
    assert not _bare_codes(ast.parse('raise ServiceError(SalesErrorCode.CARD_CLOSED, "m")'))
