"""What the transfer app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liuke.core.registry import CliCommand, Contribution, NavEntry, NavGroup, UrlMount
from liuke.transfer import capabilities, privacy
from liuke.transfer.capabilities import TransferCap

CONTRIBUTION = Contribution(
    capabilities=TransferCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[
        NavEntry("transfer:list", _("Import"), TransferCap.DATA_IMPORT, 190, NavGroup.SETTINGS),
    ],
    urls=[UrlMount("import/", "liuke.transfer.urls")],
    commands=[
        CliCommand(
            "import",
            "import customers, cards, packages, visits or appointments from a spreadsheet",
            "liuke.transfer.cli:add_arguments",
            "liuke.transfer.cli:run",
        )
    ],
)
