"""What the apps contribute, collected in one place (after NetBox's `netbox/registry.py`).

Each Liuke app declares what it brings in its own `contrib.py`: a module-level `CONTRIBUTION`
naming its capabilities and the roles that hold them, its slice of the personal-data inventory,
its navigation entries, its URL patterns and API router, its profile panels, its demo step, its
periodic jobs and what a new business starts with (its provisioning).
The hubs (the access policy, the privacy inventory, the navigation, `urls.py`, `api.py`, the demo
builder) read them from `registry` and list no app by name, so adding an app edits no hub file
(docs/development.md, "Adding an app").

The apps are read in INSTALLED_APPS order, which each app's AppConfig sets with its `order`
(`liuke.settings.liuke_apps`, lower apps first): a store lists a lower app's entries before a
higher one's. Adding a store is one field on `Contribution` (as `profile_panels` is); the hubs
read it with `registry.each(...)` / `registry.items(...)`.

Everything here is plain data; callables are named by dotted path and imported by the hub that
runs them, so reading the registry imports no view, router or demo code.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.utils.functional import Promise

from liuke.core.privacy import DataClass


class Capability(enum.StrEnum):
    """A named capability. Each app declares its own as a subclass (`ComplaintCap`, …) with
    member names unique across the apps (templates read them as `caps.COMPLAINT_VIEW`)."""


#: capability → the roles that hold it: an app's rows of the table in docs/security.md.
RoleTable = Mapping[Capability, frozenset[str]]
#: model label → field name → (class, purpose)
PrivacyModels = Mapping[str, Mapping[str, tuple[DataClass, str]]]
#: API schema property → (class, purpose)
PrivacyProperties = Mapping[str, tuple[DataClass, str]]


class NavGroup(enum.StrEnum):
    """The task a navigation entry serves: the menu shows the entries group by group, in this
    order, so that a phone's menu reads as the salon's day rather than as a list of apps."""

    DAILY = "daily"
    CUSTOMERS = "customers"
    MONEY = "money"
    FEEDBACK = "feedback"
    ANALYSIS = "analysis"
    SETTINGS = "settings"


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to those who hold `capability`; `weight` orders the
    entries of every app (lower first; NetBox's menu weights) and `group` places it in the menu."""

    url_name: str
    label: str | Promise
    capability: Capability
    weight: int
    group: NavGroup = NavGroup.DAILY
    #: "module:function" called with the acting staff member: how much waits for them behind
    #: the link (approvals to decide, callbacks due, escalations) as one SQL count expression
    #: (`core.bulksql.count_of`), or None when nothing there can wait for them. The navigation
    #: computes every entry's count in one query and shows it beside the link.
    badge: str | None = None


@dataclass(frozen=True)
class UrlMount:
    """`path(prefix, include(module))` in the root URLconf."""

    prefix: str
    module: str


@dataclass(frozen=True)
class ApiMount:
    """`api.add_router(prefix, router)` under /api/v1/; `router` is "module:attribute"."""

    prefix: str
    router: str


@dataclass(frozen=True)
class DemoStep:
    """What the app adds to the demo salon: `run` ("module:function") is called with the demo
    business and the seed (keyword arguments) after the salon's customers and visits exist."""

    run: str
    label: str


@dataclass(frozen=True)
class PeriodicJob:
    """A huey periodic task the app runs ("module:function"), and when, in words."""

    task: str
    schedule: str


@dataclass(frozen=True)
class PanelContent:
    """What a profile panel shows: its template and that template's context."""

    template: str
    context: Mapping[str, Any]


