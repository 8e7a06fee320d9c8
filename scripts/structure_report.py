"""Print the structure figures that issue 11 ("House in order") tracks, measured from the source.

    .venv/bin/python scripts/structure_report.py            # the summary
    .venv/bin/python scripts/structure_report.py --detail   # every long module and function

Counts: cross-app imports (and those hidden inside functions), pairs of apps that import each
other (the audit app counts as one here, though its log sits below accounts and its browsing
above customers: `lint-imports` is the judge of direction), modules over 500 lines and
functions over 80 (migrations left out), copied page helpers,
`type: ignore` comments. It reads the files as text and runs nothing.
"""

from __future__ import annotations

import argparse
import ast
import collections
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "liuke"
MODULE_LIMIT = 500
FUNCTION_LIMIT = 80


def _app(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "liuke" or len(parts) < 2:
        return None
    return parts[1]


def _source_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detail", action="store_true")
    args = parser.parse_args()

    edges: collections.Counter[tuple[str, str]] = collections.Counter()
    lazy = 0
    long_modules: list[tuple[int, str]] = []
    long_functions: list[tuple[int, str]] = []
    helpers: collections.Counter[str] = collections.Counter()
    ignores = 0
    http404 = 0
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(SRC.parent)
        here = _app(".".join(rel.with_suffix("").parts))
        lines = text.count("\n")
        if lines > MODULE_LIMIT:
            long_modules.append((lines, str(rel)))
        ignores += len(re.findall(r"#\s*type:\s*ignore", text))
        http404 += len(re.findall(r"except\s+\w*NotFound\w*.*:\s*\n\s*raise Http404", text))
        tree = ast.parse(text)
        in_function = {
            id(inner)
            for outer in ast.walk(tree)
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in ast.walk(outer)
            if isinstance(inner, ast.Import | ast.ImportFrom)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LIMIT:
                    long_functions.append((length, f"{rel}:{node.lineno} {node.name}"))
                if node.name in {"_actor", "_require", "_need"} and node.col_offset == 0:
                    helpers[node.name] += 1
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets.append(node.module)
            elif isinstance(node, ast.Import):
                targets.extend(a.name for a in node.names)
            for target in targets:
                there = _app(target)
                if there and here and there != here and len(rel.parts) > 2:
                    edges[(here, there)] += 1
                    if id(node) in in_function:
                        lazy += 1
    mutual = sorted({tuple(sorted(pair)) for pair in edges if (pair[1], pair[0]) in edges})
    print(f"cross-app imports: {sum(edges.values())} ({lazy} inside functions)")
    print(f"apps importing each other: {len(mutual)} pairs {' '.join('/'.join(p) for p in mutual)}")
    print(f"modules over {MODULE_LIMIT} lines: {len(long_modules)}")
    print(f"functions over {FUNCTION_LIMIT} lines: {len(long_functions)}")
    print("page helpers defined per module: " + ", ".join(f"{k} {v}" for k, v in helpers.items()))
    print(f"'except NotFound: raise Http404' ladders: {http404}")
    print(f"type: ignore comments: {ignores}")
    if args.detail:
        for lines, name in sorted(long_modules, reverse=True):
            print(f"  module {lines:5d}  {name}")
        for length, name in sorted(long_functions, reverse=True):
            print(f"  function {length:4d}  {name}")


if __name__ == "__main__":
    main()
