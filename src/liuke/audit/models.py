"""The audit log: append-only and hash-chained.

Each event carries the hash of the one before it (`prev_hash`) and its own `hash` over a canonical
encoding of its content, so altering, removing or reordering any row breaks the chain. `AuditHead`
holds the newest sequence number and hash apart from the events, so cutting off the tail is
detected too; appends lock the head row, which serialises them and keeps the chain from forking.
Triggers (SQLite and PostgreSQL) refuse UPDATE and DELETE on the events.

Events name customers by id only (no personal values), so erasing a customer's personal data
never needs to touch the log.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.audit.choices import Action

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One audited read or change. Never updated, never deleted."""

    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    business_id = models.BigIntegerField(null=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_label = models.CharField(max_length=150, blank=True)
    #: One of `audit.choices.Action` (not declared as `choices=`: every app adds actions, and a
    #: new action must not need a migration of this append-only table).
    action = models.CharField(max_length=20)
    #: The customers concerned, sorted (the subjects table indexes them for lookups).
    customer_ids = models.JSONField(default=list)
    #: Which fields or which view: ["profile"], ["mobile", "allergies"], ["search:zs"] …
    fields = models.JSONField(default=list)
    reason = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.CharField(max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["business_id", "-seq"], name="audit_biz_seq"),
            # The browse filters: keyset pages on seq within one staff member or one action.
            models.Index(fields=["business_id", "actor_id", "-seq"], name="audit_biz_actor_seq"),
            models.Index(fields=["business_id", "action", "-seq"], name="audit_biz_action_seq"),
            # A time range far back in the log (the planner sorts the few rows it finds).
            models.Index(fields=["business_id", "occurred_at"], name="audit_biz_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def get_action_display(self) -> str:
        try:
            return str(Action(self.action).label)
        except ValueError:
            return self.action


class AuditSubject(models.Model):
    """Index of events by customer ("who has read this customer's file?")."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    customer_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("audit subject")
        verbose_name_plural = _("audit subjects")
        indexes = [models.Index(fields=["customer_id", "event"], name="audit_subject_cust")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.customer_id}"


class AuditHead(models.Model):
    """The single row (id=1) holding the chain's newest sequence number and hash."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit head")
        verbose_name_plural = _("audit head")

    def __str__(self) -> str:
        return f"head #{self.seq}"


class FlagKind(models.TextChoices):
    MANY_FILES = "many_files", _("Many customer files in one hour")
    EXPORT_AFTER_HOURS = "export_after_hours", _("Export outside opening hours")


class AuditFlag(models.Model):
    """Unusual reading found in the log by the periodic job (`audit.tasks.flag_unusual_reading`).

    `key` makes the job idempotent: one flag per staff member and hour ("many_files") or per
    export event ("export_after_hours"), whatever how often the job runs over the same events.
    """

    key = models.CharField(max_length=80, unique=True)
    business_id = models.BigIntegerField()
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    actor_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=150, blank=True)
    #: The hour (many_files) or the moment of the export (export_after_hours), UTC.
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    #: Distinct customer files opened in the hour, or customers named by the export.
    customers = models.PositiveIntegerField(default=0)
    #: The (first) event concerned, to open the log there.
    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("audit flag")
        verbose_name_plural = _("audit flags")
        ordering = ["-window_start", "-id"]
        indexes = [
            models.Index(
                fields=["business_id", "acknowledged_at", "-window_start"], name="audit_flag_biz"
            )
        ]

    def __str__(self) -> str:
        return self.key
