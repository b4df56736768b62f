from liangxin.core.management.base import ServiceCommand
from liangxin.core.progress import cli_actor
from liangxin.regions.services import region_create


class Command(ServiceCommand):
    help = "新增行政区划 Add a region by its official 6-digit code: liangxin region-add 370829 嘉祥县"

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("name")
        parser.add_argument("--parent", dest="parent_code", default=None, help="上级代码（默认按代码推断）")

    def handle(self, *args, code, name, parent_code, **options):
        region = region_create(actor=cli_actor(), code=code, name=name, parent_code=parent_code)
        self.stdout.write(self.style.SUCCESS(f"已新增 {region.name}（{region.code}，{region.get_level_display()}）"))
