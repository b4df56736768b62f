import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from liangxin.core.errors import ServiceError
from liangxin.plans.excel import (
    TARGET_HEADER,
    TARGET_SHEET,
    TASK_HEADER,
    TASK_SHEET,
    SheetInvalid,
    plan_export_xlsx,
    plan_import_xlsx,
)
from liangxin.plans.extraction import extract_plan, read_notice
from liangxin.plans.models import PlanImport, Target, Task, TaskDepartment
from liangxin.plans.services import PlanInvalid, plan_import
from liangxin.regions.models import Department

NOTICES = Path(__file__).resolve().parents[2] / "liangxin" / "plans" / "data" / "notices"


def _import_seed(name, region):
    path = NOTICES / name
    text = read_notice(path)
    return plan_import(actor="test", region=region, payload=extract_plan(text, source=path.name), source_name=path.name, source_text=text)[0]


@pytest.fixture
def plan(jinxiang):
    return _import_seed("jinxiang-2024-4.txt", jinxiang)


def _workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _header_row(ws, row):
    return [c.value for c in ws[row]]


def _state(plan):
    """Everything an import could touch, to prove a refused import wrote nothing."""
    tasks = [(t.no, t.title, t.content, t.deadline, t.section_id) for t in Task.objects.filter(plan=plan).order_by("no")]
    links = sorted(TaskDepartment.objects.filter(task__plan=plan).values_list("task__no", "role", "position", "written_name"))
    targets = list(
        Target.objects.filter(plan=plan).order_by("position").values_list("task__no", "metric", "year", "kind", "base_year", "comparator", "value", "unit", "indicator")
    )
    return tasks, links, targets, PlanImport.objects.filter(plan=plan).count(), Department.objects.count()


def _target_row(ws, metric):
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 3).value == metric:
            return row
    raise AssertionError(metric)


def test_export_has_the_exact_headers_and_a_row_per_task(plan):
    wb = _workbook(plan_export_xlsx(plan))
    assert wb.sheetnames[:2] == [TASK_SHEET, TARGET_SHEET]
    ws = wb[TASK_SHEET]
    assert plan.title in ws["A1"].value and plan.doc_no in ws["A1"].value
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert _header_row(ws, 2) == ["序号", "重点任务", "具体内容", "牵头单位", "责任单位", "量化目标", "完成时限"] == TASK_HEADER
    assert ws.max_row - 2 == plan.tasks.count() == 34
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)] == list(range(1, 35))
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape" and ws["B2"].font.bold

    task2 = plan.tasks.get(no=2)
    row = 4
    assert ws.cell(row, 2).value == task2.title
    assert ws.cell(row, 4).value == "县工业和信息化局、市生态环境局金乡县分局"
    assert ws.cell(row, 5).value.startswith("县发展和改革局、县应急管理局、县市场监管局")
    goals = ws.cell(row, 6).value.splitlines()
    assert "省级以上绿色工厂 2025年 ≥3家" in goals
    assert len(goals) == task2.targets.count()

    targets = wb[TARGET_SHEET]
    assert _header_row(targets, 1) == TARGET_HEADER
    assert targets.max_row - 1 == plan.targets.count()
    first = plan.targets.get(position=0)
    assert [c.value for c in targets[2]][:9] == [1, None, first.metric, first.year, "达到水平", None, first.comparator, 35, "%"]
    assert wb["_meta"].sheet_state == "hidden"


def test_a_round_trip_without_edits_changes_nothing(plan):
    before = _state(plan)
    record = plan_import_xlsx(actor="test", plan=plan, file=plan_export_xlsx(plan))
    assert record.plan_id == plan.pk and not record.created
    assert record.changes == []
    after = _state(plan)
    assert after[:3] == before[:3] and after[3] == before[3] + 1 and after[4] == before[4]


