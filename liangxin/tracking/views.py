import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liangxin.accounts.permissions import (
    can_edit_report,
    can_manage_region,
    can_review_report,
    contributing_departments,
    get_plan_for_user,
    get_region_for_user,
    get_report_for_user,
)
from liangxin.core.errors import ServiceError
from liangxin.core.i18n import localized
from liangxin.core.params import month_param
from liangxin.plans.selectors import plan_list
from liangxin.tracking.models import PeriodKind, TaskStatus
from liangxin.tracking.selectors import is_overdue, report_detail, report_periods, reports_for_period
from liangxin.tracking.services import (
    attachment_add,
    contribution_add,
    indicator_value_record,
    report_accept,
    report_entry_save,
    report_reopen,
    report_return,
    report_submit,
    reports_open,
)


@login_required
def report_overview(request, code: str):
    region = get_region_for_user(request.user, code)
    periods = report_periods(region)
    period = month_param(request.GET.get("period")) or (periods[0] if periods else None)
    reports = list(reports_for_period(region, period)) if period else []
    today = timezone.localdate()
    for report in reports:
        report.overdue = is_overdue(report, today)
    context = {
        "region": region,
        "periods": periods,
        "period": period,
        "reports": reports,
        "plans": plan_list(region),
        "can_manage": can_manage_region(request.user, region),
        "default_period": (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1),
    }
    return render(request, "tracking/overview.html", context)


@login_required
@require_POST
def period_open(request, code: str):
    region = get_region_for_user(request.user, code, write=True)
    period = month_param(request.POST.get("period"))
    plan = get_plan_for_user(request.user, request.POST.get("plan"), write=True)
    if period is None or plan.region_id != region.id:
        messages.error(request, _("请选择报送期（年-月）和工作方案"))
        return redirect("tracking:overview", region.code)
    created = reports_open(actor=request.user, plan=plan, period_start=period)
    messages.success(request, _("已生成 %(n)s 份报告") % {"n": len(created)})
    return redirect(f"{reverse('tracking:overview', args=[region.code])}?period={period:%Y-%m}")


@login_required
def report_view(request, report_id: int):
    report = get_report_for_user(request.user, report_id)
    can_edit = can_edit_report(request.user, report) and not report.is_locked
    contributors = [] if report.is_locked else contributing_departments(request.user, report)
    errors = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("save", "submit"):
                report = get_report_for_user(request.user, report_id, action="edit")
                # Entries, values and files of one form save together or not at all.
                with transaction.atomic():
                    _save_entries(request, report)
                if action == "submit":
                    report_submit(actor=request.user, report=report)
                    messages.success(request, _("报告已报送，等待工作专班审核"))
                else:
                    messages.success(request, _("已保存"))
            elif action == "contribute":
                report = get_report_for_user(request.user, report_id, action="contribute")
                departments = {d.id: d for d in contributing_departments(request.user, report)}
                department = departments.get(int(request.POST.get("department") or 0))
                if department is None:
                    raise ServiceError(
                        "contribution_department",
                        "请选择本单位",
                        "choose your department",
                        field="department",
                    )
                contribution_add(
                    actor=request.user,
                    report=report,
                    task_id=int(request.POST.get("task") or 0),
                    department=department,
                    text=request.POST.get("text", ""),
                )
                messages.success(request, _("配合情况已补充"))
            elif action in ("accept", "return", "reopen"):
                report = get_report_for_user(request.user, report_id, action="review")
                reason = request.POST.get("reason", "")
                {
                    "accept": lambda: report_accept(actor=request.user, report=report),
                    "return": lambda: report_return(actor=request.user, report=report, reason=reason),
                    "reopen": lambda: report_reopen(actor=request.user, report=report, reason=reason),
                }[action]()
                messages.success(
                    request,
                    {"accept": _("已审核通过"), "return": _("已退回"), "reopen": _("已重新打开")}[action],
                )
        except ServiceError as exc:
            errors.append(exc.localized)
        else:
            return redirect("tracking:report", report.id)
    context = {
        "report": report,
        "region": report.plan.region,
        "can_edit": can_edit,
        "can_review": can_review_report(request.user, report),
        "contributors": contributors,
        "statuses": TaskStatus.choices,
        "errors": errors,
        "overdue": is_overdue(report),
        **report_detail(report),
    }
    from liangxin.tracking.models import ComputedIndicatorSource

    context["computed_ids"] = set(
        ComputedIndicatorSource.objects.filter(region=report.plan.region).values_list(
            "indicator_id", flat=True
        )
    )
    return render(request, "tracking/report.html", context)


