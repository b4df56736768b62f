import os
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liangxin.accounts.permissions import (
    can_edit_indicator_catalogue,
    can_manage_region,
    get_plan_draft_for_user,
    get_plan_for_user,
    get_region_for_user,
    get_target_for_user,
    get_task_for_user,
    regions_for_user,
)
from liangxin.core.errors import ServiceError
from liangxin.plans import preview
from liangxin.plans.excel import SheetInvalid, plan_export_xlsx, plan_import_xlsx
from liangxin.plans.extraction import NoticeReadError, read_notice
from liangxin.plans.forms import IndicatorForm, NoticeUploadForm, PlanFilterForm, SheetUploadForm
from liangxin.plans.models import Comparator, Indicator, TargetKind
from liangxin.plans.selectors import (
    indicator_comparison,
    indicator_list,
    plan_list,
    plan_targets,
    plan_tasks,
    targets_by_year,
)
from liangxin.plans.services import (
    PlanInvalid,
    indicator_create,
    plan_draft_create,
    plan_draft_discard,
    plan_import,
    target_set_indicator,
)
from liangxin.regions.selectors import department_list


@login_required
def plan_list_view(request, code: str):
    region = get_region_for_user(request.user, code)
    can_manage = can_manage_region(request.user, region)
    form = NoticeUploadForm()
    if request.method == "POST":
        region = get_region_for_user(request.user, code, write=True)
        form = NoticeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = _read_upload(upload)
                draft = plan_draft_create(actor=request.user, region=region, source_name=upload.name, source_text=text)
            except (NoticeReadError, ServiceError) as exc:
                form.add_error("file", getattr(exc, "message", None) or str(exc))
            else:
                return redirect("plans:draft", draft.id)
    context = {"region": region, "plans": plan_list(region), "form": form, "can_manage": can_manage}
    return render(request, "plans/plan_list.html", context)


def _read_upload(upload) -> str:
    suffix = Path(upload.name).suffix.lower()
    # The readers take a path (python-docx and pypdf sniff the file themselves).
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
    try:
        return read_notice(tmp.name)
    finally:
        os.unlink(tmp.name)


@login_required
def draft_view(request, draft_id: int):
    draft = get_plan_draft_for_user(request.user, draft_id)
    region = draft.region
    departments = list(department_list(region))
    errors: list[str] = []
    payload = draft.payload
    if request.method == "POST":
        payload, unit_choices = preview.payload_from_post(draft.payload, request.POST)
        draft.payload = payload
        draft.save(update_fields=["payload"])
        if request.POST.get("action") == "confirm":
            try:
                plan, record = plan_import(
                    actor=request.user,
                    region=region,
                    payload=payload,
                    source_name=draft.source_name,
                    source_text=draft.source_text,
                    unit_choices=unit_choices,
                )
            except PlanInvalid as exc:
                errors = exc.errors
            except ServiceError as exc:
                errors = [exc.localized]
            else:
                draft.confirmed_plan = plan
                draft.save(update_fields=["confirmed_plan"])
                if record.created:
                    messages.success(request, _("已导入工作方案：%(title)s") % {"title": plan.title})
                else:
                    messages.success(
                        request, _("已更新工作方案，共 %(n)s 处变化") % {"n": len(record.changes)}
                    )
                    request.session["last_import_changes"] = record.changes[:200]
                return redirect("plans:detail", plan.id)
        else:
            messages.info(request, _("修改已暂存，确认后才会导入"))
    context = {
        "draft": draft,
        "region": region,
        "payload": payload,
        "rows": preview.rows(payload, region, departments),
        "departments": departments,
        "indicators": indicator_list(),
        "kinds": TargetKind.choices,
        "comparators": Comparator.choices,
        "errors": errors,
        "region_mismatch": payload.get("region") and payload.get("region") != region.name,
    }
    return render(request, "plans/draft.html", context)


@login_required
def plan_detail(request, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id)
    filters = PlanFilterForm(request.GET or None)
    f = filters.cleaned_data if filters.is_valid() else {}
    tasks = plan_tasks(plan, section_no=f.get("section"), department_id=f.get("department"))
    all_targets = plan_targets(plan)
    targets = [t for t in all_targets if t.year == f["year"]] if f.get("year") else all_targets
    context = {
        "plan": plan,
        "region": plan.region,
        "sections": plan.sections.all(),
        "tasks": tasks,
        "target_groups": targets_by_year(targets),
        "target_years": sorted({t.year for t in all_targets if t.year}),
        "task_total": plan.tasks.count(),
        "target_total": len(all_targets),
        "departments": department_list(plan.region),
        "filters": f,
        "can_manage": can_manage_region(request.user, plan.region),
        "imports": plan.imports.all()[:10],
        "last_changes": request.session.pop("last_import_changes", None),
    }
    template = "plans/_tasks.html" if request.headers.get("HX-Request") else "plans/plan_detail.html"
    return render(request, template, context)