@dataclass(frozen=True)
class ProfilePanel:
    """A section of a customer's profile served by the app whose data it shows.

    `render` ("module:function") is called with the request and the profile fetched once
    (`customers.profile.CustomerProfile`) and returns a `PanelContent`, or None when it has
    nothing to show to this staff member; it never fetches the customer again or asks the policy
    about the file. The profile shows the panels of those who hold `capability` (None: anyone who
    sees the profile), lower `order` first; those ordered below 40 come before the identity
    details (`customers.profile.FIRST_SCREEN_ORDER`: the first screen). `framed`: the profile
    puts the panel in a card with `key` as its id (False when the template brings its own).
    `url_name` ("app:name", taking `customer_id`) serves the panel alone, to refresh it without
    reloading the page.
    """

    key: str
    title: str | Promise
    order: int
    render: str
    capability: Capability | None = None
    framed: bool = True
    url_name: str | None = None


@dataclass(frozen=True)
class TodaySection:
    """A section of the staff's "today" page (their landing page) served by the app whose data
    it shows, as `ProfilePanel` is for the profile.

    `render` ("module:function") is called with the request and returns a `PanelContent`, or
    None when it has nothing for this staff member (a role it does not serve, an empty day); it
    reads through the app's selectors, which scope by the policy and note what they show in the
    request's one audit event. Shown to those who hold `capability` (None: every staff member),
    lower `order` first."""

    key: str
    title: str | Promise
    order: int
    render: str
    capability: Capability | None = None


@dataclass(frozen=True)
class ReportSection:
    """A section of the analytics dashboards' "Appointments" tab, served by the app whose data
    it measures, as `TodaySection` is for the today page.

    `render` ("module:function") is called as function(request=, branch_ids=, first=, last=)
    with the branches the dashboard adds up (already scoped to the viewer's) and the span of
    days, and returns a `PanelContent` or None. Shown to those who hold `capability` (None:
    everyone who sees the dashboards), lower `order` first."""

    key: str
    title: str | Promise
    order: int
    render: str
    capability: Capability | None = None


@dataclass(frozen=True)
class BriefCases:
    """Open matters of another app that the front line resolves first while the customer is here
    (the complaints app's unresolved cases), listed on engagement's customer brief.

    `fetch` ("module:function") is called as function(actor=, customer=) for those who hold
    `capability` and read the customer's full file, and returns the items; each is shown with
    `item_template` (an `<li>`, the item as `item`). When there are any, `action` leads the
    brief's suggested actions."""

    key: str
    capability: Capability
    fetch: str
    item_template: str
    action: str | Promise


@dataclass(frozen=True)
class ChecklistItem:
    """A step of a new business's first-run checklist (shown to owners until every step is
    done, or they hide it): `label` says what to do, `url_name` is the page that does it.

    `done` ("module:function") is called as function(business_id=…) and says whether the step
    is done; without one, the owner ticks the step when they have looked at it (settings that
    start with sensible defaults). `order` sorts the steps of every app (lower first)."""

    key: str
    label: str | Promise
    url_name: str
    order: int
    done: str | None = None


@dataclass(frozen=True)
class CliCommand:
    """A subcommand of `liuke` the app brings (`liuke import …`): `add_arguments`
    ("module:function") is called with the subcommand's argparse parser, `run` with the parsed
    arguments and returns the exit status. Both are imported only when the command line is
    built, after Django is set up."""

    name: str
    help: str
    add_arguments: str
    run: str


