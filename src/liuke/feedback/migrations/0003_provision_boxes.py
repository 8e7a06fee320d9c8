"""Data: a suggestion box for every existing branch that has none. The box page used to make
it on first view; now a business's branches get one when it is created
(`accounts.services.business_provision`) and the page only reads. The reverse leaves the boxes
(their QR codes may be printed)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import migrations


def provision(apps: Any, schema_editor: Any) -> None:
    Branch = apps.get_model("accounts", "Branch")
    SuggestionBox = apps.get_model("feedback", "SuggestionBox")
    boxed = SuggestionBox.objects.values_list("branch_id", flat=True)
    SuggestionBox.objects.bulk_create(
        [
            # the token's form is `feedback.links.new_token`'s
            SuggestionBox(branch_id=pk, token=secrets.token_urlsafe(16))
            for pk in Branch.objects.exclude(pk__in=boxed).values_list("id", flat=True)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_business_audit_thresholds"),
        ("feedback", "0002_survey_complaint"),
    ]

    operations = [
        migrations.RunPython(provision, migrations.RunPython.noop, elidable=True),
    ]
