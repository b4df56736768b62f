"""Notices whose task numbering restarts in each part (二、 1. 2. 3.; 三、 1. 2.) import, re-import
and round-trip through Excel with every task kept and every target on the right task; a task is
(section, no) within its plan. Plans numbered throughout keep their plain （N）."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from openpyxl import load_workbook

from liangxin.plans.excel import TARGET_SHEET, TASK_SHEET, SheetInvalid, plan_export_xlsx, plan_import_xlsx
from liangxin.plans.extraction import extract_plan, read_notice
from liangxin.plans.models import TASK_ORDER, Plan, Section, Target, Task, TaskNumbering, chinese_numeral
from liangxin.plans.services import PlanInvalid, plan_import
from tests.plans.conftest import import_notice

NOTICES = Path(__file__).resolve().parent / "notices"
RESTART = NOTICES / "county_sections_restart.txt"  # 二、 1. 2. 3. and 三、 1. 2., targets in both
INLINE = NOTICES / "county_inline_tasks.txt"  # 二、 一是…三是, 三、 1、2、, 四、 一是…三是
BRACKETS = NOTICES / "district_bracket_headings.txt"  # 【重点任务】 (一)(二), 【保障措施】 1. 2.

RESTART_TARGETS = {
    "全县消费品以旧换新销售额": None,
    "报废汽车回收量": (2, 1),
    "举办汽车促消费活动": (2, 2),
    "二手车交易市场": (2, 3),
    "家电以旧换新销售额": (3, 1),
    "废旧家电回收网点": (3, 2),
}


def _tasks(plan):
    return [(t.section.no if t.section else None, t.no, t.title) for t in plan.tasks.select_related("section").order_by(*TASK_ORDER)]


def _targets(plan):
    return {
        g.metric: (g.task.section.no, g.task.no) if g.task else None
        for g in Target.objects.filter(plan=plan).select_related("task__section")
    }


def _counts():
    return (Plan.objects.count(), Section.objects.count(), Task.objects.count(), Target.objects.count())


@pytest.fixture
def restart_plan(jinxiang):
    return import_notice(RESTART, jinxiang)[0]


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- import and re-import ----------------------------------------------------------------


def test_a_notice_restarting_its_numbering_imports_every_task_and_target_on_its_task(db, capsys):
    call_command("import_plan", str(RESTART))
    assert "5 项任务、6 个量化目标" in capsys.readouterr().out
    plan = Plan.objects.get(doc_no="金政办字〔2024〕21号")
    assert plan.task_numbering == TaskNumbering.SECTION
    assert _tasks(plan) == [
        (2, 1, "推动汽车报废更新"), (2, 2, "推动汽车置换更新"), (2, 3, "完善二手车市场"),
        (3, 1, "支持家电以旧换新"), (3, 2, "完善回收网络"),
    ]
    assert _targets(plan) == RESTART_TARGETS
    assert [t.label for t in plan.tasks.select_related("section")] == ["二（1）", "二（2）", "二（3）", "三（1）", "三（2）"]
    assert str(plan.tasks.get(section__no=3, no=2)) == "三（2）完善回收网络"
    links = plan.tasks.get(section__no=3, no=2).task_departments.order_by("role", "position")
    assert [(link.role, link.written_name) for link in links] == [("lead", "县商务局"), ("responsible", "县供销社")]


def test_reimporting_a_restarting_notice_changes_nothing_and_duplicates_nothing(restart_plan, jinxiang, capsys):
    counts, pks = _counts(), sorted(Task.objects.values_list("pk", flat=True))
    plan, record = import_notice(RESTART, jinxiang)
    assert plan.pk == restart_plan.pk and not record.created and record.changes == []
    assert _counts() == counts and sorted(Task.objects.values_list("pk", flat=True)) == pks
    call_command("import_plan", str(RESTART), "--region", "370828")
    assert "没有变化" in capsys.readouterr().out
    assert _counts() == counts


def test_reimporting_an_amended_restarting_notice_updates_the_right_task_in_place(restart_plan, jinxiang):
    task_21, task_31 = restart_plan.tasks.get(section__no=2, no=1), restart_plan.tasks.get(section__no=3, no=1)
    target = restart_plan.targets.get(metric="废旧家电回收网点")
    text = RESTART.read_text(encoding="utf-8")
    text = text.replace("1.支持家电以旧换新", "1.推动家电以旧换新").replace("回收网点80个", "回收网点100个")
    text = text.replace("（牵头单位：县市场监管局）", "（牵头单位：县市场监督管理局）")
    plan, record = import_notice(RESTART, jinxiang, text=text)
    assert plan.pk == restart_plan.pk
    changes = {(c["what"], c["change"], c["before"], c["after"]) for c in record.changes}
    assert ("任务三（1）名称", "修改", "支持家电以旧换新", "推动家电以旧换新") in changes
    assert ("任务二（3）牵头单位", "修改", "县市场监管局", "县市场监督管理局") in changes
    assert ("目标 废旧家电回收网点（2025年）", "修改", ">= 80 个", ">= 100 个") in changes
    # The rest is the 具体内容 of the two edited tasks; nothing of 二（1） or 二（2）.
    assert {c["what"] for c in record.changes} - {what for what, *_rest in changes if what.startswith("任务二（3）")} == {
        "任务三（1）名称", "任务三（1）具体内容", "任务三（2）具体内容", "目标 废旧家电回收网点（2025年）"}
    task_21.refresh_from_db()
    task_31.refresh_from_db()
    target.refresh_from_db()
    assert task_21.title == "推动汽车报废更新" and task_31.title == "推动家电以旧换新"
    assert target.value == 100 and target.task_id == restart_plan.tasks.get(section__no=3, no=2).pk
    assert _targets(plan) == RESTART_TARGETS and plan.tasks.count() == 5


def test_a_task_dropped_from_one_part_leaves_the_same_number_in_the_other_part(restart_plan, jinxiang):
    keep = {key: restart_plan.tasks.get(section__no=key[0], no=key[1]).pk for key in [(2, 1), (2, 2), (3, 1), (3, 2)]}
    text = RESTART.read_text(encoding="utf-8")
    text = re.sub(r"3\.完善二手车市场.*?\n", "", text)
    plan, record = import_notice(RESTART, jinxiang, text=text)
    assert {(c["what"], c["change"]) for c in record.changes} == {("任务二（3）", "删除"), ("目标 二手车交易市场（2025年）", "删除")}
    assert {(s, n): plan.tasks.get(section__no=s, no=n).pk for s, n, _t in _tasks(plan)} == keep
    assert _targets(plan) == {k: v for k, v in RESTART_TARGETS.items() if k != "二手车交易市场"}


@pytest.mark.parametrize(
    ("notice", "tasks", "targets"),
    [
        (
            INLINE,
            [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (4, 1), (4, 2), (4, 3)],
            {"全县工业企业设备更新投资": None, "报废汽车回收量": None, "完成技术改造项目": (2, 1), "报废更新农机": (2, 2),
             "举办汽车促消费活动": (3, 1), "废旧家电回收网点": (3, 2)},
        ),
        (
            BRACKETS,
            [(2, 1), (2, 2), (3, 1), (3, 2)],
            {"全区规模以上工业企业数字化改造覆盖率": None, "实施技改项目": (2, 1), "淘汰老旧营运车辆": (2, 2)},
        ),
    ],
    ids=["inline", "brackets"],
)
def test_inline_and_bracket_notices_restarting_per_part_import_and_reimport(jinxiang, notice, tasks, targets):
    payload = extract_plan(read_notice(notice), source=notice.name)
    payload["issuer"] = payload["issuer"] or "石湾区人民政府"  # the bracket notice is a bare web page
    plan, _record = plan_import(actor="test", region=jinxiang, payload=payload)
    assert [(s, n) for s, n, _t in _tasks(plan)] == tasks
    assert _targets(plan) == targets
    counts = _counts()
    again, record = plan_import(actor="test", region=jinxiang, payload=payload)
    assert again.pk == plan.pk and record.changes == [] and _counts() == counts


def test_plans_numbered_throughout_keep_their_plain_numbers(jinxiang_plan, shanting_plan):
    for plan in (jinxiang_plan, shanting_plan):
        assert plan.task_numbering == TaskNumbering.PLAN
        tasks = list(plan.tasks.select_related("section").order_by(*TASK_ORDER))
        # Part-then-number order is the old number order, and the labels are the old （N）.
        assert [t.no for t in tasks] == sorted(t.no for t in tasks) == list(range(1, len(tasks) + 1))
        assert [t.label for t in tasks] == [f"（{t.no}）" for t in tasks]


# --- validation ----------------------------------------------------------------------


def _payload(tasks, targets=(), doc_no="金政发〔2099〕9号"):
    return {
        "title": "某方案", "issuer": "金乡县人民政府", "doc_no": doc_no,
        "sections": [{"no": 1, "title": "总体要求"}, {"no": 2, "title": "甲"}, {"no": 3, "title": "乙"}],
        "tasks": [{"no": no, "section": section, "title": f"任务{section}-{no}", "lead_units": ["县商务局"]} for section, no in tasks],
        "targets": [
            {"metric": metric, "year": 2025, "kind": "level", "comparator": ">=", "value": 1, "unit": "个", **ref}
            for metric, ref in targets
        ],
    }


def test_the_same_number_twice_in_one_part_is_still_refused(jinxiang):
    with pytest.raises(PlanInvalid) as excinfo:
        plan_import(actor="test", region=jinxiang, payload=_payload([(2, 1), (2, 2), (3, 1), (2, 1), (None, 5), (None, 5)]))
    assert excinfo.value.errors == ["任务第 4 行：第 2 部分的序号 1 重复", "任务第 6 行：序号 5 重复"]
    assert not Plan.objects.exists()


def test_the_database_refuses_the_same_number_twice_in_one_part(restart_plan):
    section = restart_plan.sections.get(no=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(plan=restart_plan, section=section, no=1, title="重复")
    Task.objects.create(plan=restart_plan, no=1, title="不在任何部分")
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(plan=restart_plan, no=1, title="不在任何部分，重复")
    Task.objects.create(plan=restart_plan, section=restart_plan.sections.get(no=4), no=1, title="另一部分")


def test_a_target_names_its_task_by_part_and_number(jinxiang):
    tasks = [(2, 1), (2, 2), (3, 1)]
    bad = [("a", {"task": 1}), ("b", {"task": 1, "section": 4}), ("c", {"task": 2, "section": 3}), ("d", {"task": 9})]
    with pytest.raises(PlanInvalid) as excinfo:
        plan_import(actor="test", region=jinxiang, payload=_payload(tasks, bad))
    assert excinfo.value.errors == [
        "目标第 1 行：所属任务（1）不明确（二（1）、三（1）），请注明所属部分",
        "目标第 2 行：所属任务四（1）不存在",
        "目标第 3 行：所属任务三（2）不存在",
        "目标第 4 行：所属任务（9）不存在",
    ]
    # A number only one task carries needs no part; the same metric under two task 1s is two targets.
    good = [("a", {"task": 2}), ("a", {"task": 1, "section": 2}), ("a", {"task": 1, "section": 3})]
    plan, _record = plan_import(actor="test", region=jinxiang, payload=_payload(tasks, good))
    assert sorted((g.task.section.no, g.task.no) for g in plan.targets.all()) == [(2, 1), (2, 2), (3, 1)]
    with pytest.raises(PlanInvalid, match="目标第 2 行：与目标第 1 行重复"):
        plan_import(actor="test", region=jinxiang, payload=_payload(tasks, [good[1], good[1]]))


def test_a_task_moved_to_another_part_of_a_plan_numbered_throughout_keeps_its_row(jinxiang):
    plan, _record = plan_import(actor="test", region=jinxiang, payload=_payload([(2, 1), (2, 2)], [("a", {"task": 2})]))
    task = plan.tasks.get(no=2)
    payload = _payload([(2, 1), (3, 2)], [("a", {"task": 2})])
    payload["tasks"][1]["title"] = "任务2-2"
    plan, record = plan_import(actor="test", region=jinxiang, payload=payload)
    assert record.changes == [{"what": "任务（2）所属部分", "change": "修改", "before": "2", "after": "3"}]
    moved = plan.tasks.get(no=2)
    assert moved.pk == task.pk and moved.section.no == 3 and plan.targets.get().task_id == task.pk


def test_a_plan_can_turn_from_numbered_throughout_to_numbered_per_part(jinxiang):
    plan, _record = plan_import(actor="test", region=jinxiang, payload=_payload([(2, 1), (2, 2), (3, 3)]))
    assert plan.task_numbering == TaskNumbering.PLAN
    plan, record = plan_import(actor="test", region=jinxiang, payload=_payload([(2, 1), (2, 2), (3, 1)]))
    assert plan.task_numbering == TaskNumbering.SECTION
    assert {(c["what"], c["change"]) for c in record.changes} == {("任务三（1）", "新增"), ("任务（3）", "删除")}


def test_chinese_numerals_for_part_labels():
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 23, 99)] == ["一", "九", "十", "十一", "二十", "二十三", "九十九"]


# --- Excel ---------------------------------------------------------------------------


def test_excel_names_tasks_by_part_and_number_and_round_trips(restart_plan):
    wb = load_workbook(io.BytesIO(plan_export_xlsx(restart_plan)))
    ws, targets = wb[TASK_SHEET], wb[TARGET_SHEET]
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)] == ["二（1）", "二（2）", "二（3）", "三（1）", "三（2）"]
    refs = {targets.cell(r, 3).value: targets.cell(r, 2).value for r in range(2, targets.max_row + 1)}
    assert refs == {metric: None if ref is None else f"{chinese_numeral(ref[0])}（{ref[1]}）" for metric, ref in RESTART_TARGETS.items()}
    assert ws.cell(7, 6).value == "废旧家电回收网点 2025年 ≥80个"  # 三（2）'s targets, not 二（2）'s

    record = plan_import_xlsx(actor="test", plan=restart_plan, file=plan_export_xlsx(restart_plan))
    assert record.changes == []
    assert _targets(restart_plan) == RESTART_TARGETS and restart_plan.tasks.count() == 5

    # Edit 三（1）, add 三（3） with a target, and move a target from 二（2） to 三（2）.
    ws.cell(6, 2).value = "推动家电以旧换新"
    ws.append(["三（3）", "开展家居焕新", "支持家装消费。", "县商务局", "", "", ""])
    targets.append([None, "三（3）", "家居焕新活动", 2025, "达到水平", None, ">=", 5, "场", None, ""])
    targets.cell(_row_of(targets, "举办汽车促消费活动"), 2).value = "三（2）"
    record = plan_import_xlsx(actor="test", plan=restart_plan, file=_save(wb))
    changes = {(c["what"], c["change"]) for c in record.changes}
    assert {("任务三（1）名称", "修改"), ("任务三（3）", "新增"), ("目标 家居焕新活动（2025年）", "新增")} <= changes
    assert restart_plan.tasks.get(section__no=3, no=1).title == "推动家电以旧换新"
    assert restart_plan.tasks.get(section__no=2, no=1).title == "推动汽车报废更新"
    assert _targets(restart_plan) == {**RESTART_TARGETS, "举办汽车促消费活动": (3, 2), "家居焕新活动": (3, 3)}
    assert plan_import_xlsx(actor="test", plan=restart_plan, file=_save(wb)).changes == []


def _row_of(ws, metric):
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == metric)


def test_excel_refuses_repeated_and_ambiguous_numbers_and_writes_nothing(restart_plan):
    before = (_tasks(restart_plan), _targets(restart_plan))
    wb = load_workbook(io.BytesIO(plan_export_xlsx(restart_plan)))
    ws, targets = wb[TASK_SHEET], wb[TARGET_SHEET]
    ws.append(["二（2）", "重复的任务", "", "县商务局", "", "", ""])
    ws.append([7, "新任务甲", "", "县商务局", "", "", ""])
    ws.append([7, "新任务乙", "", "县商务局", "", "", ""])
    targets.cell(_row_of(targets, "报废汽车回收量"), 2).value = 1
    targets.cell(_row_of(targets, "二手车交易市场"), 2).value = "四（1）"
    with pytest.raises(SheetInvalid) as excinfo:
        plan_import_xlsx(actor="test", plan=restart_plan, file=_save(wb))
    errors = excinfo.value.errors
    assert "任务分解表 第 8 行：序号 二（2） 与第 4 行重复" in errors
    assert "任务分解表 第 10 行：序号 7 与第 9 行重复" in errors
    row = _row_of(targets, "报废汽车回收量")
    assert f"量化目标 第 {row} 行：任务序号 1 不明确（二（1）、三（1）），请写成“二（1）”这样带部分的编号" in errors
    row = _row_of(targets, "二手车交易市场")
    assert f"量化目标 第 {row} 行：任务序号 四（1） 在“任务分解表”中不存在" in errors
    assert len(errors) == 4
    assert (_tasks(restart_plan), _targets(restart_plan)) == before

    ws.cell(8, 1).value = "二(x)"
    with pytest.raises(SheetInvalid) as excinfo:
        plan_import_xlsx(actor="test", plan=restart_plan, file=_save(wb))
    assert "任务分解表 第 8 行：序号“二(x)”无效（应为 3 或 二（1） 这样的编号）" in excinfo.value.errors
    assert (_tasks(restart_plan), _targets(restart_plan)) == before


def test_excel_bare_numbers_still_name_tasks_where_unique(restart_plan):
    wb = load_workbook(io.BytesIO(plan_export_xlsx(restart_plan)))
    targets = wb[TARGET_SHEET]
    targets.cell(_row_of(targets, "二手车交易市场"), 2).value = 3  # only 二（3） is numbered 3
    targets.cell(_row_of(targets, "报废汽车回收量"), 2).value = "四（1）"
    with pytest.raises(SheetInvalid) as excinfo:
        plan_import_xlsx(actor="test", plan=restart_plan, file=_save(wb))
    assert excinfo.value.errors == [f"量化目标 第 {_row_of(targets, '报废汽车回收量')} 行：任务序号 四（1） 在“任务分解表”中不存在"]
    targets.cell(_row_of(targets, "报废汽车回收量"), 2).value = "二（1）"
    assert plan_import_xlsx(actor="test", plan=restart_plan, file=_save(wb)).changes == []


# --- pages and API -------------------------------------------------------------------


def _selected_tasks(body):
    """Each target's task select with the value a browser would post."""
    out = {}
    for name, options in re.findall(r'<select name="(target-\d+-task)"[^>]*>(.*?)</select>', body, re.S):
        selected = re.findall(r'<option value="([^"]*)" selected>', options)
        assert len(selected) == 1, (name, options)
        out[name] = selected[0]
    return out


