"""The registry collects every app's contribution, and the hubs show what the apps declare."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from liuke.accounts.capabilities import Cap
from liuke.accounts.choices import Role
from liuke.api import api
from liuke.core.registry import (
    Capability,
    CliCommand,
    Contribution,
    RegistryError,
    _check,
    import_dotted,
    jobs_table_markdown,
    registry,
)
from liuke.web.context_processors import navigation

#: INSTALLED_APPS as it was listed by hand (the `order` in each apps.py keeps it).
INSTALLED_ORDER = [
    "core", "accounts", "audit", "notices", "customers", "sales", "rosters", "engagement",
    "appointments", "complaints", "analytics", "feedback", "transfer", "demo", "web",
]  # fmt: skip
#: The apps that contribute (the demo app runs the others' demo steps and adds nothing itself).
CONTRIBUTORS = [
    "core", "accounts", "audit", "notices", "customers", "sales", "rosters", "engagement",
    "appointments", "complaints", "analytics", "feedback", "transfer", "web",
]  # fmt: skip


def test_every_app_folder_is_installed_without_a_settings_edit() -> None:
    package = Path(settings.BASE_DIR)
    folders = {f"liuke.{p.parent.name}" for p in package.glob("*/apps.py")}
    installed = [name for name in settings.INSTALLED_APPS if name.startswith("liuke.")]
    assert set(installed) == folders
    assert installed == [f"liuke.{label}" for label in INSTALLED_ORDER]


def test_every_liuke_app_is_collected_in_installed_order() -> None:
    assert list(registry.contributions()) == CONTRIBUTORS
    ours = [c.label for c in apps.get_app_configs() if c.name.startswith("liuke.")]
    assert [label for label in ours if label in CONTRIBUTORS] == CONTRIBUTORS
    assert set(ours) - set(CONTRIBUTORS) == {"demo"}


#: The navigation each role sees (in English), in order: what the hard-coded list showed, and
#: the menu everyone reads (issue 12); the "today" page first, everyone's landing page, then
#: the notices of what waits for them (16).
NAV: dict[str, list[str]] = {
    Role.OWNER: [
        "Today", "Appointment book", "Notices",
        "Customers", "New customer", "To confirm", "Duplicates",
        "Key-account access", "Checkout", "Daily close", "Menu", "Commissions",
        "Branches & staff", "Rosters", "Customer value", "Follow-ups", "Complaints", "Feedback",
        "Audit log", "Retention", "Settings", "Import",
    ],
    Role.MANAGER: [
        "Today", "Appointment book", "Notices",
        "Customers", "New customer", "To confirm", "Duplicates",
        "Key-account access", "Checkout", "Daily close", "Menu", "Commissions",
        "Branches & staff", "Rosters", "Customer value", "Follow-ups", "Complaints", "Feedback",
        "Import",
    ],
    Role.FRONT_DESK: [
        "Today", "Appointment book", "Notices",
        "Customers", "New customer", "To confirm", "Key-account access",
        "Checkout", "Daily close", "Menu", "Commissions", "Rosters", "Follow-ups", "Complaints",
        "Feedback",
    ],
    Role.BEAUTICIAN: [
        "Today", "Appointment book", "Notices",
        "Customers", "To confirm", "Key-account access", "Menu",
        "Commissions", "Rosters", "Follow-ups", "Complaints",
    ],
    Role.AUDITOR: [
        "Today", "Appointment book", "Notices",
        "Customers", "Key-account access", "Daily close", "Menu",
        "Commissions", "Branches & staff", "Rosters", "Customer value", "Follow-ups",
        "Complaints", "Feedback", "Audit log",
    ],
}  # fmt: skip


class _Staff:
    is_authenticated = True
    is_active = True
    business_id = 1

    def __init__(self, role: str) -> None:
        self.role = role


@pytest.mark.parametrize("role", Role.values)
def test_the_navigation_is_the_apps_entries_by_weight(role: str) -> None:
    request = RequestFactory().get("/")
    request.user = _Staff(role)  # type: ignore[assignment]
    request.resolver_match = None
    with translation.override("en"):
        nav = navigation(request)["nav"]
        assert [str(item["label"]) for item in nav] == NAV[role]
    for entry in registry.items("navigation"):
        assert reverse(entry.url_name)


#: The owner's menu, grouped by task (issue 16): six short groups instead of one row of 17.
OWNER_MENU = {
    "Daily work": ["Today", "Appointment book", "Notices", "Checkout", "Rosters", "Follow-ups"],
    "Customers": ["Customers", "New customer", "To confirm", "Duplicates", "Key-account access"],
    "Money": ["Daily close", "Menu", "Commissions"],
    "Feedback & complaints": ["Complaints", "Feedback"],
    "Analysis": ["Branches & staff", "Customer value"],
    "Settings": ["Audit log", "Retention", "Settings", "Import"],
}


def test_the_menu_groups_the_entries_by_task() -> None:
    request = RequestFactory().get("/")
    request.user = _Staff(Role.OWNER)  # type: ignore[assignment]
    request.resolver_match = None
    with translation.override("en"):
        groups = navigation(request)["nav_groups"]
        menu = {str(g["label"]): [str(i["label"]) for i in g["items"]] for g in groups}
    assert menu == OWNER_MENU
    assert list(menu) == list(OWNER_MENU)  # in the day's order


def test_every_declared_router_and_urlconf_is_mounted() -> None:
    operation_apps = {
        op["operationId"].split("_api_")[0].removeprefix("liuke_")
        for ops in api.get_openapi_schema()["paths"].values()
        for op in ops.values()
    }
    declared = {label for label, _mounts in registry.each("api")}
    assert operation_apps == declared
    for mount in registry.items("urls"):
        assert import_dotted(f"{mount.module}:urlpatterns")


def test_every_periodic_job_is_declared_by_its_app() -> None:
    autodiscover_modules("tasks")
    running = {f"{t.__module__}:{t.__name__}" for t in HUEY._registry._periodic_tasks}
    declared = {job.task for job in registry.items("jobs")}
    assert running == declared
    for label, jobs in registry.each("jobs"):
        assert all(job.task.startswith(f"liuke.{label}.") for job in jobs)


def test_every_demo_step_is_importable_in_layer_order() -> None:
    steps = [label for label, _step in registry.each("demo")]
    assert steps == ["sales", "rosters", "engagement", "appointments", "complaints", "feedback"]
    for _label, step in registry.each("demo"):
        assert callable(import_dotted(step.run))


class _Twice(Capability):
    SETTINGS_MANAGE = "other.settings"


class _Unlisted(Capability):
    SOMETHING = "other.something"


def test_contradictions_are_refused() -> None:
    mine = Contribution(capabilities=Cap, roles={cap: frozenset() for cap in Cap})
    clash = Contribution(capabilities=_Twice, roles={_Twice.SETTINGS_MANAGE: frozenset()})
    with pytest.raises(RegistryError):
        _check({"accounts": mine, "other": clash})
    with pytest.raises(RegistryError):
        _check({"other": Contribution(capabilities=_Unlisted)})
    with pytest.raises(KeyError):
        list(registry.each("no_such_store"))


def test_the_published_jobs_table_is_what_the_apps_declare() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text("utf-8")
    start = text.index("-->", text.index("<!-- jobs table")) + 3
    end = text.index("<!-- end of jobs table -->")
    assert text[start:end].strip() == jobs_table_markdown(), "regenerate the table"


def test_a_privacy_slice_lists_only_its_own_models() -> None:
    with pytest.raises(RegistryError):
        _check({"sales": Contribution(privacy_models={"customers.Customer": {}})})


def test_two_apps_cannot_bring_one_command() -> None:
    command = CliCommand("import", "help", "m:add", "m:run")
    _check({"sales": Contribution(commands=[command])})
    with pytest.raises(RegistryError):
        _check(
            {"sales": Contribution(commands=[command]), "other": Contribution(commands=[command])}
        )


def test_an_app_command_is_on_the_command_line_without_a_cli_edit() -> None:
    from liuke.cli import build_parser

    names = {c.name for c in registry.items("commands")}
    assert "import" in names
    args = build_parser().parse_args(["import", "customers", "a.xlsx", "--dry-run"])
    assert (args.kind, args.file, args.dry_run) == ("customers", "a.xlsx", True)
    assert args.func is import_dotted("liuke.transfer.cli:run")
