from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liuke.accounts.choices import Role
from liuke.core.models import TimeStampedModel


class Business(TimeStampedModel):
    """The tenant: one salon business owning one or several branches.

    Every customer row carries its business id, so the policy scopes by business from day one
    and a hosted deployment (or a Citus-sharded PostgreSQL) can split data by this key.
    """

    name = models.CharField(_("name"), max_length=100)
    #: The salon's logo on its customers' pages: a PNG re-encoded by `accounts.branding`
    #: (never the uploaded bytes), at most 256 px square.
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    stale_after_months = models.PositiveSmallIntegerField(
        _("data is stale after (months)"),
        default=12,
        help_text=_("Customer data not confirmed for this long is flagged for confirmation."),
    )
    grant_hours = models.PositiveSmallIntegerField(
        _("borrowed access lasts (hours)"),
        default=24,
        help_text=_("How long an approved request to read a key account's file stays valid."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("review inactive customers after (years)"),
        default=3,
        help_text=_(
            "Customers with no visit and no change for this long are listed for review and "
            "can be anonymised."
        ),
    )
    #: The first-run checklist (accounts.setup.checklist): the keys the owner ticked as done by
    #: hand (items without a predicate), and when they hid the list before it was done.
    checklist_ticked = models.JSONField(_("checklist items ticked"), default=list, blank=True)
    checklist_dismissed_at = models.DateTimeField(
        _("checklist dismissed at"), null=True, blank=True
    )
    # --- audit app (issue 3): thresholds of the unusual-reading flags.
    audit_files_per_hour = models.PositiveSmallIntegerField(
        _("customer files one person may open in an hour"),
        default=40,
        help_text=_("More distinct customer files than this in one hour raises a flag."),
    )
    opens_at = models.TimeField(_("opens at"), default=dt.time(9, 0))
    closes_at = models.TimeField(
        _("closes at"),
        default=dt.time(22, 0),
        help_text=_(
            "Exports outside the opening hours raise a flag. A closing time before the opening "
            "time means open past midnight."
        ),
    )

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name


class Branch(TimeStampedModel):
    """A shop (门店) of a business."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="branches")
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=50, default="Asia/Shanghai")
    # --- audit app (issue 3): a branch's own opening hours; empty means the business's.
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    #: Printed above and below the lines of a receipt (小票): the shop's name, a slogan,
    #: the Wi-Fi password, the returns policy.
    receipt_header = models.CharField(_("receipt header"), max_length=200, blank=True)
    receipt_footer = models.CharField(_("receipt footer"), max_length=200, blank=True)
    #: A closed branch keeps its customers, visits and history, but takes no new visit,
    #: customer or staff member (accounts.setup.branches.branch_close).
    is_active = models.BooleanField(_("open"), default=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["business_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["business", "code"], name="branch_code_unique"),
            models.CheckConstraint(
                condition=(Q(opens_at__isnull=True) & Q(closes_at__isnull=True))
                | (
                    Q(opens_at__isnull=False)
                    & Q(closes_at__isnull=False)
                    & ~Q(opens_at=F("closes_at"))
                ),
                name="branch_hours_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def hours(self) -> tuple[dt.time, dt.time]:
        """The branch's opening hours: its own, else the business's."""
        if self.opens_at is not None and self.closes_at is not None:
            return self.opens_at, self.closes_at
        return self.business.opens_at, self.business.closes_at


class User(AbstractUser):
    """A member of staff who logs in. Role and branches drive what `accounts.policy` allows."""

    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.FRONT_DESK)
    branches = models.ManyToManyField(Branch, related_name="staff", blank=True)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    #: Set by `accounts.services.two_factor_*`: the login then asks for a TOTP code
    #: (a flag on the row, so that checking it costs no query per request).
    two_factor_enabled = models.BooleanField(_("two-factor login"), default=False)
    #: How the staff member was invited and is reached (the login may be either); a staff
    #: member who has left keeps their row (visits and history name them) with `left_at` set
    #: and `is_active` off.
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class StaffInvite(models.Model):
    """A one-time link to set a password, given to an invited staff member.

    The link carries a random token signed with the secret key (`liuke.core.signed`); only the
    token's SHA-256 is stored, so the table alone opens no account. It works once
    (`used_at`), until `expires_at`, and only its newest link works for a staff member (a new
    invite replaces the old one)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invites")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class ApiToken(models.Model):
    """A personal API token for integrations. Only its SHA-256 is stored; the token itself is
    shown once, when it is created. A revoked token stops working on its next request."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginThrottle(models.Model):
    """Failed logins of one account or one client address (`accounts.throttle`), and the time
    before which the next login attempt for it is refused. The key is a keyed hash of the
    username or address, so the table names no one."""

    key_hash = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")

    def __str__(self) -> str:
        return f"{self.key_hash[:8]}… {self.failures}"