def test_preview_shows_part_labels_and_confirms_with_each_target_on_its_task(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas["zb"])
    upload = SimpleUploadedFile(RESTART.name, RESTART.read_bytes())
    draft_url = client.post(reverse("plans:list", args=["370828"]), {"file": upload}).url
    body = client.get(draft_url).content.decode()
    assert "<td>二（1）</td>" in body and "<td>三（1）</td>" in body
    # Post the form as a browser would: every select with its selected option.
    form = {"action": "confirm", **_selected_tasks(body)}
    assert form["target-1-task"] == "2:1" and form["target-4-task"] == "3:1" and form["target-0-task"] == ""
    # Move the 回收网点 target to 二（3） in the preview.
    index = re.search(r'name="target-(\d+)-metric" value="废旧家电回收网点"', body).group(1)
    form[f"target-{index}-task"] = "2:3"
    response = client.post(draft_url, form)
    assert response.status_code == 302, response.content.decode()
    plan = Plan.objects.get(doc_no="金政办字〔2024〕21号")
    assert _targets(plan) == {**RESTART_TARGETS, "废旧家电回收网点": (2, 3)}

    client.force_login(personas["leader"])
    body = client.get(reverse("plans:detail", args=[plan.id])).content.decode()
    assert "<td>三（2）</td>" in body and "二（3）完善二手车市场" in body
    body = client.get(reverse("plans:task", args=[plan.tasks.get(section__no=3, no=1).id])).content.decode()
    assert "三（1）支持家电以旧换新" in body and "家电以旧换新销售额" in body


