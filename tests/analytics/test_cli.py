"""`liuke analytics clv` on a transaction file, checked against `lifetimes` end to end."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

from liuke.analytics.clv import bgnbd, simulate
from liuke.analytics.clv import gamma_gamma as gg
from liuke.cli import main

START = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def transactions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    rng = np.random.default_rng(11)
    first = rng.integers(0, 600, 3000)
    customer, day, amount = simulate.transactions(
        bgnbd.Params(0.5, 30.0, 0.9, 4.0), gg.Params(5.0, 3.5, 9000.0), first, 700, rng
    )
    amount = (amount / 100).round(2) + 0.01  # yuan, never zero
    frame = pd.DataFrame(
        {
            "member": [f"M{c:05d}" for c in customer],
            "paid_at": [
                f"{START + dt.timedelta(days=int(d))} {int(h):02d}:15"
                for d, h in zip(day, rng.integers(9, 21, len(day)), strict=True)
            ],
            "yuan": amount,
        }
    )
    path = tmp_path_factory.mktemp("clv") / "sales.csv"
    frame.to_csv(path, index=False)
    return path, frame


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["analytics", "clv", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.startswith("{") else {}


def reference(
    frame: pd.DataFrame, end: str, multiplier: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    data = frame.assign(paid_at=pd.to_datetime(frame.paid_at).dt.normalize())
    summary = summary_data_from_transaction_data(
        data,
        "member",
        "paid_at",
        monetary_value_col="yuan",
        observation_period_end=end,
        freq="D",
        freq_multiplier=multiplier,  # weeks = days / 7, as ours
    )
    bgf = BetaGeoFitter().fit(summary.frequency, summary.recency, summary["T"])
    repeat = summary[summary.frequency > 0]
    ggf = GammaGammaFitter().fit(repeat.frequency, repeat.monetary_value)
    params = {**bgf.params_.to_dict(), **ggf.params_.to_dict()}
    lls = {
        "bgnbd": -len(summary)
        * BetaGeoFitter._negative_log_likelihood(
            np.log(bgf.params_[["r", "alpha", "a", "b"]].to_numpy()),
            summary.frequency.to_numpy(),
            summary.recency.to_numpy(),
            summary["T"].to_numpy(),
            np.ones(len(summary)),
            0.0,
        ),
        "gg": -len(repeat)
        * GammaGammaFitter._negative_log_likelihood(
            np.log(ggf.params_[["p", "q", "v"]].to_numpy()),
            repeat.frequency.to_numpy(),
            repeat.monetary_value.to_numpy(),
            np.ones(len(repeat)),
            0.0,
        ),
    }
    return summary, {"params": params, "ll": lls, "bgf": bgf, "ggf": ggf}


@pytest.mark.parametrize(("unit", "multiplier"), [("days", 1), ("weeks", 7)])
def test_clv_json_agrees_with_lifetimes(
    transactions: tuple[Path, pd.DataFrame],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    unit: str,
    multiplier: int,
) -> None:
    path, frame = transactions
    out = tmp_path / "predictions.csv"
    code, result = run(
        capsys,
        "--transactions", str(path), "--customer-col", "member", "--date-col", "paid_at",
        "--amount-col", "yuan", "--unit", unit, "--observation-end", "2025-11-30",
        "--predictions", str(out), "--json",
    )  # fmt: skip
    assert code == 0
    summary, ref = reference(frame, "2025-11-30", multiplier)
    assert result["customers"] == len(summary)
    for key, theirs in (
        ("gamma", ref["params"]["v"]),
        *tuple((k, ref["params"][k]) for k in ("r", "alpha", "a", "b", "p", "q")),
    ):
        assert result[key] == pytest.approx(theirs, rel=1e-3), key
    assert result["bgnbd_log_likelihood"] == pytest.approx(ref["ll"]["bgnbd"], abs=0.01)
    assert result["gamma_gamma_log_likelihood"] == pytest.approx(ref["ll"]["gg"], abs=0.01)
    assert result["bgnbd_status"] == "ok"
    assert result["spend_status"] == "ok"

    with out.open() as handle:
        rows = {row["customer"]: row for row in csv.DictReader(handle)}
    assert len(rows) == len(summary)
    bgf = ref["bgf"]
    alive = bgf.conditional_probability_alive(summary.frequency, summary.recency, summary["T"])
    for member in summary.index[:50]:
        assert float(rows[member]["probability_alive"]) == pytest.approx(
            alive[summary.index.get_loc(member)], rel=2e-3, abs=1e-6
        )
        assert float(rows[member]["frequency"]) == summary.frequency[member]


def test_thin_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "few.csv"
    path.write_text("c,d,a\nx,2025-01-01,10\nx,2025-02-01,20\ny,2025-01-05,5\n", encoding="utf-8")
    code, result = run(
        capsys, "--transactions", str(path), "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--json",
    )  # fmt: skip
    assert code == 0
    assert result["bgnbd_status"] == "thin"
    assert result["r"] is None
    assert result["customers"] == 2


def test_bad_files_are_refused_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("c,d,a\nx,yesterday,10\n", encoding="utf-8")
    args = ["--transactions", str(path), "--customer-col", "c", "--date-col", "d"]
    assert main(["analytics", "clv", *args, "--amount-col", "a", "--json"]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main(["analytics", "clv", *args, "--amount-col", "price"]) == 2
    assert "no column price" in capsys.readouterr().err
