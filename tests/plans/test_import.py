import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liangxin.audit.models import AuditEntry
from liangxin.plans.models import Plan, Target, Task, TaskDepartment
from liangxin.plans.services import PlanInvalid, plan_import
from liangxin.regions.models import AliasStatus, Department, DepartmentAlias
from liangxin.regions.services import department_alias_decide, department_resolve
from tests.plans.conftest import JINXIANG, SHANTING, import_notice


def test_both_seeds_import_with_their_tasks_and_targets(jinxiang_plan, shanting_plan):
    assert (shanting_plan.tasks.count(), shanting_plan.targets.count()) == (28, 14)
    assert (jinxiang_plan.tasks.count(), jinxiang_plan.targets.count()) == (34, 50)
    assert shanting_plan.doc_no == "山政发〔2024〕4号" and str(shanting_plan.issued_on) == "2024-07-23"
    assert jinxiang_plan.sections.count() == 10
    for task in Task.objects.all():
        assert task.task_departments.exists(), f"task {task} has no department"


def test_every_extracted_field_keeps_its_quote(jinxiang_plan):
    assert all(t.quote for t in jinxiang_plan.targets.all())
    task = jinxiang_plan.tasks.get(no=2)
    assert task.quote.startswith("促进产业绿色化转型")
    assert "牵头单位" in task.units_quote
    assert jinxiang_plan.metadata_quotes["doc_no"]


def test_departments_keep_the_written_names_and_the_aliases_merge_once_confirmed(jinxiang_plan, jinxiang):
    proposal = DepartmentAlias.objects.get(region=jinxiang, alias="县发展和改革委员会")
    assert proposal.status == AliasStatus.PROPOSED
    assert proposal.department.name == "县发展和改革局"
    department_alias_decide(actor="test", proposal=proposal, confirm=True)

    links = TaskDepartment.objects.filter(task__plan=jinxiang_plan, written_name__in=["县发展和改革局", "县发展和改革委员会"])
    assert {link.department.name for link in links} == {"县发展和改革局"}
    assert department_resolve(jinxiang, "县发展和改革委员会").name == "县发展和改革局"
    # 县行政综合执法局 (a slip for 县综合行政执法局) is proposed too.
    assert DepartmentAlias.objects.filter(region=jinxiang, alias="县行政综合执法局", department__name="县综合行政执法局").exists()


def test_collective_bodies_are_departments_of_their_kind(jinxiang_plan, jinxiang):
    assert Department.objects.get(region=jinxiang, name="各镇街").kind == "collective"
    assert Department.objects.get(region=jinxiang, name="制造强市金乡县指挥部").kind == "command"


def test_reimporting_the_same_notice_changes_nothing_and_duplicates_nothing(jinxiang_plan, jinxiang):
    counts = (Plan.objects.count(), Task.objects.count(), Target.objects.count(), TaskDepartment.objects.count(), Department.objects.count())
    plan, record = import_notice(JINXIANG, jinxiang)
    assert plan.pk == jinxiang_plan.pk
    assert not record.created and record.changes == []
    assert counts == (Plan.objects.count(), Task.objects.count(), Target.objects.count(), TaskDepartment.objects.count(), Department.objects.count())


def test_reimporting_an_amended_notice_updates_in_place_and_says_what_changed(jinxiang_plan, jinxiang):
    target = jinxiang_plan.targets.get(metric="5G基站")
    text = JINXIANG.read_text(encoding="utf-8")
    text = text.replace("开通 5G 基站 900 个", "开通 5G 基站 1200 个").replace("（一）促进产业高端化跃升", "（一）推动产业高端化跃升")
    plan, record = import_notice(JINXIANG, jinxiang, text=text)
    assert plan.pk == jinxiang_plan.pk
    target.refresh_from_db()
    assert target.value == 1200
    assert jinxiang_plan.tasks.get(no=1).title == "推动产业高端化跃升"
    whats = {(c["what"], c["before"], c["after"]) for c in record.changes}
    assert ("任务（1）名称", "促进产业高端化跃升", "推动产业高端化跃升") in whats
    assert any(c["what"].startswith("目标 5G基站") and "900" in c["before"] and "1200" in c["after"] for c in record.changes)
    assert AuditEntry.objects.filter(action="plan.reimport", object_id=str(plan.pk)).exists()


