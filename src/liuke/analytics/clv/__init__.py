"""Customer lifetime value, the mathematics only: the per-customer summary, the BG/NBD and
Gamma-Gamma models with their fits, and the analysis that combines them (`analyse`). Plain NumPy
and SciPy, no Django: it runs on arrays, so the CLI can analyse a transaction file and the
benchmarks can compare it with `lifetimes` without a database. The rest of analytics (SQL
summaries, refresh, dashboards) imports it; it imports nothing from Liuke outside this package
(a test scans its imports)."""

from __future__ import annotations

from liuke.analytics.clv.analysis import Analysis, Options, Status, analyse

__all__ = ["Analysis", "Options", "Status", "analyse"]
