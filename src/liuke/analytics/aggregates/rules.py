"""The rules of the dashboards' figures (the definitions are in the package's docstring)."""

from __future__ import annotations

#: A visit is "rebooked" when the customer comes back within this many days.
REBOOK_DAYS = 90
#: How many monthly cohorts (and months after them) are kept.
COHORT_MONTHS = 24
#: Value bands (lower edges, yuan); the last band is open.
VALUE_BANDS_YUAN = (0, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
#: Potential key accounts: worth at or above this quantile of the business's customers.
POTENTIAL_QUANTILE = 0.95
#: Months of revenue kept.
REVENUE_MONTHS = 36
