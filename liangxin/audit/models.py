"""The audit log (审计日志): append-only, tamper-evident record of every write.

Writers never lock: each entry carries an HMAC of its own content. `audit seal` later
closes runs of entries into AuditSeal rows chained one to the next, each holding the
count and a digest of the entry hashes it covers, so an altered entry (its HMAC fails),
a deleted entry (a seal's count/digest fails) and an altered seal (the chain breaks)
are all detected by `audit verify`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # Kept beside the FK so the entry reads the same after the user is renamed.
    actor_label = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=60)
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("行政区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    entry_hmac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        ordering = ["-id"]
        indexes = [
            # The auditor's list: one region, newest first, optionally one object type.
            models.Index(fields=["region", "-id"], name="audit_region_recent"),
            # "History of this object" on detail pages.
            models.Index(fields=["object_type", "object_id"], name="audit_object_history"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class AuditSeal(models.Model):
    """Closes the entries with first_entry_id <= id <= last_entry_id."""

    sealed_at = models.DateTimeField()
    first_entry_id = models.BigIntegerField()
    last_entry_id = models.BigIntegerField()
    entry_count = models.PositiveIntegerField()
    entries_digest = models.CharField(max_length=64)
    previous_seal_hmac = models.CharField(max_length=64)
    seal_hmac = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计封存")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["first_entry_id"], name="audit_seal_ranges_start_once"),
            models.CheckConstraint(
                condition=models.Q(first_entry_id__lte=models.F("last_entry_id")), name="audit_seal_range_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"封存 #{self.id}：{self.first_entry_id}–{self.last_entry_id}（{self.entry_count} 条）"
