from django.core.management.base import CommandError

from liangxin.accounts.models import Role, User
from liangxin.accounts.services import role_grant
from liangxin.core.management.base import ServiceCommand
from liangxin.core.progress import cli_actor
from liangxin.regions.models import Department, Region


class Command(ServiceCommand):
    help = "授予角色 Grant a role: liangxin role-grant USER ROLE REGION_CODE [--department NAME]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("region_code")
        parser.add_argument("--department", default=None)

    def handle(self, *args, username, role, region_code, department, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"未找到用户 {username} (unknown user)")
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise CommandError(f"未找到行政区划代码 {region_code} (unknown region code)")
        dept = None
        if department:
            dept = Department.objects.filter(region=region, name=department).first()
            if dept is None:
                raise CommandError(f"{region.name}没有名为 {department} 的部门 (unknown department)")
        assignment = role_grant(actor=cli_actor(), user=user, role=role, region=region, department=dept)
        self.stdout.write(self.style.SUCCESS(f"已授权：{assignment}"))