@dataclass(frozen=True)
class Contribution:
    """Everything one app brings to the hubs. Every field is optional."""

    capabilities: type[Capability] | None = None
    roles: RoleTable = field(default_factory=dict)
    privacy_models: PrivacyModels = field(default_factory=dict)
    privacy_api: PrivacyProperties = field(default_factory=dict)
    navigation: Sequence[NavEntry] = ()
    urls: Sequence[UrlMount] = ()
    api: Sequence[ApiMount] = ()
    profile_panels: Sequence[ProfilePanel] = ()
    #: sections of the staff's "today" page (see `TodaySection`)
    today_sections: Sequence[TodaySection] = ()
    demo: DemoStep | None = None
    jobs: Sequence[PeriodicJob] = ()
    #: "module:function" called as function(business_id=…) when a business is created (and by
    #: the app's data migration for existing ones): the defaults pages and the API only read.
    provision: Sequence[str] = ()
    #: open matters the customer brief lists and resolves first (see `BriefCases`)
    brief_cases: Sequence[BriefCases] = ()
    #: message kind → "module:function" turning the message's opaque token into the public link
    #: its text shows as {link} (feedback's survey answer link)
    message_links: Mapping[str, str] = field(default_factory=dict)
    #: the app's steps of the first-run checklist (see `ChecklistItem`)
    checklist: Sequence[ChecklistItem] = ()
    #: "module:function" called as function(actor=, from_user_id=, to_user_id=, reason=) when a
    #: staff member leaves, handing what they looked after to a successor; returns a count
    staff_handover: Sequence[str] = ()
    #: the words the audit log shows for the codes the app writes in its events' fields
    #: ("sales_summary" → "消费汇总"); a model's name or a field's label where it is one
    audit_words: Mapping[str, str | Promise] = field(default_factory=dict)
    #: "module:function" called as function(request=, member=) on a staff member's set-up page
    #: (accounts/setup/): the HTML of the app's section about that staff member (sales: their
    #: commission plan), or "" when there is nothing for this viewer
    staff_sections: Sequence[str] = ()
    #: subcommands of the `liuke` command line (see `CliCommand`)
    commands: Sequence[CliCommand] = ()
    #: sections of the analytics dashboards' "Appointments" tab (see `ReportSection`)
    report_sections: Sequence[ReportSection] = ()
    #: "module:function" called as function(actor=, visit=, data=) inside a checkout's
    #: transaction once its visit is written (`data`: the checkout's input, keys the sales app
    #: passes through unread); a refusal (ServiceError) rolls the whole checkout back. The
    #: appointments app links the appointment checked out and books the next visit.
    checkout_hooks: Sequence[str] = ()
    #: "module:function" called as function(actor=, visit=, refund=) inside a refund's
    #: transaction once the visit's status says what is left of it
    refund_hooks: Sequence[str] = ()


#: The stores a hub may ask for with `Registry.each`.
STORES = frozenset(f.name for f in fields(Contribution))


class RegistryError(RuntimeError):
    """An app's contribution contradicts another's or itself (found when the registry loads)."""


class Registry:
    """The contributions of the installed Liuke apps, in INSTALLED_APPS order."""

    def __init__(self) -> None:
        self._apps: dict[str, Contribution] | None = None

    def contributions(self) -> dict[str, Contribution]:
        """App label → its contribution; loads every app's `contrib` module on first use."""
        if self._apps is None:
            self._apps = _check(_discover())
        return self._apps

    def each(self, store: str) -> Iterator[tuple[str, Any]]:
        """(app label, value) of one store for every app that fills it, in layer order."""
        if store not in STORES:
            raise KeyError(store)
        for label, contribution in self.contributions().items():
            value = getattr(contribution, store)
            if value:
                yield label, value

    def items(self, store: str) -> list[Any]:
        """The entries of a sequence store of every app, in layer order."""
        return [item for _label, values in self.each(store) for item in values]

    def capabilities(self) -> list[Capability]:
        """Every declared capability, app by app in layer order, each app's in its enum order."""
        return [cap for _label, enum_ in self.each("capabilities") for cap in enum_]

    def role_capabilities(self) -> dict[str, frozenset[Capability]]:
        """Role → every capability it holds, collected from the apps' literal tables."""
        out: dict[str, set[Capability]] = {}
        for _label, table in self.each("roles"):
            for cap, roles in table.items():
                for role in roles:
                    out.setdefault(str(role), set()).add(cap)
        return {role: frozenset(caps) for role, caps in out.items()}


