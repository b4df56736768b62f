from django.core.management.base import CommandError

from liangxin.core.management.base import ServiceCommand
from liangxin.core.progress import cli_actor
from liangxin.regions.models import DepartmentKind, Region
from liangxin.regions.services import department_create


class Command(ServiceCommand):
    help = "新增部门 Add a department: liangxin department-add 370828 县商务局 [--kind bureau]"

    def add_arguments(self, parser):
        parser.add_argument("region_code")
        parser.add_argument("name")
        parser.add_argument("--kind", default="", choices=[""] + list(DepartmentKind.values))

    def handle(self, *args, region_code, name, kind, **options):
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise CommandError(f"未找到行政区划代码 {region_code} (unknown region code)")
        department = department_create(actor=cli_actor(), region=region, name=name, kind=kind)
        self.stdout.write(self.style.SUCCESS(f"已新增 {department.name}（{department.get_kind_display()}）"))
