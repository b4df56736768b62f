from pathlib import Path

from django.core.management.base import CommandError

from liangxin.core.management.base import ServiceCommand
from liangxin.core.progress import cli_actor
from liangxin.plans.excel import SheetInvalid, plan_import_xlsx
from liangxin.plans.management.commands.export_plan import plan_for_id


class Command(ServiceCommand):
    help = "导入修改后的任务分解表 Update a plan from its edited .xlsx workbook (made by export-plan); prints what changed."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument("file")

    def handle(self, *args, plan_id, file, **options):
        plan = plan_for_id(plan_id)
        try:
            record = plan_import_xlsx(actor=cli_actor(), plan=plan, file=file, source_name=Path(file).name)
        except SheetInvalid as exc:
            raise CommandError("\n".join(["表格内容有误，未导入 (the workbook has errors; nothing was imported):", *exc.errors])) from None
        plan.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"已更新 {plan.region.name}：{plan.title}（{plan.doc_no or '无文号'}）"
                f" — {plan.tasks.count()} 项任务、{plan.targets.count()} 个量化目标"
            )
        )
        if record.changes:
            for change in record.changes:
                self.stdout.write(f"  {change['change']} {change['what']}: {change['before']} → {change['after']}")
        else:
            self.stdout.write("  与上次导入相比没有变化 (no changes)")
