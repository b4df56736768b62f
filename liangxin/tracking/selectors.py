"""Reads for tracking pages, the API and the dashboards."""

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liangxin.audit.models import AuditEntry
from liangxin.plans.models import Target
from liangxin.tracking.models import (
    ComputedIndicatorSource,
    IndicatorValue,
    Report,
    ReportStatus,
    SupersededIndicatorValue,
    TaskProgress,
    ValueSource,
)
from liangxin.tracking.periods import period_display, period_label, period_next_start, periods_overlap


def reports_for_period(region, period_start: dt.date) -> QuerySet[Report]:
    return (
        Report.objects.filter(plan__region=region, period_start=period_start)
        .select_related("department", "plan", "submitted_by")
        .order_by("plan_id", "department__name")
    )


def report_periods(region) -> list[dt.date]:
    return list(
        Report.objects.filter(plan__region=region)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()
    )


def report_detail(report: Report) -> dict:
    entries = TaskProgress.objects.filter(report=report).select_related("task__plan", "task__section").order_by(
        "task__section__no", "task__no"
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


class SeriesPoint(tuple):
    """(period_kind, period_start, value): plain tuples, because a dashboard reads thousands."""

    __slots__ = ()
    period_kind = property(lambda self: self[0])
    period_start = property(lambda self: self[1])
    value = property(lambda self: self[2])


def indicator_series(region, indicator_ids) -> dict[int, list[SeriesPoint]]:
    series: dict[int, list[SeriesPoint]] = {}
    rows = (
        IndicatorValue.objects.filter(region=region, indicator_id__in=indicator_ids)
        .order_by("period_start")
        .values_list("indicator_id", "period_kind", "period_start", "value")
    )
    for indicator_id, kind, start, value in rows:
        series.setdefault(indicator_id, []).append(SeriesPoint((kind, start, value)))
    return series


# ---------------------------------------------------------------- values computed from the ledger


def computed_value_conflict(
    region, indicator, period_kind: str, period_start: dt.date
) -> IndicatorValue | None:
    """The computed value a hand-entered one for this period would overwrite or overlap, while the
    region computes the indicator from the subsidy ledger; None when the period is free."""
    if not ComputedIndicatorSource.objects.filter(region=region, indicator=indicator).exists():
        return None
    candidates = (
        IndicatorValue.objects.filter(
            region=region,
            indicator=indicator,
            source=ValueSource.COMPUTED,
            period_start__gte=dt.date(period_start.year - 1, period_start.month, 1),
            period_start__lt=period_next_start(period_kind, period_start),
        )
        .select_related("indicator")
        .order_by("period_start")
    )
    for row in candidates:
        if periods_overlap(period_kind, period_start, row.period_kind, row.period_start):
            return row
    return None


def computed_conflict_message(row: IndicatorValue, *, english: bool = False) -> str:
    label = period_label(row.period_kind, row.period_start)
    if english:
        return (
            f"value: {row.indicator.name} for {label} is computed from the subsidy ledger and cannot be "
            "reported or imported"
        )
    return (
        f"“{row.indicator.name}”{label}的数值由补贴台账计算，不能手工填报或导入（如有出入，请核对补贴台账）"
    )


def computed_sources(region) -> list[ComputedIndicatorSource]:
    return list(
        ComputedIndicatorSource.objects.filter(region=region)
        .select_related("indicator")
        .prefetch_related("programmes")
        .order_by("indicator__name")
    )


def superseded_comparison(region, limit: int = 100) -> list[dict]:
    """Reported or imported values the ledger replaced, each next to what the ledger computed for
    the same time (the sum of the computed periods inside it, since computed values are counts)."""
    rows = list(
        SupersededIndicatorValue.objects.filter(region=region).select_related("indicator", "recorded_by")[
            :limit
        ]
    )
    computed: dict[int, list] = {}
    for value in IndicatorValue.objects.filter(
        region=region, source=ValueSource.COMPUTED, indicator_id__in={r.indicator_id for r in rows}
    ).values_list("indicator_id", "period_kind", "period_start", "value"):
        computed.setdefault(value[0], []).append(value[1:])
    out = []
    for row in rows:
        end = period_next_start(row.period_kind, row.period_start)
        inside = [
            v
            for kind, start, v in computed.get(row.indicator_id, [])
            if row.period_start <= start and period_next_start(kind, start) <= end
        ]
        now = sum(inside, Decimal("0")) if inside else None
        out.append(
            {
                "row": row,
                "period": period_display(row.period_kind, row.period_start),
                "computed": now,
                "difference": None if now is None else now - row.value,
            }
        )
    return out


STATUS_COLORS = {
    "target_achieved": "#2e7d32",
    "substantial_progress": "#66bb6a",
    "moderate_progress": "#fbc02d",
    "limited_progress": "#fb8c00",
    "deterioration": "#e53935",
    "target_not_achieved": "#8e24aa",
    "not_available": "#9e9e9e",
}


def target_statuses(
    region, *, as_of: dt.date | None = None, series: dict | None = None
) -> list[tuple[Target, object]]:
    """Every target of the region's plans with its assessed status (进展状态) and components.
    Two queries whatever the number of targets: targets, then all their indicator values."""
    from liangxin.tracking.progress import (
        STATUS_LABELS,
        ProgressResult,
        Status,
        period_from_start,
        target_assess_record,
    )

    as_of = as_of or timezone.localdate()
    targets = list(
        Target.objects.filter(plan__region=region)
        .select_related("indicator", "task__plan", "task__section", "plan")
        .order_by("plan_id", "position")
    )
    if series is None:
        series = indicator_series(region, {t.indicator_id for t in targets if t.indicator_id})
    out = []
    for target in targets:
        if target.indicator_id is None:
            label, label_en = STATUS_LABELS[Status.NOT_AVAILABLE]
            result = ProgressResult(
                status=Status.NOT_AVAILABLE,
                label=label,
                label_en=label_en,
                score=None,
                method="none",
                explanation="未指定对应指标，无法取数",
                reason="未指定对应指标",
                reason_en="no indicator assigned",
            )
        else:
            observations = [
                (period_from_start(v.period_kind, v.period_start), v.value)
                for v in series.get(target.indicator_id, [])
            ]
            result = target_assess_record(target, observations, as_of=as_of)
        out.append((target, result))
    return out


def completeness(region, period_start: dt.date, *, today: dt.date | None = None) -> dict:
    """DHIS2-style reporting rates for one period: completeness = received / expected,
    timeliness = received by the due date / expected."""
    today = today or timezone.localdate()
    reports = list(
        Report.objects.filter(plan__region=region, period_start=period_start).select_related("department")
    )
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


def gauge_percent(result) -> float | None:
    """How far along the way from base to target the current value is (0–100), for gauges."""
    current, goal = result.current_value, result.target_value
    if current is None or goal is None:
        return None
    base = result.base_value
    if base is not None and goal != base:
        share = (current - base) / (goal - base)
    elif goal:
        share = current / goal
    else:
        return None
    return round(max(0.0, min(share, 1.0)) * 100, 1)


def _nice_ceiling(value: float) -> float:
    """A round axis maximum a little above `value` (1,234 → 1,300; 0.87 → 0.9)."""
    import math

    if value <= 0:
        return 0
    step = 10 ** math.floor(math.log10(value * 1.05)) / 2
    return math.ceil(value * 1.05 / step) * step


def trend_charts(region, statuses, series: dict | None = None) -> list[dict]:
    """One ECharts line chart per indicator with data: its values over time and each target as a
    dashed line labelled with its year."""
    by_indicator: dict[int, list] = {}
    for target, result in statuses:
        if target.indicator_id and result.target_value is not None:
            by_indicator.setdefault(target.indicator_id, []).append((target, result))
    if series is None:
        series = indicator_series(region, list(by_indicator))
    charts = []
    for indicator_id, values in series.items():
        if indicator_id not in by_indicator:
            continue
        indicator = by_indicator[indicator_id][0][0].indicator
        points = [[v.period_start.isoformat(), float(v.value)] for v in values]
        mark_lines = [
            {
                "yAxis": round(r.target_value, 4),
                "name": _("%(year)s目标") % {"year": t.year or ""},
                "label": {
                    "formatter": _("%(year)s目标 %(value)s")
                    % {"year": t.year or "", "value": round(r.target_value, 2)}
                },
            }
            for t, r in by_indicator[indicator_id]
        ]
        charts.append(
            {
                "id": f"trend-{indicator_id}",
                "title": indicator.name,
                "option": {
                    "title": {"text": indicator.name, "textStyle": {"fontSize": 13}},
                    "tooltip": {"trigger": "axis"},
                    "xAxis": {"type": "time"},
                    # Stretch the axis to the highest target so every target line is drawn.
                    "yAxis": {
                        "type": "value",
                        "name": indicator.unit,
                        "scale": True,
                        "max": _nice_ceiling(max([p[1] for p in points] + [m["yAxis"] for m in mark_lines])),
                    },
                    "series": [
                        {
                            "type": "line",
                            "name": indicator.name,
                            "data": points,
                            "showSymbol": True,
                            "markLine": {
                                "symbol": "none",
                                "lineStyle": {"type": "dashed"},
                                "data": mark_lines,
                            },
                        }
                    ],
                    "grid": {"left": 60, "right": 90},
                },
            }
        )
    return charts


def computed_charts(region, sources: list, charted: set[int], series: dict | None = None) -> list[dict]:
    """Bar charts of indicators computed from the subsidy ledger that no target charts already:
    the values are each period's count, so bars rather than a level line."""
    wanted = {s.indicator_id: s for s in sources if s.indicator_id not in charted}
    if not wanted:
        return []
    if series is None or not set(wanted) <= set(series):
        series = indicator_series(region, list(wanted))
    charts = []
    for indicator_id, source in wanted.items():
        values = series.get(indicator_id, [])
        if not values:
            continue
        # Monthly counts: one labelled bar per period (a time axis labels days and overlaps).
        periods = [f"{v.period_start:%Y-%m}" if v.period_kind == "month" else str(v.period_start.year) for v in values]
        points = [float(v.value) for v in values]
        name = source.indicator.name
        charts.append(
            {
                "id": f"computed-{indicator_id}",
                "title": name,
                "option": {
                    "title": {
                        "text": name,
                        "subtext": source.get_measure_display(),
                        "textStyle": {"fontSize": 13},
                    },
                    "tooltip": {"trigger": "axis"},
                    "xAxis": {"type": "category", "data": periods},
                    "yAxis": {"type": "value", "name": source.indicator.unit},
                    "series": [{"type": "bar", "name": name, "data": points}],
                    "grid": {"left": 60, "right": 40, "top": 60},
                },
            }
        )
    return charts


def department_scorecard(department, *, today: dt.date | None = None) -> dict:
    """A department's record: per period reports expected/received/on time, its tasks by the
    latest reported status, and the status of the targets in the tasks it leads."""
    from collections import Counter

    today = today or timezone.localdate()
    reports = list(Report.objects.filter(department=department).order_by("-period_start"))
    periods = []
    for report in reports:
        received = report.first_submitted_at is not None
        on_time = received and timezone.localtime(report.first_submitted_at).date() <= report.due_on
        periods.append(
            {"report": report, "received": received, "on_time": on_time, "overdue": is_overdue(report, today)}
        )
    expected = len(reports)
    latest = reports[0] if reports else None
    task_status = (
        Counter(e.get_status_display() for e in TaskProgress.objects.filter(report=latest))
        if latest
        else Counter()
    )
    lead_target_ids = set(
        Target.objects.filter(
            task__task_departments__department=department, task__task_departments__role="lead"
        ).values_list("id", flat=True)
    )
    target_status = Counter(
        result.display_label
        for target, result in target_statuses(department.region, as_of=today)
        if target.id in lead_target_ids
    )
    from liangxin.supervision.models import ACTIVE_NOTICE_STATUSES, SupervisionNotice

    open_notices = list(
        SupervisionNotice.objects.filter(department=department, status__in=ACTIVE_NOTICE_STATUSES).order_by(
            "deadline"
        )
    )
    return {
        "open_notices": open_notices,
        "periods": periods,
        "completeness": sum(p["received"] for p in periods) / expected if expected else None,
        "timeliness": sum(p["on_time"] for p in periods) / expected if expected else None,
        "task_status": dict(task_status),
        "target_status": dict(target_status),
    }
