import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from liangxin.regions.models import Region
from liangxin.tracking.models import Report, ReportStatus
from liangxin.tracking.selectors import target_statuses
from liangxin.tracking.services import indicator_value_record, report_entry_save, report_submit, reports_open
from liangxin.tracking.word_report import monthly_report_docx

PERIOD = dt.date(2026, 10, 1)
AS_OF = dt.date(2026, 11, 20)
TITLE = "金乡县推动大规模设备更新和消费品以旧换新工作进展通报（2026年10月）"
HEADINGS = ["一、总体进展", "二、目标完成情况", "三、滞后事项", "四、部门报送情况", "五、下步工作"]
PROBLEM = "新能源汽车下乡展销场地协调困难，两场活动推迟"
NEXT_STEP = "11月中旬前与各镇街确定展销场地"


def _submit(report, *, when, lagging_task_no=None, staff=None, status="on_track", problems=""):
    for entry in report.entries.select_related("task"):
        lagging = entry.task.no == lagging_task_no
        report_entry_save(
            actor=staff or "test", report=report, task_id=entry.task_id, status="lagging" if lagging else status,
            progress=f"任务{entry.task.no}本月进展", problems=PROBLEM if lagging else problems,
            next_steps=NEXT_STEP if lagging else "",
        )
    report_submit(actor=staff or "test", report=report)
    # The services stamp the real clock; the bulletin is about a fixed past period.
    Report.objects.filter(pk=report.pk).update(first_submitted_at=timezone.make_aware(when))


@pytest.fixture
def october(personas, jinxiang_plan, jinxiang, commerce, finance):
    reports_open(actor="test", plan=jinxiang_plan, period_start=PERIOD)
    reports = {r.department.name: r for r in Report.objects.filter(period_start=PERIOD).select_related("department")}
    _submit(reports["县商务局"], when=dt.datetime(2026, 11, 6, 9), lagging_task_no=15, staff=personas["staff"])
    _submit(reports["县财政局"], when=dt.datetime(2026, 11, 9, 16), problems="部分专项资金尚未下达")
    _submit(reports["县税务局"], when=dt.datetime(2026, 11, 14, 10), status="done")  # late
    charging = jinxiang_plan.targets.get(indicator__name="公共充电桩保有量", year=2027, kind="level").indicator
    indicator_value_record(actor="test", region=jinxiang, indicator=charging, period_kind="year",
                           period_start=dt.date(2023, 1, 1), value=600)
    indicator_value_record(actor="test", region=jinxiang, indicator=charging, period_kind="month",
                           period_start=dt.date(2026, 9, 1), value=560)
    return reports


def _open(content: bytes):
    return Document(io.BytesIO(content))


def _texts(doc, style=None):
    return [p.text for p in doc.paragraphs if style is None or p.style.name == style]


def _body_text(doc) -> str:
    return "\n".join(_texts(doc))