def test_edited_title_units_and_value_are_imported_as_exactly_those_changes(plan, tmp_path):
    wb = _workbook(plan_export_xlsx(plan))
    ws = wb[TASK_SHEET]
    ws["B3"] = "推动产业高端化跃升"
    ws["E4"] = "县发展和改革局，县商务局,  各镇街"
    targets = wb[TARGET_SHEET]
    row = _target_row(targets, "5G基站")
    targets.cell(row, 8).value = 1200
    path = tmp_path / "金乡县任务分解表（修改）.xlsx"
    path.write_bytes(_save(wb))

    record = plan_import_xlsx(actor="test", plan=plan, file=str(path))
    assert record.source_name == path.name
    changes = {(c["what"], c["change"], c["before"], c["after"]) for c in record.changes}
    assert len(record.changes) == 3
    assert ("任务（1）名称", "修改", "促进产业高端化跃升", "推动产业高端化跃升") in changes
    assert (
        "任务（2）责任单位", "修改", "县发展和改革局、县应急管理局、县市场监管局、各镇街、各产业园", "县发展和改革局、县商务局、各镇街"
    ) in changes
    assert any(what.startswith("目标 5G基站") and change == "修改" for what, change, _b, _a in changes)

    assert plan.tasks.get(no=1).title == "推动产业高端化跃升"
    links = plan.tasks.get(no=2).task_departments.filter(role="responsible").order_by("position")
    assert [link.written_name for link in links] == ["县发展和改革局", "县商务局", "各镇街"]
    assert plan.targets.get(metric="5G基站").value == Decimal("1200")
    assert plan.tasks.count() == 34 and plan.targets.count() == 50
    # Quotes, sections and the other targets' indicators survive the round trip.
    assert plan.tasks.get(no=1).quote.startswith("促进产业高端化跃升") and plan.tasks.get(no=1).section.no == 2
    # Importing the same edited file again changes nothing more.
    assert plan_import_xlsx(actor="test", plan=plan, file=path.read_bytes()).changes == []


def test_bad_rows_are_all_listed_with_their_numbers_and_nothing_is_written(plan):
    before = _state(plan)
    wb = _workbook(plan_export_xlsx(plan))
    targets = wb[TARGET_SHEET]
    targets["H5"] = "abc"
    targets["E7"] = "翻一番"
    targets["D9"] = "20x5"
    targets["D10"] = 1999
    targets.cell(_target_row(targets, "5G基站"), 8).value = 1200  # a good edit that must not be applied
    wb[TASK_SHEET]["A6"] = None
    wb[TASK_SHEET]["B8"] = ""
    wb[TASK_SHEET]["E9"] = "一个新的单位"  # a new unit name must not be created either
    with pytest.raises(SheetInvalid) as exc:
        plan_import_xlsx(actor="test", plan=plan, file=_save(wb))
    errors = exc.value.errors
    assert exc.value.code == "sheet_invalid"
    assert "量化目标 第 5 行：目标值“abc”不是数字" in errors
    assert any(e.startswith("量化目标 第 7 行：类型“翻一番”无效") for e in errors)
    assert "量化目标 第 9 行：目标年份“20x5”不是整数" in errors
    assert any(e.startswith("量化目标 第 10 行：目标年份 1999 不合理") for e in errors)
    assert "任务分解表 第 6 行：序号不能为空" in errors
    assert "任务分解表 第 8 行：重点任务不能为空" in errors
    assert len(errors) == 6
    assert _state(plan) == before


def test_targets_of_a_removed_task_and_duplicates_are_named(plan):
    wb = _workbook(plan_export_xlsx(plan))
    ws = wb[TASK_SHEET]
    task_no = plan.targets.exclude(task=None).first().task.no
    ws.delete_rows(task_no + 2)
    targets = wb[TARGET_SHEET]
    targets.append([c.value for c in targets[2]])
    with pytest.raises(SheetInvalid) as exc:
        plan_import_xlsx(actor="test", plan=plan, file=_save(wb))
    rows = Target.objects.filter(plan=plan, task__no=task_no).values_list("position", flat=True)
    for position in rows:
        assert f"量化目标 第 {position + 2} 行：任务序号 {task_no} 在“任务分解表”中不存在" in exc.value.errors
    assert any(e.startswith(f"量化目标 第 {targets.max_row} 行：与第 2 行是同一目标") for e in exc.value.errors)


@pytest.mark.parametrize("kind", ["random", "docx", "xls", "truncated"])
def test_a_file_that_is_not_an_xlsx_is_unreadable(plan, kind, tmp_path):
    if kind == "random":
        data = bytes(range(256)) * 20
    elif kind == "docx":
        import docx

        document = docx.Document()
        document.add_paragraph("金乡县推动大规模设备更新和消费品以旧换新工作方案")
        path = tmp_path / "plan.docx"
        document.save(path)
        data = path.read_bytes()
    elif kind == "xls":
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)
    else:
        data = plan_export_xlsx(plan)[:3000]
    path = tmp_path / "任务分解表.xlsx"
    path.write_bytes(data)
    with pytest.raises(ServiceError) as exc:
        plan_import_xlsx(actor="test", plan=plan, file=path.open("rb"))
    assert exc.value.code == "sheet_unreadable"
    assert "无法读取表格" in exc.value.message and "cannot read" in exc.value.message_en


