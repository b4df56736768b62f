"""Demo users for every role in both seed counties, created through the real services."""

from dataclasses import dataclass

from django.db import transaction

from liangxin.accounts.models import Role, User
from liangxin.accounts.services import role_grant, user_create
from liangxin.regions.models import Region
from liangxin.regions.services import department_get_or_create_for_name

DEMO_PASSWORD = "liangxin-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str | None
    region_code: str | None
    department: str | None = None


DEMO_USERS = [
    DemoUser("admin", "系统管理员", None, None),
    DemoUser("jining-zb", "济宁市专班（含金乡县）", Role.WORKING_GROUP_ADMIN, "370800"),
    DemoUser("shanting-zb", "山亭区专班", Role.WORKING_GROUP_ADMIN, "370406"),
    DemoUser("shanting-commerce", "山亭区商务和投资促进局", Role.DEPARTMENT_STAFF, "370406", "区商务和投资促进局"),
    DemoUser("shanting-leader", "山亭区领导", Role.LEADER, "370406"),
    DemoUser("shanting-auditor", "山亭区审计", Role.AUDITOR, "370406"),
    DemoUser("shanting-programme", "山亭区补贴业务", Role.PROGRAMME_STAFF, "370406"),
    DemoUser("jinxiang-zb", "金乡县专班", Role.WORKING_GROUP_ADMIN, "370828"),
    DemoUser("jinxiang-commerce", "金乡县商务局", Role.DEPARTMENT_STAFF, "370828", "县商务局"),
    DemoUser("jinxiang-leader", "金乡县领导", Role.LEADER, "370828"),
    DemoUser("jinxiang-auditor", "金乡县审计", Role.AUDITOR, "370828"),
    DemoUser("jinxiang-programme", "金乡县补贴业务", Role.PROGRAMME_STAFF, "370828"),
]


@transaction.atomic
def demo_users_load(*, actor, password: str = DEMO_PASSWORD) -> list[DemoUser]:
    """Create the demo users and their roles; running it again changes nothing."""
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = user_create(
                actor=actor,
                username=spec.username,
                password=password,
                display_name=spec.display_name,
                is_system_admin=spec.role is None,
            )
        if spec.role is None:
            continue
        region = Region.objects.get(code=spec.region_code)
        department = None
        if spec.department:
            department = department_get_or_create_for_name(actor=actor, region=region, name=spec.department)
        role_grant(actor=actor, user=user, role=spec.role, region=region, department=department)
    return DEMO_USERS
