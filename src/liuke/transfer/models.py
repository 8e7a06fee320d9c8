"""Imports: the batch (one file brought in), its bad rows, the stable keys of what it brought,
and the column mappings a business saved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Business
from liuke.core.models import TimeStampedModel
from liuke.transfer.choices import BatchStatus


class ImportBatch(TimeStampedModel):
    """One file brought in: where it is kept until imported, its mapping and options, the dry
    run's figures and preview, and the import's progress and counts."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    #: the upload, kept under MEDIA_ROOT until the batch is imported or undone
    stored_path = models.CharField(max_length=300, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    headers = models.JSONField(default=list)
    #: header text → field key ("" leaves the column out)
    mapping = models.JSONField(default=dict)
    branch_ids = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.UPLOADED
    )
    language = models.CharField(max_length=10, default="zh-hans")
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    match_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    #: the first rows as they will be stored (the dry run's preview)
    preview = models.JSONField(default=list)
    failure = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business", "-created_at"], name="import_biz_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class ImportIssue(models.Model):
    """A bad row of a batch: its number in the file, what is wrong (column, reason) and its
    cells, for the report to correct and import again."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    row_no = models.PositiveIntegerField()
    #: [[column header, reason], …] in the importer's language
    problems = models.JSONField()
    cells = models.JSONField()

    class Meta:
        ordering = ["row_no"]
        indexes = [models.Index(fields=["batch", "row_no"], name="import_issue_row")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_no}"


class ImportRecord(models.Model):
    """The stable key a row came in under (the source system's id, a card number, a mobile) and
    the record it is: re-running a file finds it again instead of creating it twice, and undo
    knows what the batch created. The unique key is what keeps two imports at once from
    creating one customer twice."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=80)
    object_id = models.BigIntegerField()
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "kind", "key"], name="import_key_unique")
        ]
        indexes = [models.Index(fields=["batch", "created"], name="import_record_batch")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class SavedMapping(TimeStampedModel):
    """A column mapping saved by name, to map the next file from the same system in one click."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    name = models.CharField(_("name"), max_length=60)
    mapping = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "kind", "name"], name="import_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name