def test_wrong_headers_or_missing_sheets_are_the_wrong_template(plan):
    wb = _workbook(plan_export_xlsx(plan))
    wb[TASK_SHEET]["D2"] = "主办单位"
    with pytest.raises(ServiceError) as exc:
        plan_import_xlsx(actor="test", plan=plan, file=_save(wb))
    assert exc.value.code == "sheet_wrong_template" and "牵头单位" in exc.value.message

    wb = _workbook(plan_export_xlsx(plan))
    del wb[TARGET_SHEET]
    with pytest.raises(ServiceError) as exc:
        plan_import_xlsx(actor="test", plan=plan, file=_save(wb))
    assert exc.value.code == "sheet_wrong_template" and "量化目标" in exc.value.message

    wb = _workbook(plan_export_xlsx(plan))
    del wb["_meta"]
    with pytest.raises(ServiceError) as exc:
        plan_import_xlsx(actor="test", plan=plan, file=_save(wb))
    assert exc.value.code == "sheet_wrong_template" and "_meta" in exc.value.message


def test_another_plans_workbook_is_the_wrong_template(plan, shanting):
    other = _import_seed("shanting-2024-4.txt", shanting)
    before = _state(plan)
    with pytest.raises(ServiceError) as exc:
        plan_import_xlsx(actor="test", plan=plan, file=plan_export_xlsx(other))
    assert exc.value.code == "sheet_wrong_template"
    assert "另一个方案" in exc.value.message and "山政发〔2024〕4号" in exc.value.message
    assert _state(plan) == before


def test_cells_starting_with_equals_stay_text(plan):
    task = plan.tasks.get(no=3)
    task.deadline = "=HYPERLINK(\"http://example.com\")"
    task.save()
    data = plan_export_xlsx(plan)
    ws = _workbook(data)[TASK_SHEET]
    assert ws.cell(5, 7).data_type == "s"
    assert plan_import_xlsx(actor="test", plan=plan, file=data).changes == []


def test_the_commands_export_and_import(plan, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    call_command("export_plan", str(plan.pk), "-o", str(path))
    wb = load_workbook(path)
    wb[TASK_SHEET]["G3"] = "2025年底前"
    wb.save(path)
    call_command("import_plan_sheet", str(plan.pk), str(path))
    out = capsys.readouterr().out
    assert "任务（1）完成时限" in out and "2025年底前" in out
    assert plan.tasks.get(no=1).deadline == "2025年底前"

    wb[TARGET_SHEET]["H2"] = "abc"
    wb.save(path)
    with pytest.raises(CommandError, match="量化目标 第 2 行"):
        call_command("import_plan_sheet", str(plan.pk), str(path))
    with pytest.raises(CommandError, match="plan_not_found|未找到"):
        call_command("export_plan", "999999", "-o", str(path))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_export(plan, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(plan_export_xlsx(plan))
    result = subprocess.run(
        [
            "soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
            "--convert-to", "pdf", "--outdir", str(tmp_path), str(path),
        ],
        capture_output=True, timeout=180, check=False,
    )
    pdf = tmp_path / "plan.pdf"
    if not pdf.exists() and b"could not be loaded" in result.stderr and not _has_calc():
        pytest.skip("LibreOffice Calc is not installed")
    assert result.returncode == 0 and pdf.exists(), result.stderr
    reader = pypdf.PdfReader(pdf)
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    assert "序号重点任务具体内容牵头单位责任单位量化目标完成时限" in text
    # Rows are tall enough for their wrapped text: every task's content is printed to its end.
    for task in plan.tasks.all():
        assert "".join(task.content.split())[-12:] in text, task.no


def _has_calc() -> bool:
    program = Path(shutil.which("soffice")).resolve().parent
    return any(program.glob("libsclo*"))


def test_the_export_is_a_valid_zip_package(plan):
    with zipfile.ZipFile(io.BytesIO(plan_export_xlsx(plan))) as archive:
        assert archive.testzip() is None
        assert "xl/workbook.xml" in archive.namelist()


def test_service_errors_name_the_sheet_rows():
    from liangxin.plans.excel import _sheet_errors

    exc = PlanInvalid(["任务第 2 行：序号 3 重复", "目标第 1 行：单位不能为空", "方案名称不能为空"])
    errors = _sheet_errors(exc, {1: 3, 2: 5}, {1: 2}).errors
    assert errors == ["任务分解表 第 5 行：序号 3 重复", "量化目标 第 2 行：单位不能为空", "方案名称不能为空"]