def _save_entries(request, report) -> None:
    for entry in report.entries.all():
        prefix = f"entry-{entry.task_id}-"
        if prefix + "status" not in request.POST:
            continue
        report_entry_save(
            actor=request.user,
            report=report,
            task_id=entry.task_id,
            status=request.POST[prefix + "status"],
            progress=request.POST.get(prefix + "progress", ""),
            problems=request.POST.get(prefix + "problems", ""),
            next_steps=request.POST.get(prefix + "next_steps", ""),
        )
    for key, raw in request.POST.items():
        if key.startswith("value-") and raw.strip():
            from liangxin.plans.models import Indicator

            indicator = Indicator.objects.filter(pk=key.removeprefix("value-")).first()
            if indicator is not None:
                indicator_value_record(
                    actor=request.user,
                    region=report.plan.region,
                    indicator=indicator,
                    period_kind=PeriodKind.MONTH,
                    period_start=report.period_start,
                    value=raw,
                    report=report,
                )
    for upload in request.FILES.getlist("evidence"):
        attachment_add(actor=request.user, report=report, upload=upload)


@login_required
def dashboard(request, code: str):
    """Region overview for leaders: targets by status, each target's calculation, indicator trends."""
    from collections import Counter

    from liangxin.tracking.selectors import (
        STATUS_COLORS,
        completeness,
        gauge_percent,
        target_statuses,
        trend_charts,
    )

    region = get_region_for_user(request.user, code)
    from liangxin.plans.models import Target
    from liangxin.tracking.selectors import indicator_series

    # One read of the region's series serves both the statuses and the trend charts.
    series = indicator_series(
        region, Target.objects.filter(plan__region=region, indicator__isnull=False).values("indicator_id")
    )
    statuses = target_statuses(region, series=series)
    counts = Counter(result.status.value for _t, result in statuses)
    labels = {result.status.value: result.display_label for _t, result in statuses}
    pie = {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["40%", "70%"],
                "data": [
                    {"name": labels[k], "value": v, "itemStyle": {"color": STATUS_COLORS.get(k, "#999")}}
                    for k, v in sorted(counts.items())
                ],
            }
        ],
    }
    periods = report_periods(region)
    rates = completeness(region, periods[0]) if periods else None
    gauges = [
        {
            "id": f"gauge-{t.id}",
            "option": {
                "series": [
                    {
                        "type": "gauge",
                        "progress": {"show": True, "width": 12},
                        "axisLine": {"lineStyle": {"width": 12}},
                        "axisLabel": {"show": False},
                        "splitLine": {"show": False},
                        "axisTick": {"show": False},
                        "pointer": {"show": False},
                        "detail": {"valueAnimation": False, "formatter": "{value}%", "fontSize": 18},
                        "title": {"offsetCenter": [0, "75%"], "fontSize": 11},
                        "data": [{"value": pct, "name": f"{t.metric[:10]}（{t.year or _('每年')}）"}],
                    }
                ],
            },
            "target": t,
            "result": r,
        }
        for t, r in statuses
        if (pct := gauge_percent(r)) is not None
    ][:8]
    reports = list(reports_for_period(region, periods[0])) if periods else []
    from liangxin.tracking.models import ComputedIndicatorSource
    from liangxin.tracking.selectors import computed_charts

    trends = trend_charts(region, statuses, series)
    sources = list(ComputedIndicatorSource.objects.filter(region=region).select_related("indicator"))
    charted = {int(c["id"].removeprefix("trend-")) for c in trends}
    context = {
        "gauges": gauges,
        "trends": trends,
        "computed_charts": computed_charts(region, sources, charted),
        "period_reports": reports,
        "region": region,
        "statuses": statuses,
        "pie": pie,
        "counts": counts,
        "rates": rates,
        "period": periods[0] if periods else None,
        "colors": STATUS_COLORS,
    }
    return render(request, "tracking/dashboard.html", context)