def test_same_indicator_is_proposed_in_both_plans(jinxiang_plan, shanting_plan):
    a = jinxiang_plan.targets.get(metric="关键工序数控化率")
    b = shanting_plan.targets.get(metric="关键工序数控化率")
    assert a.indicator is not None and a.indicator == b.indicator
    assert jinxiang_plan.targets.get(metric="报废汽车规范回收拆解量").indicator.name == "报废汽车回收量"


def test_a_bad_payload_is_refused_with_every_error_and_nothing_written(jinxiang):
    payload = {
        "title": "某方案", "issuer": "金乡县人民政府", "doc_no": "金政发〔2099〕1号", "sections": [{"no": 1, "title": "总体要求"}],
        "tasks": [{"no": 1, "section": 1, "title": "", "lead_units": ["县商务局"]}],
        "targets": [
            {"task": 9, "metric": "x", "year": 2025, "kind": "level", "comparator": ">=", "value": "abc", "unit": "家"},
            {"task": None, "metric": "y", "year": 2025, "kind": "growth", "comparator": "≈", "value": 1, "unit": "%"},
        ],
    }
    with pytest.raises(PlanInvalid) as excinfo:
        plan_import(actor="test", region=jinxiang, payload=payload)
    errors = "\n".join(excinfo.value.errors)
    for fragment in ("任务第 1 行：任务名称不能为空", "目标第 1 行：所属任务（9）不存在", "目标第 1 行：目标值“abc”不是数字",
                     "目标第 2 行：比较符“≈”无效", "目标第 2 行：较基期增长的目标必须有基期年份"):
        assert fragment in errors
    assert not Plan.objects.exists() and not Department.objects.filter(name="县商务局").exists()


def test_the_cli_imports_and_reports_reimport(db, capsys):
    call_command("import_plan", str(SHANTING))
    assert "已导入 山亭区" in capsys.readouterr().out
    call_command("import_plan", str(SHANTING), "--region", "370406")
    assert "没有变化" in capsys.readouterr().out


def test_the_cli_names_an_unknown_region(db):
    with pytest.raises(CommandError, match="未找到行政区划代码 999999"):
        call_command("import_plan", str(SHANTING), "--region", "999999")


def test_the_cli_refuses_an_unreadable_notice(db, tmp_path):
    bad = tmp_path / "notice.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CommandError):
        call_command("import_plan", str(bad))


def test_a_notice_imported_into_one_region_cannot_land_in_another(jinxiang_plan, shanting):
    from liangxin.core.errors import ServiceError

    with pytest.raises(ServiceError, match="已导入到金乡县"):
        import_notice(JINXIANG, shanting)


def test_duplicate_targets_and_out_of_range_values_are_refused(jinxiang):
    row = {"task": None, "metric": "5G基站", "year": 2025, "kind": "level", "comparator": ">=", "value": 900, "unit": "个"}
    payload = {
        "title": "某方案", "issuer": "金乡县人民政府", "doc_no": "金政发〔2099〕2号", "sections": [],
        "tasks": [{"no": 0, "title": "任务", "lead_units": []}],
        "targets": [row, dict(row), {**row, "metric": "x", "value": "12345678901234567"},
                    {**row, "metric": "y", "kind": "growth", "base_year": 1900, "value": "1.23456"}],
    }
    with pytest.raises(PlanInvalid) as excinfo:
        plan_import(actor="test", region=jinxiang, payload=payload)
    errors = "\n".join(excinfo.value.errors)
    assert "任务第 1 行：序号 0 应在 1–999 之间" in errors
    assert "目标第 2 行：与目标第 1 行重复" in errors
    assert "目标第 3 行：目标值“12345678901234567”超出范围" in errors
    assert "目标第 4 行：基期年份 1900 不合理" in errors
    assert "目标第 4 行：目标值“1.23456”超出范围" in errors


def test_the_extract_plan_command_answers_in_under_a_second():
    import json
    import subprocess
    import sys
    import time

    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "liangxin.cli", "extract-plan", str(JINXIANG)], capture_output=True, text=True, timeout=30
    )
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert len(plan["tasks"]) == 34 and len(plan["targets"]) == 50
    assert elapsed < 1.0, f"extract-plan took {elapsed:.2f}s"