def _east_asia_font(doc, paragraph, run) -> str | None:
    """The East Asian font a reader applies to `run`: run → paragraph style chain → defaults."""
    candidates = [run._r.rPr]
    style = paragraph.style
    while style is not None:
        candidates.append(style.element.rPr)
        style = style.base_style
    candidates.append(doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")))
    for rpr in candidates:
        fonts = None if rpr is None else rpr.find(qn("w:rFonts"))
        if fonts is not None and fonts.get(qn("w:eastAsiaTheme")):
            return "theme:" + fonts.get(qn("w:eastAsiaTheme"))
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
    return None


def test_the_bulletin_reports_targets_lagging_tasks_and_departments(october, jinxiang, jinxiang_plan):
    doc = _open(monthly_report_docx(region=jinxiang, period_start=PERIOD, as_of=AS_OF))

    assert _texts(doc, "公文标题") == [TITLE]
    assert _texts(doc, "期号")[0] == "2026年第1期"
    assert _texts(doc, "主送机关")[-1] == "各镇街，县直有关部门："
    assert _texts(doc, "公文一级标题") == HEADINGS
    body = _body_text(doc)
    assert body.index("一、总体进展") < body.index("二、目标完成情况") < body.index("五、下步工作")

    # 一、总体进展: sentences built from the counts.
    expected = Report.objects.filter(period_start=PERIOD).count()
    assert f"工作方案共有量化目标{jinxiang_plan.targets.count()}个" in body
    assert f"应报进展报告{expected}份，已报3份，其中按时报送2份" in body
    assert "已报送的报告共反映任务进展11项（次），其中已完成1项、按计划推进9项、滞后1项。" in body
    assert "报送为滞后的任务1项" in body

    # 二、目标完成情况: one row per target under a repeated header row.
    targets_table, departments_table = doc.tables
    header = targets_table.rows[0]
    assert [c.text for c in header.cells] == ["序号", "指标", "目标", "当前值", "状态", "说明"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert len(targets_table.rows) == 1 + jinxiang_plan.targets.count()
    statuses = dict((t.pk, r) for t, r in target_statuses(jinxiang, as_of=AS_OF))
    charging = jinxiang_plan.targets.get(indicator__name="公共充电桩保有量", year=2027, kind="level")
    row = next(r for r in targets_table.rows[1:] if r.cells[2].text.startswith("≥2500台"))
    assert row.cells[1].text == charging.metric and row.cells[3].text.startswith("560台")
    assert row.cells[4].text == statuses[charging.pk].label == "倒退"
    assert row.cells[5].text == statuses[charging.pk].explanation
    borders = targets_table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.tag.split("}")[1] for b in borders} >= {"top", "bottom", "insideH", "insideV"}

    # 三、滞后事项: the lagging task with its department and problem; the deteriorating target.
    assert f"县商务局牵头的任务（15）推动汽车以旧换新，报送为滞后。存在问题：{PROBLEM}。" in body
    assert f"{charging.metric}，目标≥2500台（2027年），状态为倒退。" in body

    # 四、部门报送情况.
    assert [c.text for c in departments_table.rows[0].cells] == ["单位", "应报", "已报", "按时", "状态"]
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in departments_table.rows[1:]}
    assert rows["县商务局"] == ["1", "1", "1", "已报送"]
    assert rows["县税务局"] == ["1", "1", "0", "已报送"]
    assert rows["县工业和信息化局"] == ["1", "0", "0", "逾期未报"]
    assert rows["合计"][:3] == [str(expected), "3", "2"]
    assert len(rows) == len({r.department_id for r in Report.objects.filter(period_start=PERIOD)}) + 1
    overdue = next(t for t in _texts(doc) if t.startswith("截至2026年11月20日，逾期未报单位"))
    assert f"（{expected - 3}个）" in overdue and "县工业和信息化局" in overdue and "县商务局" not in overdue

    # 五、下步工作: drawn from what was reported.
    assert "请以下牵头单位针对报送的存在问题，加快推进报送为滞后的任务：县商务局：任务（15）推动汽车以旧换新。" in body
    assert f"县商务局（任务（15）推动汽车以旧换新）：{NEXT_STEP}。" in body
    assert "尽快补报2026年10月进展报告" in body
    assert "县财政局（任务（31）加强财政政策支持）：部分专项资金尚未下达。" in body

    # 落款: issuer and date, right-aligned, last.
    assert _texts(doc)[-2:] == ["金乡县推动大规模设备更新和消费品以旧换新工作专班办公室", "2026年11月20日"]
    assert doc.paragraphs[-1].style.name == "落款" and doc.paragraphs[-1].alignment is None
    assert doc.styles["落款"].paragraph_format.alignment == 2  # RIGHT


def test_the_bulletin_follows_gb_t_9704_layout(october, jinxiang):
    doc = _open(monthly_report_docx(region=jinxiang, period_start=PERIOD, as_of=AS_OF))
    section = doc.sections[0]
    for length, mm in ((section.page_width, 210), (section.page_height, 297), (section.top_margin, 37),
                       (section.bottom_margin, 35), (section.left_margin, 28), (section.right_margin, 26)):
        assert abs(length.mm - mm) < 0.1

    title = next(p for p in doc.paragraphs if p.style.name == "公文标题")
    assert _east_asia_font(doc, title, title.runs[0]) == "方正小标宋简体"
    assert doc.styles["公文标题"].font.size.pt == 22 and doc.styles["公文标题"].paragraph_format.alignment == 1
    heading = next(p for p in doc.paragraphs if p.style.name == "公文一级标题")
    assert _east_asia_font(doc, heading, heading.runs[0]) == "黑体"
    body = [p for p in doc.paragraphs if p.style.name == "Normal" and p.text]
    assert body and all(_east_asia_font(doc, p, r) == "仿宋_GB2312" for p in body for r in p.runs)
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16
    assert 28 <= normal.paragraph_format.line_spacing.pt <= 29
    ind = normal.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200" and ind.get(qn("w:firstLine")) == "640"
    cell = doc.tables[0].rows[1].cells[1].paragraphs[0]
    assert _east_asia_font(doc, cell, cell.runs[0]) == "仿宋_GB2312"
    # No theme font left in the defaults to override the names.
    defaults = etree.tostring(doc.styles.element.find(qn("w:docDefaults")), encoding="unicode")
    assert "eastAsiaTheme" not in defaults and 'w:eastAsia="zh-CN"' in defaults

    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, 2), (section.even_page_footer, 0)):
        paragraph = footer.paragraphs[0]
        instructions = [t.text.strip() for t in paragraph._p.iter(qn("w:instrText"))]
        assert instructions == ["PAGE"]
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.alignment == align
        assert _east_asia_font(doc, paragraph, paragraph.runs[0]) == "宋体"
        assert doc.styles["页码"].font.size.pt == 14


