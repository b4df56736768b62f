"""The permission chokepoints: every user-facing object is fetched through a function here.

A region the user holds no role in (directly or through a parent region) does not exist for
them: they get 404, never a hint that it is there. Visible but not writable gives 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from liangxin.accounts.models import Role, RoleAssignment
from liangxin.regions.models import Department, Region

READ_ROLES = frozenset(Role.values)
REGION_ADMIN_ROLES = frozenset({Role.WORKING_GROUP_ADMIN})
AUDIT_ROLES = frozenset({Role.WORKING_GROUP_ADMIN, Role.AUDITOR})


def _assignments(user) -> list[RoleAssignment]:
    # Cached on the user object: one query per request however many checks a page makes.
    cached = getattr(user, "_liangxin_assignments", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("region", "department"))
        user._liangxin_assignments = cached
    return cached


def is_system_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_system_admin)


def roles_in_region(user, region: Region) -> set[str]:
    """Roles the user holds in `region`, counting roles held in any region above it."""
    if not (user.is_authenticated and user.is_active):
        return set()
    return {a.role for a in _assignments(user) if region.is_within(a.region)}


def department_ids_for_staff(user, region: Region) -> set[int]:
    """Departments the user acts for as department staff in `region`."""
    if not (user.is_authenticated and user.is_active):
        return set()
    return {
        a.department_id
        for a in _assignments(user)
        if a.role == Role.DEPARTMENT_STAFF and region.is_within(a.region)
    }


def regions_for_user(user) -> QuerySet[Region]:
    if is_system_admin(user):
        return Region.objects.all()
    if not (user.is_authenticated and user.is_active):
        return Region.objects.none()
    condition = Q(pk__in=[])
    for assignment in _assignments(user):
        path = assignment.region.path
        condition |= Q(path=path) | Q(path__startswith=path + "/")
    return Region.objects.filter(condition)


def can_view_region(user, region: Region) -> bool:
    return is_system_admin(user) or bool(roles_in_region(user, region) & READ_ROLES)


def can_manage_region(user, region: Region) -> bool:
    """Working-group admins run everything in their region: departments, aliases, plans."""
    return is_system_admin(user) or bool(roles_in_region(user, region) & REGION_ADMIN_ROLES)


def can_view_audit(user, region: Region) -> bool:
    return is_system_admin(user) or bool(roles_in_region(user, region) & AUDIT_ROLES)


def can_edit_department(user, department: Department) -> bool:
    if can_manage_region(user, department.region):
        return True
    return department.id in department_ids_for_staff(user, department.region)


def can_create_region(user) -> bool:
    return is_system_admin(user)


def _visible_or_404(queryset, pk, region_of, user, message: str):
    """Fetch one object and hide it unless the user can read its region: the shared half of
    every chokepoint below."""
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(message) from None
    if not can_view_region(user, region_of(obj)):
        raise Http404(message)
    return obj


def get_region_for_user(user, code: str, *, write: bool = False) -> Region:
    try:
        region = Region.objects.select_related("parent").get(code=code)
    except Region.DoesNotExist:
        raise Http404("未找到该行政区划") from None
    if not can_view_region(user, region):
        raise Http404("未找到该行政区划")
    if write and not can_manage_region(user, region):
        raise PermissionDenied("只有本地区工作专班管理员可以修改")
    return region


def get_audit_region_for_user(user, code: str) -> Region:
    region = get_region_for_user(user, code)
    if not can_view_audit(user, region):
        raise PermissionDenied("只有审计人员和工作专班管理员可以查看审计日志")
    return region


def get_department_for_user(user, department_id: int, *, write: bool = False) -> Department:
    department = _visible_or_404(
        Department.objects.select_related("region", "merged_into"),
        department_id,
        lambda o: o.region,
        user,
        "未找到该部门",
    )
    if write and not can_edit_department(user, department):
        raise PermissionDenied("您无权修改该部门")
    return department


def get_plan_for_user(user, plan_id: int, *, write: bool = False):
    from liangxin.plans.models import Plan

    plan = _visible_or_404(
        Plan.objects.select_related("region"), plan_id, lambda o: o.region, user, "未找到该工作方案"
    )
    if write and not can_manage_region(user, plan.region):
        raise PermissionDenied("只有本地区工作专班管理员可以修改工作方案")
    return plan


def get_task_for_user(user, task_id: int):
    from liangxin.plans.models import Task

    task = _visible_or_404(
        Task.objects.select_related("plan__region", "section"),
        task_id,
        lambda o: o.plan.region,
        user,
        "未找到该任务",
    )
    return task


def get_plan_draft_for_user(user, draft_id: int):
    """A draft is private to the working-group admin who uploaded it."""
    from liangxin.plans.models import PlanDraft

    try:
        draft = PlanDraft.objects.select_related("region").get(pk=draft_id)
    except (PlanDraft.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该导入草稿") from None
    if draft.created_by_id != user.id or not can_manage_region(user, draft.region):
        raise Http404("未找到该导入草稿")
    return draft


def get_target_for_user(user, target_id: int, *, write: bool = False):
    from liangxin.plans.models import Target

    target = _visible_or_404(
        Target.objects.select_related("plan__region", "indicator"),
        target_id,
        lambda o: o.plan.region,
        user,
        "未找到该目标",
    )
    if write and not can_manage_region(user, target.plan.region):
        raise PermissionDenied("只有本地区工作专班管理员可以修改目标")
    return target


def can_edit_indicator_catalogue(user) -> bool:
    """The catalogue is shared by all regions: system admins and any working-group admin curate it."""
    if is_system_admin(user):
        return True
    return user.is_authenticated and any(a.role == Role.WORKING_GROUP_ADMIN for a in _assignments(user))


def can_edit_report(user, report) -> bool:
    """The lead department's staff fill in their report; the working group may act for them."""
    region = report.plan.region
    if can_manage_region(user, region):
        return True
    department_ids = department_ids_for_staff(user, region)
    return report.department_id in department_ids or bool(
        report.department.merged_from.filter(id__in=department_ids).exists()
    )


def can_review_report(user, report) -> bool:
    return can_manage_region(user, report.plan.region)


def contributing_departments(user, report) -> list:
    """Departments the user acts for that are responsible (责任单位) for a task of this report."""
    from liangxin.plans.models import TaskDepartment

    department_ids = department_ids_for_staff(user, report.plan.region)
    if not department_ids:
        return []
    links = TaskDepartment.objects.filter(
        task__in=report.entries.values("task"), role="responsible", department_id__in=department_ids
    ).select_related("department")
    return list({link.department for link in links})


def get_report_for_user(user, report_id: int, *, action: str = "view"):
    """action: view, edit (lead department), contribute (responsible department), review (working group)."""
    from liangxin.tracking.models import Report

    report = _visible_or_404(
        Report.objects.select_related("plan__region", "department"),
        report_id,
        lambda o: o.plan.region,
        user,
        "未找到该报告",
    )
    if action == "edit" and not can_edit_report(user, report):
        raise PermissionDenied("只有牵头单位可以填报本报告")
    if action == "contribute" and not (
        contributing_departments(user, report) or can_manage_region(user, report.plan.region)
    ):
        raise PermissionDenied("只有责任单位可以补充配合情况")
    if action == "review" and not can_review_report(user, report):
        raise PermissionDenied("只有工作专班可以审核报告")
    return report
