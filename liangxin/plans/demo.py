"""Load the seed notices through the same import path users use."""

from pathlib import Path

from liangxin.plans.extraction import extract_plan, read_notice
from liangxin.plans.services import plan_import, region_for_payload

NOTICES = Path(__file__).resolve().parent / "data" / "notices"


def demo_plans_load(*, actor) -> list[str]:
    """Import both notices; then confirm the alias proposals the way a working group would,
    so each body is one department before the demo opens reporting periods."""
    from liangxin.regions.models import AliasStatus, DepartmentAlias
    from liangxin.regions.services import department_alias_decide

    lines = []
    for path in sorted(NOTICES.glob("*.txt")):
        text = read_notice(path)
        payload = extract_plan(text, source=path.name)
        region = region_for_payload(payload)
        plan, record = plan_import(actor=actor, region=region, payload=payload, source_name=path.name, source_text=text)
        lines.append(
            f"{'导入' if record.created else '更新'} {region.name}：{plan.title} — "
            f"{plan.tasks.count()} 项任务、{plan.targets.count()} 个量化目标"
        )
    for proposal in DepartmentAlias.objects.filter(status=AliasStatus.PROPOSED).select_related("department"):
        department_alias_decide(actor=actor, proposal=proposal, confirm=True)
        lines.append(f"确认别名：{proposal.alias} → {proposal.department.name}（演示）")
    return lines