def test_preview_of_a_draft_without_target_sections_still_finds_unique_tasks(client, personas, jinxiang):
    from liangxin.plans.models import PlanDraft

    # Drafts read before targets carried a section: a unique number still selects its task.
    payload = extract_plan(read_notice(RESTART), source=RESTART.name)
    for target in payload["targets"]:
        del target["section"]
    draft = PlanDraft.objects.create(region=jinxiang, created_by=personas["zb"], source_name="x.txt", source_text="x", payload=payload)
    client.force_login(personas["zb"])
    body = client.get(reverse("plans:draft", args=[draft.id])).content.decode()
    selects = _selected_tasks(body)
    assert selects["target-3-task"] == "2:3"  # only 二（3） is numbered 3
    # Task 1 stands in two parts: the select keeps the bare number and confirming names the problem.
    assert selects["target-1-task"] == ":1" and "（1）（未找到该任务）" in body
    form = {"action": "confirm", **selects}
    body = client.post(reverse("plans:draft", args=[draft.id]), form).content.decode()
    assert "目标第 2 行：所属任务（1）不明确（二（1）、三（1）），请注明所属部分" in body
    assert [k for k, v in form.items() if v.startswith(":")] == ["target-1-task", "target-2-task", "target-4-task", "target-5-task"]
    form.update({"target-1-task": "2:1", "target-2-task": "2:2", "target-4-task": "3:1", "target-5-task": "3:2"})
    assert client.post(reverse("plans:draft", args=[draft.id]), form).status_code == 302
    assert _targets(Plan.objects.get(doc_no="金政办字〔2024〕21号")) == RESTART_TARGETS