@login_required
def department_scorecard_view(request, department_id: int):
    from liangxin.accounts.permissions import get_department_for_user
    from liangxin.tracking.selectors import department_scorecard

    department = get_department_for_user(request.user, department_id)
    card = department_scorecard(department)
    return render(
        request, "tracking/scorecard.html", {"department": department, "region": department.region, **card}
    )


def _value_scope(user, region):
    """(may_import, department): the working group imports any indicator; department staff
    import those of the tasks their department leads."""
    from liangxin.accounts.permissions import department_ids_for_staff
    from liangxin.regions.models import Department

    if can_manage_region(user, region):
        return True, None
    ids = sorted(department_ids_for_staff(user, region))
    if ids:
        return True, Department.objects.get(pk=ids[0])
    return False, None


@login_required
def values_view(request, code: str):
    from django.core.exceptions import PermissionDenied

    from liangxin.tracking.models import IndicatorValue
    from liangxin.tracking.values_excel import ValuesSheetInvalid, values_import_xlsx

    region = get_region_for_user(request.user, code)
    may_import, department = _value_scope(request.user, region)
    errors = []
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied(_("只有工作专班和部门工作人员可以导入指标数值"))
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("请选择要上传的 .xlsx 文件")]
        else:
            try:
                rows = values_import_xlsx(
                    actor=request.user, region=region, file=upload, department=department
                )
            except ValuesSheetInvalid as exc:
                errors = exc.errors
            except ServiceError as exc:
                errors = [exc.localized]
            else:
                messages.success(request, _("已导入 %(n)s 个数值") % {"n": len(rows)})
                return redirect("tracking:values", region.code)
    values = (
        IndicatorValue.objects.filter(region=region)
        .select_related("indicator", "recorded_by")
        .order_by("indicator__name", "-period_start")
    )
    latest = {}
    for value in values:
        latest.setdefault(value.indicator_id, value)
    from liangxin.tracking.selectors import computed_sources, superseded_comparison

    context = {
        "region": region,
        "latest": list(latest.values()),
        "may_import": may_import,
        "department": department,
        "errors": errors,
        "sources": computed_sources(region),
        "superseded": superseded_comparison(region),
        "can_manage": can_manage_region(request.user, region),
    }
    return render(request, "tracking/values.html", context)


