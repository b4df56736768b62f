"""Reads of the audit log for auditors."""

import datetime as dt

from django.db.models import QuerySet

from liangxin.audit.models import AuditEntry


def audit_entries_for_region(
    region,
    *,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.filter(region=region)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-id")


def audit_object_types(region) -> list[str]:
    return list(
        AuditEntry.objects.filter(region=region).order_by("object_type").values_list("object_type", flat=True).distinct()
    )