def _discover() -> dict[str, Contribution]:
    from django.apps import apps

    found: dict[str, Contribution] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("liuke."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.contrib")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.contrib":
                raise
            continue
        contribution = getattr(module, "CONTRIBUTION", None)
        if not isinstance(contribution, Contribution):
            raise RegistryError(f"{config.name}.contrib must define CONTRIBUTION = Contribution()")
        found[config.label] = contribution
    return found


def _check(found: dict[str, Contribution]) -> dict[str, Contribution]:
    """Refuse contradictions now rather than let one app silently override another."""
    names: dict[str, str] = {}
    values: dict[str, str] = {}
    for label, c in found.items():
        caps = list(c.capabilities or ())
        for cap in caps:
            for seen, key in ((names, cap.name), (values, cap.value)):
                if key in seen:
                    raise RegistryError(f"capability {key} of {label} is also {seen[key]}'s")
                seen[key] = label
        if set(c.roles) != set(caps):
            raise RegistryError(f"{label}: the role table must list each of its capabilities")
    _unique_keys(found, "profile_panels", "profile panel")
    _unique_keys(found, "checklist", "checklist step")
    _unique_names(found)
    _unique_keys(found, "today_sections", "today section")
    _unique_keys(found, "report_sections", "report section")
    models: dict[str, str] = {}
    properties: dict[str, tuple[DataClass, str]] = {}
    for label, c in found.items():
        for model in c.privacy_models:
            if not model.startswith(f"{label}."):
                raise RegistryError(f"{label} lists {model} in its privacy slice: not its model")
            if model in models:
                raise RegistryError(f"{model} is in the privacy slices of {models[model]}, {label}")
            models[model] = label
        for name, entry in c.privacy_api.items():
            if name in properties and properties[name][0] != entry[0]:
                raise RegistryError(f"API property {name!r} classed differently by two apps")
            properties[name] = entry
    return found


def _unique_keys(found: dict[str, Contribution], store: str, what: str) -> None:
    """Refuse two entries of a keyed store (profile panels, checklist steps) with one key."""
    seen: dict[str, str] = {}
    for label, contribution in found.items():
        for entry in getattr(contribution, store):
            if entry.key in seen:
                raise RegistryError(f"{what} {entry.key!r} of {label} is also {seen[entry.key]}'s")
            seen[entry.key] = label


def _unique_names(found: dict[str, Contribution]) -> None:
    """Refuse two apps' command-line subcommands of one name."""
    seen: dict[str, str] = {}
    for label, contribution in found.items():
        for command in contribution.commands:
            if command.name in seen:
                raise RegistryError(
                    f"command {command.name!r} of {label} is also {seen[command.name]}'s"
                )
            seen[command.name] = label


def jobs_table_markdown() -> str:
    """The periodic jobs as docs/operations.md shows them (a test keeps the two identical)."""
    lines = ["| job | app | when |", "| --- | --- | --- |"]
    for label, jobs in registry.each("jobs"):
        lines += [f"| `{job.task.rpartition(':')[2]}` | {label} | {job.schedule} |" for job in jobs]
    return "\n".join(lines)


def profile_panels() -> list[ProfilePanel]:
    """Every app's profile panels, in the order the profile shows them."""
    return sorted(registry.items("profile_panels"), key=lambda p: (p.order, p.key))


def today_sections() -> list[TodaySection]:
    """Every app's sections of the "today" page, in the order the page shows them."""
    return sorted(registry.items("today_sections"), key=lambda s: (s.order, s.key))


def run_hooks(store: str, **kwargs: Any) -> None:
    """Call every app's hooks of a store of "module:function" paths, in layer order."""
    for path in registry.items(store):
        import_dotted(path)(**kwargs)


def report_sections() -> list[ReportSection]:
    """Every app's sections of the dashboards' "Appointments" tab, in the order shown."""
    return sorted(registry.items("report_sections"), key=lambda s: (s.order, s.key))


def import_dotted(path: str) -> Any:
    """The object named "module:attribute"."""
    module, _sep, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


registry = Registry()
