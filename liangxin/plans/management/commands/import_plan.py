from pathlib import Path

from django.core.management.base import CommandError

from liangxin.core.management.base import ServiceCommand
from liangxin.core.progress import cli_actor
from liangxin.plans.extraction import NoticeReadError, extract_plan, read_notice
from liangxin.plans.services import PlanInvalid, plan_import, region_for_payload


class Command(ServiceCommand):
    help = "导入工作方案 Import a notice as a plan; re-importing the same notice (issuer + 文号) updates it in place."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--region", default=None, help="行政区划代码（默认按文件中的发文机关推断）")

    def handle(self, *args, file, region, **options):
        try:
            text = read_notice(file)
        except NoticeReadError as exc:
            raise CommandError(str(exc)) from None
        payload = extract_plan(text, source=Path(file).name)
        target_region = region_for_payload(payload, region)
        try:
            plan, record = plan_import(
                actor=cli_actor(), region=target_region, payload=payload, source_name=Path(file).name, source_text=text
            )
        except PlanInvalid as exc:
            raise CommandError("\n".join(["方案内容有误 (the plan is invalid):", *exc.errors])) from None
        verb = "已导入" if record.created else "已更新"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {target_region.name}：{plan.title}（{plan.doc_no or '无文号'}）"
                f" — {plan.sections.count()} 个部分、{plan.tasks.count()} 项任务、{plan.targets.count()} 个量化目标"
            )
        )
        if not record.created:
            if record.changes:
                for change in record.changes:
                    self.stdout.write(f"  {change['change']} {change['what']}: {change['before']} → {change['after']}")
            else:
                self.stdout.write("  与上次导入相比没有变化 (no changes)")
