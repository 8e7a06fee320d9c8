"""The `liuke` command line: every subcommand parses, and `bench` gives each part what it reads."""

from __future__ import annotations

import pytest

from liuke.bench.command import BENCH_PARTS
from liuke.cli import build_parser


def test_bench_parts_parse_with_their_options() -> None:
    args = build_parser().parse_args(["bench", "--only", *BENCH_PARTS])
    assert set(args.only) == set(BENCH_PARTS)
    # what cmd_bench hands to each part
    assert (args.sizes, args.queries) == ([10_000, 1_000_000], 1000)
    assert (args.audit_requests, args.audit_rounds, args.audit_workers) == (100, 3, 4)
    assert args.skip_sales is False


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--no-demo"],
        ["demo", "--customers", "10"],
        ["audit", "verify"],
        ["reminders"],
        ["analytics", "refresh"],
        ["analytics", "clv", "--transactions", "t.csv", "--customer-col", "c", "--date-col",
         "d", "--amount-col", "a", "--json"],
    ],
)  # fmt: skip
def test_operator_commands_parse(argv: list[str]) -> None:
    assert callable(build_parser().parse_args(argv).func)
