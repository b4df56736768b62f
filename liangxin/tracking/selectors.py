"""Reads for tracking pages, the API and the dashboards."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from liangxin.audit.models import AuditEntry
from liangxin.plans.models import Target
from liangxin.tracking.models import IndicatorValue, Report, ReportStatus, TaskProgress


def reports_for_period(region, period_start: dt.date) -> QuerySet[Report]:
    return (
        Report.objects.filter(plan__region=region, period_start=period_start)
        .select_related("department", "plan", "submitted_by")
        .order_by("plan_id", "department__name")
    )


def report_periods(region) -> list[dt.date]:
    return list(
        Report.objects.filter(plan__region=region).order_by("-period_start").values_list("period_start", flat=True).distinct()
    )


def report_detail(report: Report) -> dict:
    entries = (
        TaskProgress.objects.filter(report=report).select_related("task").order_by("task__no")
    )
    return {
        "entries": list(entries),
        "contributions": list(report.contributions.select_related("department", "task", "created_by")),
        "attachments": list(report.attachments.select_related("task")),
        "history": list(
            AuditEntry.objects.filter(object_type="tracking.report", object_id=str(report.pk)).order_by("id")
        ),
        "targets": owned_targets(report),
    }


def owned_targets(report: Report) -> list[Target]:
    """Targets stated in the tasks this report covers: their indicators' values are reported here."""
    return list(
        Target.objects.filter(task__progress_entries__report=report)
        .select_related("indicator", "task")
        .order_by("position")
        .distinct()
    )


def is_overdue(report: Report, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED) and report.due_on < today


def indicator_series(region, indicator_ids) -> dict[int, list[IndicatorValue]]:
    series: dict[int, list[IndicatorValue]] = {}
    for value in IndicatorValue.objects.filter(region=region, indicator_id__in=indicator_ids).order_by("period_start"):
        series.setdefault(value.indicator_id, []).append(value)
    return series




STATUS_COLORS = {
    "target_achieved": "#2e7d32",
    "substantial_progress": "#66bb6a",
    "moderate_progress": "#fbc02d",
    "limited_progress": "#fb8c00",
    "deterioration": "#e53935",
    "target_not_achieved": "#8e24aa",
    "not_available": "#9e9e9e",
}


def target_statuses(region, *, as_of: dt.date | None = None) -> list[tuple[Target, object]]:
    """Every target of the region's plans with its assessed status (进展状态) and components.
    Two queries whatever the number of targets: targets, then all their indicator values."""
    from liangxin.tracking.progress import STATUS_LABELS, ProgressResult, Status, period_from_start, target_assess_record

    as_of = as_of or timezone.localdate()
    targets = list(
        Target.objects.filter(plan__region=region).select_related("indicator", "task", "plan").order_by("plan_id", "position")
    )
    series = indicator_series(region, {t.indicator_id for t in targets if t.indicator_id})
    out = []
    for target in targets:
        if target.indicator_id is None:
            label, label_en = STATUS_LABELS[Status.NOT_AVAILABLE]
            result = ProgressResult(
                status=Status.NOT_AVAILABLE, label=label, label_en=label_en, score=None, method="none",
                explanation="未指定对应指标，无法取数", reason="未指定对应指标", reason_en="no indicator assigned",
            )
        else:
            observations = [
                (period_from_start(v.period_kind, v.period_start), v.value) for v in series.get(target.indicator_id, [])
            ]
            result = target_assess_record(target, observations, as_of=as_of)
        out.append((target, result))
    return out


def completeness(region, period_start: dt.date, *, today: dt.date | None = None) -> dict:
    """DHIS2-style reporting rates for one period: completeness = received / expected,
    timeliness = received by the due date / expected."""
    today = today or timezone.localdate()
    reports = list(Report.objects.filter(plan__region=region, period_start=period_start).select_related("department"))
    expected = len(reports)
    received = [r for r in reports if r.first_submitted_at]
    on_time = [r for r in received if timezone.localtime(r.first_submitted_at).date() <= r.due_on]
    return {
        "expected": expected,
        "received": len(received),
        "on_time": len(on_time),
        "completeness": (len(received) / expected) if expected else None,
        "timeliness": (len(on_time) / expected) if expected else None,
        "overdue": [r for r in reports if is_overdue(r, today)],
    }