@login_required
def values_template(request, code: str):
    from django.http import HttpResponse

    from liangxin.tracking.values_excel import values_template_xlsx

    region = get_region_for_user(request.user, code)
    _may, department = _value_scope(request.user, region)
    response = HttpResponse(
        values_template_xlsx(region, department),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="values-{region.code}.xlsx"'
    return response


@login_required
def monthly_report_download(request, code: str):
    """The monthly 工作进展通报 as .docx for the chosen (or latest) period."""
    from urllib.parse import quote

    from django.http import HttpResponse

    from liangxin.tracking.word_report import monthly_report_docx

    region = get_region_for_user(request.user, code)
    periods = report_periods(region)
    period = month_param(request.GET.get("period")) or (
        periods[0] if periods else timezone.localdate().replace(day=1)
    )
    data = monthly_report_docx(region=region, period_start=period)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    filename = f"{region.name}工作进展通报-{period:%Y-%m}.docx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"report-{region.code}-{period:%Y-%m}.docx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@login_required
def schedule_view(request, plan_id: int):
    """The working group sets how often a plan's departments report and when it is due."""
    from liangxin.tracking.forms import ScheduleForm
    from liangxin.tracking.services import schedule_for, schedule_set

    plan = get_plan_for_user(request.user, plan_id)
    schedule = (
        schedule_for(plan)
        if can_manage_region(request.user, plan.region)
        else getattr(plan, "schedule", None)
    )
    initial = (
        {
            "frequency": schedule.frequency,
            "due_day": schedule.due_day,
            "first_period": schedule.first_period,
            "remind_before_days": schedule.remind_before_days,
            "escalate_after_days": schedule.escalate_after_days,
        }
        if schedule
        else {}
    )
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        plan = get_plan_for_user(request.user, plan_id, write=True)
        if form.is_valid():
            try:
                schedule_set(actor=request.user, plan=plan, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.localized)
            else:
                messages.success(request, _("报送安排已保存"))
                return redirect("tracking:schedule", plan.id)
    context = {
        "plan": plan,
        "region": plan.region,
        "form": form,
        "schedule": schedule,
        "can_manage": can_manage_region(request.user, plan.region),
    }
    return render(request, "tracking/schedule.html", context)


@login_required
def computed_sources_view(request, code: str):
    """The working group says which indicators the subsidy ledger computes, and recomputes them."""
    from django.shortcuts import get_object_or_404

    from liangxin.tracking.computed import (
        computed_source_delete,
        computed_source_save,
        indicator_values_compute_year,
    )
    from liangxin.tracking.forms import ComputedSourceForm
    from liangxin.tracking.models import ComputedIndicatorSource
    from liangxin.tracking.selectors import computed_sources

    region = get_region_for_user(request.user, code, write=True)  # a configuration page: 专班 only
    today = timezone.localdate()
    edit_id = request.GET.get("edit", "")
    editing = (
        get_object_or_404(ComputedIndicatorSource, pk=edit_id, region=region) if edit_id.isdigit() else None
    )
    initial = (
        {
            "indicator": editing.indicator_id,
            "measure": editing.measure,
            "programmes": list(editing.programmes.all()),
            "categories": "、".join(editing.categories),
        }
        if editing
        else None
    )
    action = request.POST.get("action", "save")
    form = ComputedSourceForm(
        request.POST if request.method == "POST" and action == "save" else None,
        initial=initial,
        region=region,
    )
    if request.method == "POST":
        if action == "delete":
            source_id = request.POST.get("source", "")
            source = get_object_or_404(
                ComputedIndicatorSource, pk=source_id if source_id.isdigit() else 0, region=region
            )
            computed_source_delete(actor=request.user, source=source)
            messages.success(request, _("已删除“%(name)s”的台账计算来源") % {"name": source.indicator.name})
            return redirect("tracking:computed_sources", region.code)
        if action == "compute":
            try:
                year = int(request.POST.get("year") or today.year)
                outcomes = indicator_values_compute_year(actor=request.user, region=region, year=year)
            except ValueError:
                messages.error(request, _("请填写年份，例如 %(year)s") % {"year": today.year})
            except ServiceError as exc:
                messages.error(request, exc.localized)
            else:
                _compute_messages(request, year, outcomes)
            return redirect("tracking:computed_sources", region.code)
        if form.is_valid():
            data = form.cleaned_data
            try:
                computed_source_save(
                    actor=request.user,
                    region=region,
                    indicator=data["indicator"],
                    measure=data["measure"],
                    programmes=data["programmes"],
                    categories=data["categories"],
                    source=editing,
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.localized)
            else:
                messages.success(
                    request,
                    _("已保存“%(name)s”的台账计算来源，请点“重新计算”生成数值")
                    % {"name": data["indicator"].name},
                )
                return redirect("tracking:computed_sources", region.code)
    context = {
        "region": region,
        "sources": computed_sources(region),
        "form": form,
        "editing": editing,
        "year": today.year,
    }
    return render(request, "tracking/computed_sources.html", context)


def _compute_messages(request, year: int, outcomes) -> None:
    from collections import Counter

    counts = Counter(o.action for o in outcomes)
    messages.success(
        request,
        _("已重新计算 %(year)s 年：新增 %(created)s 个、更新 %(updated)s 个、未变 %(unchanged)s 个数值")
        % {
            "year": year,
            "created": counts["created"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
        },
    )
    refused = {(o.indicator, localized(o.reason, o.reason_en or o.reason)) for o in outcomes if o.action == "refused"}
    for indicator, reason in sorted(refused):
        messages.error(request, _("“%(name)s”未计算：%(reason)s") % {"name": indicator, "reason": reason})
    replaced = [f"{o.indicator} {label}" for o in outcomes for label in o.superseded]
    if replaced:
        messages.warning(
            request,
            _("以下填报数值已由台账计算取代（原值已记入审计日志）：%(values)s")
            % {"values": "；".join(replaced)},
        )
