from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liangxin.accounts.permissions import (
    can_create_region,
    can_edit_department,
    can_manage_region,
    can_view_audit,
    get_department_for_user,
    get_region_for_user,
)
from liangxin.core.errors import ServiceError
from liangxin.regions.forms import (
    AliasDecisionForm,
    AliasFilterForm,
    DepartmentCreateForm,
    DepartmentUpdateForm,
    RegionCreateForm,
)
from liangxin.regions.models import DepartmentAlias
from liangxin.regions.selectors import alias_list, department_list
from liangxin.regions.services import (
    department_alias_decide,
    department_create,
    department_update,
    region_create,
)


def _apply_service_error(form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.localized)


@login_required
def region_create_view(request):
    if not can_create_region(request.user):
        raise PermissionDenied(_("只有系统管理员可以新增行政区划"))
    form = RegionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            region = region_create(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _apply_service_error(form, exc)
        else:
            messages.success(request, _("已新增行政区划：%(name)s") % {"name": region.name})
            return redirect("regions:detail", region.code)
    return render(request, "regions/region_create.html", {"form": form})


@login_required
def region_detail(request, code: str):
    region = get_region_for_user(request.user, code)
    departments = department_list(region)
    from liangxin.plans.selectors import plan_list

    context = {
        "plans": plan_list(region),
        "region": region,
        "departments": departments,
        "children": region.children.order_by("code"),
        "can_manage": can_manage_region(request.user, region),
        "can_view_audit": can_view_audit(request.user, region),
        "pending_aliases": alias_list(region, status="proposed").count(),
    }
    return render(request, "regions/region_detail.html", context)


@login_required
def department_list_view(request, code: str):
    region = get_region_for_user(request.user, code)
    can_manage = can_manage_region(request.user, region)
    form = DepartmentCreateForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("只有本地区工作专班管理员可以新增部门"))
        if form.is_valid():
            try:
                department = department_create(actor=request.user, region=region, **form.cleaned_data)
            except ServiceError as exc:
                _apply_service_error(form, exc)
            else:
                messages.success(request, _("已新增部门：%(name)s") % {"name": department.name})
                return redirect("regions:departments", region.code)
    context = {"region": region, "departments": department_list(region), "form": form, "can_manage": can_manage}
    return render(request, "regions/department_list.html", context)


@login_required
def department_detail(request, department_id: int):
    department = get_department_for_user(request.user, department_id)
    can_edit = can_edit_department(request.user, department)
    initial = {"kind": department.kind, "short_name": department.short_name}
    form = DepartmentUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        department = get_department_for_user(request.user, department_id, write=True)
        if form.is_valid():
            department_update(actor=request.user, department=department, **form.cleaned_data)
            messages.success(request, _("已保存"))
            return redirect("regions:department", department.id)
    from liangxin.plans.selectors import department_targets, department_tasks

    tasks = department_tasks(department)
    context = {
        "led_tasks": tasks["lead"],
        "supported_tasks": tasks["responsible"],
        "owned_targets": department_targets(department),
        "department": department,
        "region": department.region,
        "form": form,
        "can_edit": can_edit,
        "aliases": department.aliases.select_related("decided_by").order_by("alias"),
    }
    return render(request, "regions/department_detail.html", context)


@login_required
def alias_list_view(request, code: str):
    region = get_region_for_user(request.user, code)
    filter_form = AliasFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    context = {
        "region": region,
        "aliases": alias_list(region, status=status or None),
        "filter_form": filter_form,
        "can_manage": can_manage_region(request.user, region),
    }
    return render(request, "regions/alias_list.html", context)


@login_required
@require_POST
def alias_decide_view(request, code: str, alias_id: int):
    region = get_region_for_user(request.user, code, write=True)
    try:
        proposal = DepartmentAlias.objects.select_related("department").get(pk=alias_id, region=region)
    except DepartmentAlias.DoesNotExist:
        raise Http404(_("未找到该别名")) from None
    form = AliasDecisionForm(request.POST)
    error = None
    if form.is_valid():
        try:
            proposal = department_alias_decide(
                actor=request.user, proposal=proposal, confirm=form.cleaned_data["decision"] == "confirm"
            )
        except ServiceError as exc:
            error = exc.localized
    else:
        error = _("请选择确认或否决")
    if request.headers.get("HX-Request"):
        return render(
            request, "regions/_alias_row.html", {"alias": proposal, "region": region, "can_manage": True, "error": error}
        )
    if error:
        messages.error(request, error)
    return redirect("regions:aliases", region.code)
