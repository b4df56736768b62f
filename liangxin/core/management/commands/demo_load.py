from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from liangxin.core.demo import DEMO_PASSWORD, demo_users_load
from liangxin.core.progress import cli_actor


class Command(BaseCommand):
    help = "加载演示数据 Load demo data: users for every role, both seed plans. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument(
            "--force", action="store_true", help="即使 DEBUG 关闭也加载 (load even with DEBUG off)"
        )

    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "演示数据只用于开发环境；确需加载请加 --force (demo data is for development; use --force)"
            )
        actor = cli_actor()
        users = demo_users_load(actor=actor, password=password)
        self._load_plans(actor)
        call_command("audit", "seal", "--settle-seconds", "0", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"演示账号（密码均为 {password}）Demo logins (password {password}):")
        )
        for spec in users:
            role = spec.role.label if spec.role else "系统管理员"
            where = f" · {spec.region_code}" if spec.region_code else ""
            dept = f" · {spec.department}" if spec.department else ""
            self.stdout.write(f"  {spec.username:<20} {role}{where}{dept}")

    def _load_plans(self, actor) -> None:
        from liangxin.plans.demo import demo_plans_load

        for line in demo_plans_load(actor=actor):
            self.stdout.write(line)
        from liangxin.tracking.demo import demo_tracking_load

        for line in demo_tracking_load(actor=actor):
            self.stdout.write(line)
        from liangxin.accounts.models import User
        from liangxin.subsidies.demo import demo_subsidies_load

        reviewers = list(
            User.objects.filter(username__in=["jinxiang-programme", "jinxiang-zb"]).order_by("username")
        )
        for line in demo_subsidies_load(actor=actor, reviewers=reviewers):
            self.stdout.write(line)
        from liangxin.tracking.demo import demo_computed_load

        for line in demo_computed_load(actor=actor):
            self.stdout.write(line)
