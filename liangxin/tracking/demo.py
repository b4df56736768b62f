"""Demo tracking data: three reporting periods carried through the real services, and
indicator series, all marked 演示数据 so nobody mistakes them for statistics. Two indicators are
computed instead from the demo subsidy programme's claims (`demo_computed_load`)."""

import datetime as dt

from django.utils import timezone

from liangxin.plans.models import Indicator, Plan
from liangxin.tracking.models import Report, TaskStatus
from liangxin.tracking.services import (
    indicator_value_record,
    report_accept,
    report_entry_save,
    report_return,
    report_submit,
    reports_open,
    schedule_set,
)

DEMO_NOTE = "演示数据"

# indicator → (2023 base, 2024, 2025, latest month value) per region code
SERIES = {
    "370828": {
        "新能源汽车保有量": (12000, 15500, 19800, 24100),
        "公共充电桩保有量": (600, 980, 1420, 1900),
        "二手车交易量": (8000, 8900, 9600, 10300),
        "报废汽车回收量": (1800, 2300, 2900, 3100),
        "废旧家电回收量": (52000, 55500, 58600, 61000),
        "关键工序数控化率": (58, 62, 66, 69),
        "农作物耕种收综合机械化率": (83, 85, 86.5, 87),
        "5G基站数量": (420, 700, 930, 1010),
    },
    "370406": {
        "二手车交易量": (5200, 5900, 6400, 6900),
        "报废汽车回收量": (900, 1100, 1350, 1500),
        "废旧家电回收量": (30000, 31500, 33800, 35500),
        "关键工序数控化率": (55, 60, 64, 67),
        "农作物耕种收综合机械化率": (80, 81.5, 82.2, 83),
    },
}


def _periods(today: dt.date) -> list[dt.date]:
    first_of_month = today.replace(day=1)
    out = []
    for back in (3, 2, 1):
        year, month = first_of_month.year, first_of_month.month - back
        while month <= 0:
            year, month = year - 1, month + 12
        out.append(dt.date(year, month, 1))
    return out


def demo_tracking_load(*, actor, today: dt.date | None = None) -> list[str]:
    today = today or dt.date.today()
    periods = _periods(today)
    lines = []
    for plan in Plan.objects.select_related("region"):
        if Report.objects.filter(plan=plan).exists():
            continue  # loaded before: running demo-load again must not pile up periods
        schedule_set(actor=actor, plan=plan, first_period=periods[0])
        for index, period in enumerate(periods):
            reports = reports_open(actor=actor, plan=plan, period_start=period)
            for number, report in enumerate(reports):
                _carry(actor, report, index, number, len(periods))
        _values(actor, plan, periods[-1])
        lines.append(f"{plan.region.name}：生成 {len(periods)} 期报告、指标数值（{DEMO_NOTE}）")
    return lines


def _carry(actor, report: Report, period_index: int, number: int, period_count: int) -> None:
    """Older periods accepted; the latest one mixed: some accepted, one returned, some left open."""
    latest = period_index == period_count - 1
    if latest and number % 3 == 2:
        return  # left as a draft: shows up as overdue once the due date passes
    for entry in report.entries.select_related("task"):
        lagging = (entry.task.no + period_index) % 7 == 0
        report_entry_save(
            actor=actor,
            report=report,
            task_id=entry.task_id,
            status=TaskStatus.LAGGING if lagging else TaskStatus.ON_TRACK,
            progress=f"（{DEMO_NOTE}）本月推进“{entry.task.title}”相关工作，按计划组织实施。",
            problems=f"（{DEMO_NOTE}）资金到位较慢。" if lagging else "",
            next_steps=f"（{DEMO_NOTE}）加强调度，确保按期完成。",
        )
    report = report_submit(actor=actor, report=report)
    if latest and number % 3 == 1:
        report_return(actor=actor, report=report, reason=f"（{DEMO_NOTE}）请补充量化数据和佐证材料")
        return
    if not latest or number % 3 == 0:
        report_accept(actor=actor, report=report)
        report.refresh_from_db()


def _values(actor, plan: Plan, latest_period: dt.date) -> None:
    series = SERIES.get(plan.region.code, {})
    for name, (base, y2024, y2025, latest) in series.items():
        indicator = Indicator.objects.filter(name=name).first()
        if indicator is None:
            continue
        for year, value in ((2023, base), (2024, y2024), (2025, y2025)):
            indicator_value_record(
                actor=actor,
                region=plan.region,
                indicator=indicator,
                period_kind="year",
                period_start=dt.date(year, 1, 1),
                value=value,
                source="imported",
                note=DEMO_NOTE,
            )
        indicator_value_record(
            actor=actor,
            region=plan.region,
            indicator=indicator,
            period_kind="month",
            period_start=latest_period,
            value=latest,
            source="reported",
            note=DEMO_NOTE,
        )


# indicator → measure computed for the demo appliance programme of 金乡县
COMPUTED = (("家电以旧换新补贴件数", "granted_count"), ("以旧换新补贴资金", "paid_amount"))


def demo_computed_load(*, actor, today: dt.date | None = None) -> list[str]:
    """Let the ledger feed indicators: the demo appliance programme's claims (real claims through
    the subsidy services) become monthly values of two catalogue indicators. Run after the subsidy
    demo; running again configures nothing twice and, with an unchanged ledger, writes nothing."""
    from liangxin.subsidies.models import Programme
    from liangxin.tracking.computed import computed_source_save, indicator_values_compute_range
    from liangxin.tracking.models import ComputedIndicatorSource

    programme = (
        Programme.objects.filter(region__code="370828", name="（演示）家电以旧换新")
        .select_related("region")
        .first()
    )
    if programme is None:
        return []
    region = programme.region
    for name, measure in COMPUTED:
        indicator = Indicator.objects.filter(name=name).first()
        if (
            indicator is not None
            and not ComputedIndicatorSource.objects.filter(region=region, indicator=indicator).exists()
        ):
            computed_source_save(
                actor=actor, region=region, indicator=indicator, measure=measure, programmes=[programme]
            )
    # The ledger dates claims in local time, so "this month" is the local one too.
    today = today or timezone.localdate()
    outcomes = indicator_values_compute_range(
        actor=actor, region=region, period_kind="month", first=programme.starts_on, last=today, today=today
    )
    written = [o for o in outcomes if o.value is not None]
    return [
        f"{region.name}：由补贴台账计算 {len({o.indicator for o in written})} 个指标、{len(written)} 个月度数值"
    ]
