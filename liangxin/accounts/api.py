from ninja import Router, Schema

from liangxin.accounts.models import RoleAssignment
from liangxin.core.i18n import chinese_display

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    role_label: str
    region_code: str
    department_id: int | None


class MeOut(Schema):
    username: str
    display_name: str
    is_system_admin: bool
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="当前用户及其角色 (the calling user and their roles)")
def me(request):
    roles = RoleAssignment.objects.filter(user=request.user).select_related("region")
    return {
        "username": request.user.username,
        "display_name": request.user.display_name,
        "is_system_admin": request.user.is_system_admin,
        "roles": [
            {"role": r.role, "role_label": chinese_display(r, "role"), "region_code": r.region.code, "department_id": r.department_id}
            for r in roles
        ],
    }
