from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Branch, Business
from liuke.core.models import TimeStampedModel
from liuke.customers import fields
from liuke.customers.choices import (
    ChangeKind,
    Gender,
    GrantStatus,
    HairType,
    PhotoKind,
    SkinType,
    Source,
)

#: Which profile fields belong to which verification group (the field catalogue says): the
#: services, the freshness rules and the completeness score all read this one table.
FIELD_GROUPS = fields.FIELD_GROUPS


class Tag(TimeStampedModel):
    """A label staff put on customers (VIP, 敏感肌, 学生 …), per business."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=30)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="tag_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Customer(TimeStampedModel):
    """One person in the archive (客户档案).

    Search keys (`name_pinyin`, `name_initials`, `mobile_last4`) are derived by the services on
    every write and indexed together with the business, so that a search is an index range scan
    at a million customers. A customer merged into another keeps its row (`merged_into`), so
    nothing that pointed at it is lost and the merge can be audited.
    """

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="customers")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="customers")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("responsible staff member"),
    )

    # Identity
    name = models.CharField(_("name"), max_length=fields.limit("name"))
    name_pinyin = models.CharField(max_length=120, editable=False, default="")
    name_initials = models.CharField(max_length=40, editable=False, default="")
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    #: The form of address the customer chose (王姐, 小李); greetings use it when set.
    address_as = models.CharField(
        _("form of address"), max_length=fields.limit("address_as"), blank=True, default=""
    )

    # Contact
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, default="")
    mobile_last4 = models.CharField(max_length=4, editable=False, blank=True, default="")
    wechat_id = models.CharField(
        _("WeChat id"), max_length=fields.limit("wechat_id"), blank=True, default=""
    )
    card_no = models.CharField(
        _("card number"), max_length=fields.limit("card_no"), null=True, blank=True
    )

    # Relationship
    is_key_account = models.BooleanField(_("key account"), default=False)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.WALK_IN
    )
    referrer = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by"),
    )
    tags = models.ManyToManyField(Tag, related_name="customers", blank=True)

    # Skin, hair, health
    skin_type = models.CharField(
        _("skin type"), max_length=20, choices=SkinType.choices, blank=True
    )
    hair_type = models.CharField(
        _("hair type"), max_length=20, choices=HairType.choices, blank=True
    )
    allergies = models.TextField(_("allergies"), max_length=fields.limit("allergies"), blank=True)
    contraindications = models.TextField(
        _("contraindications"), max_length=fields.limit("contraindications"), blank=True
    )

    # Preferences and notes
    preferences = models.TextField(
        _("preferences"), max_length=fields.limit("preferences"), blank=True
    )
    notes = models.TextField(_("notes"), max_length=fields.limit("notes"), blank=True)
    #: Seen only by the customer's responsible staff member, managers and owners
    #: (`accounts.policy.visible_fields`, given its facts by `customers.selectors`).
    confidential_notes = models.TextField(
        _("confidential notes"), max_length=fields.limit("confidential_notes"), blank=True
    )

    # Consent, with the moment it was given or withdrawn
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    photo_consent = models.BooleanField(_("photo consent"), default=False)
    photo_consent_at = models.DateTimeField(null=True, blank=True)
    #: Service notices about the customer's own account (the consumption notice after a card or
    #: package deduction) go out unless the customer opted out; marketing needs consent above.
    service_notices = models.BooleanField(_("service notices"), default=True, db_default=True)

    # Dynamic management (动态管理): when each group of fields was last confirmed
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    contact_verified_at = models.DateTimeField(null=True, blank=True)
    health_verified_at = models.DateTimeField(null=True, blank=True)
    preferences_verified_at = models.DateTimeField(null=True, blank=True)
    consent_verified_at = models.DateTimeField(null=True, blank=True)
    #: The oldest of the *_verified_at above (NULL when any group was never confirmed):
    #: one indexed column answers "which customers are stale".
    verified_at = models.DateTimeField(null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(_("completeness %"), default=0)

    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    #: Set when the customer's personal data was erased (`customers.services.customer_anonymise`).
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["business", "name"], name="cust_biz_name"),
            models.Index(fields=["business", "name_pinyin"], name="cust_biz_pinyin"),
            models.Index(fields=["business", "name_initials"], name="cust_biz_initials"),
            models.Index(fields=["business", "mobile"], name="cust_biz_mobile"),
            models.Index(fields=["business", "mobile_last4"], name="cust_biz_last4"),
            models.Index(
                fields=["business", "branch", "created_at"], name="cust_biz_branch_created"
            ),
            models.Index(fields=["business", "verified_at"], name="cust_biz_verified"),
            models.Index(fields=["business", "birthday", "name"], name="cust_biz_bday_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["business", "card_no"], name="customer_card_no_unique"),
            models.CheckConstraint(
                condition=models.Q(completeness__lte=100), name="customer_completeness_range"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="customer_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def first_name(self) -> str:
        """The given name (张丽 → 丽)."""
        return self.name[1:] if len(self.name) >= 2 and not self.name.isascii() else self.name

    @property
    def salutation(self) -> str:
        """How a Chinese salon addresses the customer in a greeting: the form of address she
        chose (王姐) when one is stored, else surname and 女士 or 先生 (张丽 → 张女士, 欧阳明 →
        欧阳先生); the full name when the gender is not given or the name is not a Chinese
        one, rather than guess."""
        if self.address_as:
            return self.address_as
        title = {"F": "女士", "M": "先生"}.get(self.gender)
        if title is None or len(self.name) < 2 or self.name.isascii():
            return self.name
        two = self.name[:2]
        surname = two if two in COMPOUND_SURNAMES and len(self.name) > 2 else self.name[0]
        return surname + title


#: Two-character surnames (复姓); every other surname is the name's first character.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "端木",
        "南宫",
        "西门",
        "独孤",
        "百里",
        "呼延",
    }
)


class CustomerPhoto(TimeStampedModel):
    """A before/after photo, stored under a random name and served only through a checked view."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="photos/%Y/%m/")
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class FieldChange(models.Model):
    """One field's change on one customer: who, when, old → new. Written only by services."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("field change")
        verbose_name_plural = _("field changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["customer", "-changed_at"], name="change_cust_time")]

    def __str__(self) -> str:
        return f"{self.customer_id}.{self.field}"


class CustomerMerge(models.Model):
    """The record of one merge: which customer was folded into which, by whom, and a snapshot
    of the merged profile as it was, so the merge can be reviewed later."""

    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges")
    merged = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField()
    moved = models.JSONField(default=dict, help_text="Rows moved per related table.")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField()

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class DataQualitySnapshot(models.Model):
    """A branch's archive quality on one day, written by the nightly job: how completeness and
    freshness move over time (001 动态管理: keep the data current, and measure it)."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="quality_snapshots")
    day = models.DateField()
    customers = models.PositiveIntegerField()
    completeness = models.DecimalField(max_digits=5, decimal_places=1)
    stale = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("data quality snapshot")
        verbose_name_plural = _("data quality snapshots")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "day"], name="quality_snapshot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.day}"