def test_the_bulletin_converts_to_pdf_with_libreoffice(october, jinxiang, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    source = tmp_path / "通报.docx"
    source.write_bytes(monthly_report_docx(region=jinxiang, period_start=PERIOD, as_of=AS_OF))
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / "通报.pdf"
    assert pdf.exists() and pdf.stat().st_size > 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_cli_writes_the_bulletin(october, tmp_path, monkeypatch, capsys):
    out = tmp_path / "october.docx"
    call_command("report", "monthly", "--region", "370828", "--period", "2026-10", "--as-of", "2026-11-20",
                 "-o", str(out))
    assert f"→ {out}" in capsys.readouterr().out
    assert _texts(_open(out.read_bytes()), "公文标题") == [TITLE]

    monkeypatch.chdir(tmp_path)
    call_command("report", "monthly", "--region", "370828", "--period", "2026-10")
    assert (tmp_path / "通报-370828-2026-10.docx").stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "messages"),
    [
        (["--region", "999999", "--period", "2026-10"], ["未找到行政区划代码 999999", "unknown region code 999999"]),
        (["--region", "370828", "--period", "2026-13"], ["报送期“2026-13”格式不正确", "must be YYYY-MM"]),
        (["--region", "370828", "--period", "202610"], ["应为 YYYY-MM，例如 2026-10", "must be YYYY-MM"]),
        (["--region", "370828", "--period", "2026-10", "--as-of", "20.11.2026"],
         ["日期“20.11.2026”格式不正确", "must be YYYY-MM-DD"]),
    ],
)
def test_the_cli_explains_bad_input(db, tmp_path, args, messages):
    with pytest.raises(CommandError) as error:
        call_command("report", "monthly", *args, "-o", str(tmp_path / "x.docx"))
    for message in messages:
        assert message in str(error.value)
    assert not (tmp_path / "x.docx").exists()


def test_a_region_without_plans_or_reports_still_gets_a_bulletin(db):
    region = Region.objects.get(code="370406")
    doc = _open(monthly_report_docx(region=region, period_start=PERIOD, as_of=AS_OF))
    assert _texts(doc, "公文标题") == ["山亭区推动大规模设备更新和消费品以旧换新工作进展通报（2026年10月）"]
    assert _texts(doc, "主送机关")[-1] == "各镇街，区直有关部门："
    assert _texts(doc, "公文一级标题") == HEADINGS
    assert doc.tables == []
    body = _body_text(doc)
    for sentence in ("尚无含量化目标的工作方案", "本期暂无量化目标。", "本期暂无滞后事项。",
                     "2026年10月尚未开启进展报告，暂无部门报送情况。", "本期暂无已报送的下步打算，也无滞后事项"):
        assert sentence in body
    assert _texts(doc)[-2:] == ["山亭区推动大规模设备更新和消费品以旧换新工作专班办公室", "2026年11月20日"]


def test_opened_but_unreported_period_lists_every_department_as_overdue(personas, jinxiang_plan, jinxiang):
    reports_open(actor="test", plan=jinxiang_plan, period_start=PERIOD)
    doc = _open(monthly_report_docx(region=jinxiang, period_start=PERIOD, as_of=AS_OF))
    body = _body_text(doc)
    assert "本期暂无已报送的任务进展。" in body and "本期暂无滞后事项。" in body
    assert len(doc.tables) == 2
    total = [c.text for c in doc.tables[1].rows[-1].cells]
    assert total[:4] == ["合计", str(Report.objects.count()), "0", "0"]
    assert "报送率0%" in total[4]
    assert all(r.status == ReportStatus.DRAFT for r in Report.objects.all())
    # Before the due date nobody is overdue yet.
    early = _body_text(_open(monthly_report_docx(region=jinxiang, period_start=PERIOD, as_of=dt.date(2026, 11, 5))))
    assert "本期无逾期未报单位" in early and "督促补报" not in early