def test_the_api_names_tasks_by_part_and_number(client, personas, restart_plan):
    from liangxin.accounts.services import api_token_create

    _t, key = api_token_create(actor="test", user=personas["leader"], name="t")
    body = client.get(f"/api/v1/plans/{restart_plan.id}", headers={"Authorization": f"Bearer {key}"}).json()
    assert body["task_numbering"] == "section"
    assert [(t["section"], t["no"], t["label"]) for t in body["tasks"]] == [
        (2, 1, "二（1）"), (2, 2, "二（2）"), (2, 3, "二（3）"), (3, 1, "三（1）"), (3, 2, "三（2）")]
    assert {g["metric"]: (g["section"], g["task"]) if g["task"] else None for g in body["targets"]} == RESTART_TARGETS
    ids = {(t["section"], t["no"]): t["id"] for t in body["tasks"]}
    assert all(g["task_id"] == ids[(g["section"], g["task"])] for g in body["targets"] if g["task"])


# --- migration -----------------------------------------------------------------------


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_existing_plans_and_allows_a_number_per_part():
    old = _migrate([("plans", "0003_seed_trade_in_indicators")])
    try:
        region = old.get_model("regions", "Region").objects.get(code="370828")
        plan = old.get_model("plans", "Plan").objects.create(region=region, title="旧方案", issuer="金乡县人民政府", doc_no="旧1号")
        OldSection, OldTask = old.get_model("plans", "Section"), old.get_model("plans", "Task")
        parts = [OldSection.objects.create(plan=plan, no=no, title=f"第{no}部分") for no in (1, 2)]
        OldTask.objects.create(plan=plan, section=parts[0], no=1, title="甲")
        OldTask.objects.create(plan=plan, section=parts[1], no=2, title="乙")
        OldTask.objects.create(plan=plan, section=None, no=3, title="丙")
        with pytest.raises(IntegrityError), transaction.atomic():
            OldTask.objects.create(plan=plan, section=parts[1], no=1, title="旧约束下不行")

        new = _migrate([("plans", "0004_task_no_unique_in_section")])
        NewTask = new.get_model("plans", "Task")
        assert new.get_model("plans", "Plan").objects.get(pk=plan.pk).task_numbering == "plan"
        assert sorted(NewTask.objects.filter(plan_id=plan.pk).values_list("no", "title")) == [(1, "甲"), (2, "乙"), (3, "丙")]
        NewTask.objects.create(plan_id=plan.pk, section_id=parts[1].pk, no=1, title="新约束下可以")
        with pytest.raises(IntegrityError), transaction.atomic():
            NewTask.objects.create(plan_id=plan.pk, section_id=parts[1].pk, no=2, title="同一部分重复")
        with pytest.raises(IntegrityError), transaction.atomic():
            NewTask.objects.create(plan_id=plan.pk, section_id=None, no=3, title="不在部分中重复")
        new.get_model("plans", "Plan").objects.filter(pk=plan.pk).delete()
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_choice_labels_follow_the_page_language_but_the_workbook_stays_chinese(restart_plan):
    from django.utils import translation

    from liangxin.plans.models import TargetKind

    with translation.override("en"):
        assert str(TargetKind.LEVEL.label) == "Reach a level"
        wb = load_workbook(io.BytesIO(plan_export_xlsx(restart_plan)))
        assert {wb[TARGET_SHEET].cell(r, 5).value for r in range(2, wb[TARGET_SHEET].max_row + 1)} == {"达到水平", "每年"}
        assert plan_import_xlsx(actor="test", plan=restart_plan, file=_save(wb)).changes == []