class AccessGrant(models.Model):
    """A request to read a key account's full file ("borrowing" it), and its decision.

    Staff other than the customer's responsible person, managers and owners see only a minimal
    card of a key account (重点客户). They ask with a reason; the responsible person or a manager
    approves or refuses; an approved grant lasts `Business.grant_hours` and can be revoked.
    Whether a grant opens the file is decided in `accounts.policy.has_full_file` and nowhere
    else (the grant in force is looked up by `customers.selectors.has_full_file`).
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="access_grants")
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants"
    )
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["grantee", "customer", "status"], name="grant_who_whom"),
            models.Index(fields=["customer", "status"], name="grant_customer_status"),
            models.Index(fields=["status", "requested_at"], name="grant_status_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["grantee", "customer"],
                condition=models.Q(status="pending"),
                name="grant_one_pending_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grantee_id} → {self.customer_id} ({self.status})"

    def in_force(self, now: dt.datetime) -> bool:
        return (
            self.status == GrantStatus.APPROVED
            and self.expires_at is not None
            and self.expires_at > now
        )

    @property
    def shown_status(self) -> str:
        """Status for lists: an approved grant past its time shows as expired."""
        from django.utils import timezone

        if self.status == GrantStatus.APPROVED and not self.in_force(timezone.now()):
            return GrantStatus.EXPIRED
        return self.status

    @property
    def shown_status_label(self) -> str:
        return str(GrantStatus(self.shown_status).label)
