"""The analytics app's slice of the personal-data inventory (docs/security.md, "Personal data").

Every field of this app's tables that hold or hang off a customer, and every property of its API
schemas, with its class and purpose; `tests/privacy/test_inventory.py` fails when one is missing.
"""

from __future__ import annotations

from liuke.core.privacy import KEEP, PR, RE, F, X
from liuke.core.registry import PrivacyModels, PrivacyProperties

_FEEDBACK = "what the customer thinks of our service (to improve it and call unhappy ones back)"
_VALUE = "what the customer is worth and how loyal (computed from the sales ledger)"

#: model label → field name → (class, purpose)
MODELS: PrivacyModels = {
    "analytics.CustomerFigures": {
        "customer": (X, KEEP),
        "business": (X, KEEP),
        "branch": (X, KEEP),
        "run": (X, KEEP),
        "visits": (F, _VALUE),
        "first_visit_on": (F, _VALUE),
        "last_visit_on": (F, _VALUE),
        "age_days": (F, _VALUE),
        "spend_mean_fen": (F, _VALUE),
        "total_spend_fen": (F, _VALUE),
        "year_spend_fen": (F, _VALUE),
        "probability_alive": (F, _VALUE),
        "expected_visits_90": (F, _VALUE),
        "expected_spend_fen": (F, _VALUE),
        "value_fen": (F, _VALUE),
        "rule_value_fen": (F, _VALUE),
        "recency_score": (F, _VALUE),
        "frequency_score": (F, _VALUE),
        "monetary_score": (F, _VALUE),
        "segment": (F, _VALUE),
        "loyalty": (F, _VALUE),
        "worth_fen": (F, _VALUE),
        "referred_worth_fen": (F, _VALUE),
        "value_lost_fen": (F, _VALUE),
        "key_account": (RE, "key account at the last refresh (the dashboards rank them)"),
        "potential_key_account": (F, "worth a key account's place (dashboard ranking)"),
        "referred_count": (RE, "customers this customer brought (referrals dashboard)"),
        "satisfaction": (PR, "the customer's survey answers as a rating (profile, API)"),
        "recommend": (PR, "the customer's latest 'would recommend' answer (loyalty rating)"),
    },
}
#: API schema properties that are not model fields → (class, purpose)
API_PROPERTIES: PrivacyProperties = {
    **dict.fromkeys(
        (
            "bgnbd_log_likelihood",
            "bgnbd_message",
            "bgnbd_status",
            "computed_at",
            "figures",
            "gamma_gamma_log_likelihood",
            "limit",
            "observation_end",
            "order",
            "params",
            "run",
            "spend_message",
            "spend_status",
            "total_value_fen",
        ),
        (X, "model parameters, statuses and paging (no customer data)"),
    ),
    "recommend": (PR, _FEEDBACK),
    "satisfaction": (PR, _FEEDBACK),
    **dict.fromkeys(
        (
            "cohort",
            "error",
            "finished_at",
            "key_accounts",
            "key_accounts_unowned",
            "key_id",
            "key_worth_fen",
            "lower_yuan",
            "model_customers",
            "month",
            "net_fen",
            "percent",
            "potential_key_accounts",
            "potential_threshold_fen",
            "rebook_days",
            "rebooked",
            "rebooking_rate",
            "referred_customers",
            "referrers",
            "repeat_rate",
            "retained",
            "rule_customers",
            "sales_fen",
            "started_at",
            "totals",
            "upper_yuan",
        ),
        (X, "dashboard aggregates (counts and sums per branch, no customer named)"),
    ),
    "links": (RE, "who brought whom (customer ids of the referrals dashboard)"),
    "top_referrers": (RE, "customers ranked by the customers they brought"),
    "unowned": (RE, "key accounts without a responsible staff member"),
    "potential": (F, "customers ranked by worth who are not key accounts"),
}
