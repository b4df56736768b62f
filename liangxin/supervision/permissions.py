"""The chokepoint for supervision notices (督办单): views and the API fetch notices only here.

Invisible (no role in the notice's region) → 404; visible but not allowed to act → 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from liangxin.accounts.permissions import can_manage_region, can_view_region, department_ids_for_staff
from liangxin.regions.models import Department
from liangxin.supervision.models import SupervisionNotice

NOTICE_ACTIONS = ("view", "respond", "manage")


def can_respond(user, notice: SupervisionNotice) -> bool:
    """Staff of the notice's department answer it (also staff of a department merged into it)."""
    ids = department_ids_for_staff(user, notice.region)
    if not ids:
        return False
    if notice.department_id in ids:
        return True
    return Department.objects.filter(pk__in=ids, merged_into_id=notice.department_id).exists()


def get_notice_for_user(user, notice_id, *, action: str = "view") -> SupervisionNotice:
    """action: view (anyone who sees the region), respond (the department's staff),
    manage (close / escalate: the region's working group)."""
    if action not in NOTICE_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    try:
        notice = SupervisionNotice.objects.select_related(
            "region", "department", "created_by", "target", "task", "report__department"
        ).get(pk=notice_id)
    except (SupervisionNotice.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该督办单") from None
    if not can_view_region(user, notice.region):
        raise Http404("未找到该督办单")
    if action == "respond" and not can_respond(user, notice):
        raise PermissionDenied("只有被督办部门的工作人员可以反馈")
    if action == "manage" and not can_manage_region(user, notice.region):
        raise PermissionDenied("只有本地区工作专班可以处理督办单")
    return notice
