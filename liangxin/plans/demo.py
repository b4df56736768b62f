"""Load the seed notices through the same import path users use."""

from pathlib import Path

from liangxin.plans.extraction import extract_plan, read_notice
from liangxin.plans.services import plan_import, region_for_payload

NOTICES = Path(__file__).resolve().parent / "data" / "notices"


def demo_plans_load(*, actor) -> list[str]:
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
    return lines
