from pathlib import Path

from liangxin.core.errors import NotFound
from liangxin.core.management.base import ServiceCommand
from liangxin.plans.excel import plan_export_xlsx
from liangxin.plans.models import Plan


def plan_for_id(plan_id: int) -> Plan:
    plan = Plan.objects.select_related("region").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("plan_not_found", f"未找到编号为 {plan_id} 的方案", f"no plan with id {plan_id}")
    return plan


class Command(ServiceCommand):
    help = "导出任务分解表 Export a plan's 任务分解表 and 量化目标 as an .xlsx workbook (edit it, then import-plan-sheet)."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument("-o", "--output", default=None, help="输出文件（默认 plan-<编号>.xlsx）")

    def handle(self, *args, plan_id, output, **options):
        plan = plan_for_id(plan_id)
        path = Path(output or f"plan-{plan.pk}.xlsx")
        path.write_bytes(plan_export_xlsx(plan))
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {plan.region.name}：{plan.title}（{plan.doc_no or '无文号'}）"
                f" — {plan.tasks.count()} 项任务、{plan.targets.count()} 个量化目标 → {path}"
            )
        )