@login_required
def task_detail(request, task_id: int):
    task = get_task_for_user(request.user, task_id)
    links = task.task_departments.select_related("department").order_by("role", "position")
    context = {
        "task": task,
        "plan": task.plan,
        "region": task.plan.region,
        "leads": [link for link in links if link.role == "lead"],
        "responsibles": [link for link in links if link.role == "responsible"],
        "targets": task.targets.select_related("indicator").order_by("position"),
    }
    return render(request, "plans/task_detail.html", context)


@login_required
def comparison(request):
    data = indicator_comparison(request.user)
    chart_rows = [
        (row, line)
        for row in data["rows"]
        for line in row["lines"]
        if sum(1 for cell in line["by_region"] if cell) > 1 and all(t.unit == "%" for cell in line["by_region"] for t in cell)
    ]
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [r.name for r in data["regions"]]},
        "grid": {"left": 40, "right": 20, "bottom": 100},
        "xAxis": {
            "type": "category",
            "axisLabel": {"interval": 0, "rotate": 30},
            "data": [f"{row['indicator'].name}（{line['year'] or ''}）" for row, line in chart_rows],
        },
        "yAxis": {"type": "value", "name": "%"},
        "series": [
            {
                "name": region.name,
                "type": "bar",
                "data": [
                    float(line["by_region"][i][0].value) if line["by_region"][i] else None for _row, line in chart_rows
                ],
            }
            for i, region in enumerate(data["regions"])
        ],
    }
    context = {"regions": data["regions"], "rows": data["rows"], "chart": chart, "has_chart": bool(chart_rows)}
    return render(request, "plans/comparison.html", context)


@login_required
@require_POST
def draft_discard(request, draft_id: int):
    draft = get_plan_draft_for_user(request.user, draft_id)
    code = draft.region.code
    plan_draft_discard(actor=request.user, draft=draft)
    messages.info(request, _("已放弃本次导入"))
    return redirect("plans:list", code)




@login_required
def indicator_catalogue(request):
    can_edit = can_edit_indicator_catalogue(request.user)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有工作专班管理员可以维护指标目录"))
        if form.is_valid():
            try:
                indicator = indicator_create(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.localized)
            else:
                messages.success(request, _("已新增指标：%(name)s") % {"name": indicator.name})
                return redirect("plans:indicators")
    visible = regions_for_user(request.user)
    indicators = indicator_list().annotate(
        target_count=Count("targets", filter=Q(targets__plan__region__in=visible))
    )
    return render(request, "plans/indicators.html", {"indicators": indicators, "form": form, "can_edit": can_edit})


@login_required
def target_indicator(request, target_id: int):
    target = get_target_for_user(request.user, target_id, write=True)
    if request.method != "POST":
        # The select is fetched when asked for: fifty of them on the plan page would dominate its render time.
        context = {"t": target, "indicators": indicator_list(), "can_manage": True, "editing": True}
        return render(request, "plans/_target_indicator.html", context)
    raw = request.POST.get("indicator", "")
    indicator = Indicator.objects.filter(pk=raw).first() if raw.isdigit() else None
    target = target_set_indicator(actor=request.user, target=target, indicator=indicator)
    if request.headers.get("HX-Request"):
        return render(request, "plans/_target_indicator.html", {"t": target, "indicators": indicator_list(), "can_manage": True, "saved": True})
    return redirect("plans:detail", target.plan_id)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def plan_export(request, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id)
    response = HttpResponse(plan_export_xlsx(plan), content_type=XLSX)
    filename = f"{plan.region.name}-任务分解表.xlsx"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename=\"plan-{plan.id}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def plan_import_sheet(request, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id, write=True)
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = plan_import_xlsx(actor=request.user, plan=plan, file=upload, source_name=upload.name)
        except SheetInvalid as exc:
            errors = exc.errors
        except ServiceError as exc:
            errors = [exc.localized]
        else:
            messages.success(request, _("已按表格更新工作方案，共 %(n)s 处变化") % {"n": len(record.changes)})
            request.session["last_import_changes"] = record.changes[:200]
            return redirect("plans:detail", plan.id)
    return render(request, "plans/import_sheet.html", {"plan": plan, "region": plan.region, "form": form, "errors": errors})
