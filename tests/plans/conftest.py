from pathlib import Path

from liangxin.plans.extraction import extract_plan, read_notice
from liangxin.plans.services import plan_import

NOTICES = Path(__file__).resolve().parents[2] / "liangxin" / "plans" / "data" / "notices"
SHANTING = NOTICES / "shanting-2024-4.txt"
JINXIANG = NOTICES / "jinxiang-2024-4.txt"


def import_notice(path, region, actor="test", text=None):
    text = text if text is not None else read_notice(path)
    payload = extract_plan(text, source=path.name)
    return plan_import(actor=actor, region=region, payload=payload, source_name=path.name, source_text=text)
