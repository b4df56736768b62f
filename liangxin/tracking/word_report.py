"""The monthly 工作进展通报 as a Word document, laid out after GB/T 9704-2012 (党政机关公文格式).

Everything in the document comes from the selectors (no writes): target statuses, the period's
reports with their task entries, and the reporting rates. A section without data says so.

Layout (GB/T 9704-2012): A4, margins 37/35/28/26 mm (top/bottom/left/right); title in 方正小标宋简体
二号 centred; 主送机关 flush left; body in 仿宋_GB2312 三号, first line indented two characters,
fixed line spacing 28.95 pt (22 lines a page); 一、 headings in 黑体, （一） in 楷体_GB2312;
page numbers "— 1 —" in 宋体 四号, odd pages right and even pages left, one character in.
Chinese font names go into ``w:eastAsia`` (the attribute Word uses for CJK text) and the font
table names a fallback (``w:altName``: 仿宋, 宋体, 楷体) for machines without the GB2312 fonts.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

from liangxin.core.i18n import in_chinese
from liangxin.plans.models import TaskDepartment, TaskRole
from liangxin.tracking.models import Report, ReportStatus, TaskProgress, TaskStatus
from liangxin.tracking.progress import STATUS_LABELS, Status
from liangxin.tracking.selectors import (
    completeness,
    is_overdue,
    report_periods,
    reports_for_period,
    target_statuses,
)

__all__ = ["ISSUER_SUFFIX", "MonthlyData", "monthly_data", "monthly_report_docx", "report_title"]

ISSUER_SUFFIX = "推动大规模设备更新和消费品以旧换新工作专班办公室"
TITLE_MIDDLE = "推动大规模设备更新和消费品以旧换新工作进展通报"

# Fonts: (East Asian name, fallback named in the font table, Latin name).
FONT_TITLE = ("方正小标宋简体", "宋体")
FONT_BODY = ("仿宋_GB2312", "仿宋")
FONT_HEADING = ("黑体", None)
FONT_SUBHEADING = ("楷体_GB2312", "楷体")
FONT_PAGE = ("宋体", None)
LATIN = "Times New Roman"

SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_PAGE = Pt(14)  # 四号
SIZE_TABLE = Pt(10.5)  # 五号
SIZE_NOTE = Pt(9)  # 小五
LINE_BODY = Pt(28.95)  # 22 lines in the 225 mm text block
LINE_TITLE = Pt(35)

# Reported task statuses in the order a reader expects them, and the target statuses that need
# attention (第三部分).
TASK_ORDER = [TaskStatus.DONE, TaskStatus.ON_TRACK, TaskStatus.LAGGING, TaskStatus.NOT_STARTED]
TARGET_ORDER = list(STATUS_LABELS)
TARGETS_BEHIND = (Status.DETERIORATION, Status.LIMITED_PROGRESS, Status.TARGET_NOT_ACHIEVED)
RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
CN_NUMBERS = "一二三四五六七八九十"


# ---------------------------------------------------------------- data (reads only)


@dataclass
class DepartmentRow:
    name: str
    expected: int = 0
    received: int = 0
    on_time: int = 0
    states: list[str] = field(default_factory=list)


@dataclass
class MonthlyData:
    region: object
    period_start: dt.date
    as_of: dt.date
    period_label: str
    issue_no: int
    statuses: list  # (Target, ProgressResult)
    rates: dict
    reports: list[Report]
    entries: list[TaskProgress]  # entries of received (submitted/accepted) reports
    departments: list[DepartmentRow]
    overdue_departments: list[str]
    leads_by_task: dict[int, list[str]]


def _on_time(report: Report) -> bool:
    return bool(report.first_submitted_at) and timezone.localtime(report.first_submitted_at).date() <= report.due_on


def _report_state(report: Report, today: dt.date) -> str:
    if is_overdue(report, today):
        return "逾期未报" if report.status == ReportStatus.DRAFT else "退回后逾期未重报"
    return {
        ReportStatus.DRAFT: "未报送",
        ReportStatus.RETURNED: "已退回修改",
        ReportStatus.SUBMITTED: "已报送",
        ReportStatus.ACCEPTED: "已审核",
    }[report.status]


def monthly_data(*, region, period_start: dt.date, as_of: dt.date | None = None) -> MonthlyData:
    as_of = as_of or timezone.localdate()
    period_start = period_start.replace(day=1)
    reports = list(reports_for_period(region, period_start))
    received_ids = [r.pk for r in reports if r.status in RECEIVED]
    entries = list(
        TaskProgress.objects.filter(report_id__in=received_ids)
        .select_related("task__plan", "task__section", "report__department")
        .order_by("task__plan_id", "task__section__no", "task__no", "report__department__name")
    )
    departments: dict[int, DepartmentRow] = {}
    for report in reports:
        row = departments.setdefault(report.department_id, DepartmentRow(report.department.name))
        row.expected += 1
        row.received += bool(report.first_submitted_at)
        row.on_time += _on_time(report)
        state = _report_state(report, as_of)
        if state not in row.states:
            row.states.append(state)
    rates = completeness(region, period_start, today=as_of)
    overdue = list(dict.fromkeys(r.department.name for r in rates["overdue"]))
    statuses = target_statuses(region, as_of=as_of)
    task_ids = {t.task_id for t, _ in statuses if t.task_id}
    leads: dict[int, list[str]] = {}
    for link in (
        TaskDepartment.objects.filter(task_id__in=task_ids, role=TaskRole.LEAD)
        .select_related("department__merged_into")
        .order_by("task_id", "position")
    ):
        name = (link.department.merged_into or link.department).name
        if name not in leads.setdefault(link.task_id, []):
            leads[link.task_id].append(name)
    # 期号: this period's place among the year's reporting periods.
    earlier = {p for p in report_periods(region) if p.year == period_start.year and p < period_start}
    label = reports[0].period_label if reports else f"{period_start.year}年{period_start.month}月"
    return MonthlyData(
        region=region, period_start=period_start, as_of=as_of, period_label=label, issue_no=len(earlier) + 1,
        statuses=statuses, rates=rates, reports=reports, entries=entries, departments=list(departments.values()),
        overdue_departments=overdue, leads_by_task=leads,
    )


# ---------------------------------------------------------------- text helpers


def report_title(region, period_start: dt.date) -> str:
    return f"{region.name}{TITLE_MIDDLE}（{period_start.year}年{period_start.month}月）"


def _date_cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{round(fraction * 100, 1):g}%"


def _number(value) -> str:
    if value is None:
        return ""
    number = Decimal(str(value)).quantize(Decimal("0.0001")).normalize()
    return f"{number:f}"


def _sentence(text: str) -> str:
    """Text as it was reported, ending with one full stop."""
    text = " ".join(text.split()).rstrip("。；;，,.、 ")
    return f"{text}。" if text else ""


def _counts(labels_in_order, counter, unit: str) -> str:
    return "、".join(f"{label}{counter[key]}{unit}" for key, label in labels_in_order if counter[key])


def _addressee(region) -> str:
    level = region.name[-1] if region.name[-1] in "县区市" else "县"
    return f"各镇街，{level}直有关部门："


# ---------------------------------------------------------------- document set-up


def _fonts(rpr, east_asia: str, latin: str = LATIN) -> None:
    """Name the fonts explicitly (and drop theme fonts, which would win over the names)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")


def _indent_chars(ppr, *, first_line: int = 0, left: int = 0, right: int = 0, size: Pt = SIZE_BODY) -> None:
    """Indents in characters (w:firstLineChars etc., hundredths of a character) with the twips
    equivalent for readers that ignore the *Chars attributes."""
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = ppr.makeelement(qn("w:ind"), {})
        ppr.append(ind)
    char_twips = int(size.pt * 20)
    for name, chars in (("firstLine", first_line), ("left", left), ("right", right)):
        ind.set(qn(f"w:{name}Chars"), str(chars * 100))
        ind.set(qn(f"w:{name}"), str(chars * char_twips))
    _reorder_ppr(ppr)


# CT_PPr children must follow the schema order; python-docx keeps its own elements in order,
# elements added by hand are moved into place here.
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers",
    "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
    "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange",
]


def _reorder_ppr(ppr) -> None:
    rank = {qn(f"w:{name}"): i for i, name in enumerate(_PPR_ORDER)}
    children = sorted(ppr, key=lambda el: rank.get(el.tag, len(rank)))
    for child in children:
        ppr.append(child)


def _paragraph_style(doc, style_id: str, name: str, *, font, size, base="Normal", bold=False, align=None,
                     first_line=0, line=None, line_rule=WD_LINE_SPACING.EXACTLY, outline: int | None = None,
                     keep_next=False, latin: str = LATIN):
    style = doc.styles.add_style(style_id, WD_STYLE_TYPE.PARAGRAPH)
    style.name = name
    style.base_style = doc.styles[base] if base else None
    style.quick_style = True
    style.font.size = size
    style.font.bold = bold
    _fonts(style.element.get_or_add_rPr(), font[0], latin)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.space_before = fmt.space_after = Pt(0)
    if line is not None:
        fmt.line_spacing = line
        fmt.line_spacing_rule = line_rule
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.keep_with_next = keep_next
    ppr = style.element.get_or_add_pPr()
    _indent_chars(ppr, first_line=first_line, size=size)
    if outline is not None:
        level = ppr.makeelement(qn("w:outlineLvl"), {qn("w:val"): str(outline)})
        ppr.append(level)
        _reorder_ppr(ppr)
    return style


def _font_table(doc) -> None:
    """Declare the Chinese fonts as GB2312 fonts (charset 86) with a fallback name."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    declared = {el.get(qn("w:name")) for el in root.findall(qn("w:font"))}
    for name, fallback in (FONT_TITLE, FONT_BODY, FONT_SUBHEADING, ("黑体", "SimHei"), ("宋体", "SimSun")):
        if name in declared:
            continue
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        if fallback:
            etree.SubElement(font, qn("w:altName"), {qn("w:val"): fallback})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "modern" if name in ("黑体",) else "roman"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _setup(doc, title: str, issuer: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # The page number's dash sits about 7 mm below the text block.
    section.footer_distance = Mm(23)

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, FONT_BODY[0])
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.attrib.clear()
    spacing.set(qn("w:after"), "0")

    normal = doc.styles["Normal"]
    normal.font.size = SIZE_BODY
    _fonts(normal.element.get_or_add_rPr(), FONT_BODY[0])
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing, fmt.line_spacing_rule = LINE_BODY, WD_LINE_SPACING.EXACTLY
    fmt.widow_control = False
    _indent_chars(normal.element.get_or_add_pPr(), first_line=2)

    _paragraph_style(doc, "GwTitle", "公文标题", font=FONT_TITLE, size=SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER,
                     line=LINE_TITLE, keep_next=True)
    _paragraph_style(doc, "GwIssueNo", "期号", font=FONT_BODY, size=SIZE_BODY, align=WD_ALIGN_PARAGRAPH.CENTER,
                     line=LINE_BODY)
    _paragraph_style(doc, "GwAddressee", "主送机关", font=FONT_BODY, size=SIZE_BODY, align=WD_ALIGN_PARAGRAPH.LEFT,
                     line=LINE_BODY)
    _paragraph_style(doc, "GwHeading1", "公文一级标题", font=FONT_HEADING, size=SIZE_BODY, first_line=2,
                     line=LINE_BODY, outline=0, keep_next=True)
    _paragraph_style(doc, "GwHeading2", "公文二级标题", font=FONT_SUBHEADING, size=SIZE_BODY, first_line=2,
                     line=LINE_BODY, outline=1, keep_next=True)
    _paragraph_style(doc, "GwSignature", "落款", font=FONT_BODY, size=SIZE_BODY, align=WD_ALIGN_PARAGRAPH.RIGHT,
                     line=LINE_BODY)
    _paragraph_style(doc, "GwTableText", "表格文字", font=FONT_BODY, size=SIZE_TABLE, align=WD_ALIGN_PARAGRAPH.CENTER,
                     line=None)
    _paragraph_style(doc, "GwTableHead", "表格表头", font=FONT_HEADING, size=SIZE_TABLE,
                     align=WD_ALIGN_PARAGRAPH.CENTER, line=None)
    _paragraph_style(doc, "GwTableNote", "表格说明", font=FONT_BODY, size=SIZE_NOTE, align=WD_ALIGN_PARAGRAPH.LEFT,
                     line=None)
    # 页码 digits are 宋体 too (半角宋体阿拉伯数字).
    _paragraph_style(doc, "GwPageNumber", "页码", font=FONT_PAGE, size=SIZE_PAGE, line=None, latin=FONT_PAGE[0])
    _font_table(doc)

    props = doc.core_properties
    props.title, props.author, props.language = title, issuer, "zh-CN"
    props.subject = TITLE_MIDDLE
    props.comments = "由两新工作平台根据各单位报送数据生成"


def _page_number(footer, *, odd: bool) -> None:
    """ "— 1 —": a PAGE field between one-character dashes; odd pages right, even pages left,
    each one character in from the edge of the text block."""
    paragraph = footer.paragraphs[0]
    paragraph.style = "页码"
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    _indent_chars(paragraph._p.get_or_add_pPr(), left=0 if odd else 1, right=1 if odd else 0, size=SIZE_PAGE)
    paragraph.add_run("— ")
    for xml in (
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {nsdecls("w")}><w:t>1</w:t></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml))
    paragraph.add_run(" —")


# ---------------------------------------------------------------- tables


def _table(doc, headers: list[str], widths_mm: list[float], rows: list[list], note_columns=()):
    table = doc.add_table(rows=1, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    borders = parse_xml(
        f'<w:tblBorders {nsdecls("w")}>'
        + "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + "</w:tblBorders>"
    )
    tbl_pr.append(borders)
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    tbl_pr.append(parse_xml(
        f'<w:tblCellMar {nsdecls("w")}><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
    ))
    _sort_children(tbl_pr, ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                            "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
                            "tblLayout", "tblCellMar", "tblLook"])
    for col, width in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(width)
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
    tr_pr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    for cell, text in zip(header.cells, headers, strict=True):
        _cell(cell, text, "表格表头")
    for values in rows:
        row = table.add_row()
        row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            _cell(cell, value, "表格说明" if index in note_columns else "表格文字")
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return table


def _sort_children(parent, order: list[str]) -> None:
    rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    for child in sorted(parent, key=lambda el: rank.get(el.tag, len(rank))):
        parent.append(child)


def _cell(cell, value, style: str) -> None:
    """A cell's text; a (main, small) pair puts the small text on a second line in 五号."""
    main, small = value if isinstance(value, tuple) else (value, "")
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    paragraph.add_run(str(main))
    if small:
        note = cell.add_paragraph(style="表格说明")
        note.alignment = paragraph.alignment if style != "表格说明" else None
        note.add_run(small)


# ---------------------------------------------------------------- the document


class _Writer:
    def __init__(self, doc):
        self.doc = doc

    def heading(self, number: int, text: str) -> None:
        self.doc.add_paragraph(f"{CN_NUMBERS[number - 1]}、{text}", style="公文一级标题")

    def subheading(self, number: int, text: str) -> None:
        self.doc.add_paragraph(f"（{CN_NUMBERS[number - 1]}）{text}", style="公文二级标题")

    def para(self, text: str) -> None:
        self.doc.add_paragraph(text)

    def items(self, texts: list[str]) -> None:
        for index, text in enumerate(texts, 1):
            self.doc.add_paragraph(f"{index}.{text}")


def _overview(w: _Writer, data: MonthlyData) -> None:
    w.heading(1, "总体进展")
    region = data.region.name
    statuses = data.statuses
    if statuses:
        by_status = Counter(result.status for _, result in statuses)
        labels = [(status, STATUS_LABELS[status][0]) for status in TARGET_ORDER]
        text = f"截至{_date_cn(data.as_of)}，{region}工作方案共有量化目标{len(statuses)}个，其中{_counts(labels, by_status, '个')}。"
        unavailable = Counter(r.reason for _, r in statuses if r.status == Status.NOT_AVAILABLE and r.reason)
        if unavailable:
            text += "无法判断的目标中，" + "、".join(f"{reason}{n}个" for reason, n in unavailable.most_common()) + "。"
        w.para(text)
    else:
        w.para(f"截至{_date_cn(data.as_of)}，{region}尚无含量化目标的工作方案，本期暂无目标进展可通报。")
    rates = data.rates
    if rates["expected"]:
        w.para(
            f"{data.period_label}应报进展报告{rates['expected']}份，已报{rates['received']}份，其中按时报送"
            f"{rates['on_time']}份，报送率{_percent(rates['completeness'])}，及时率{_percent(rates['timeliness'])}。"
        )
    else:
        w.para(f"{data.period_label}尚未开启进展报告报送，暂无部门报送数据。")
    if data.entries:
        by_task = Counter(entry.status for entry in data.entries)
        labels = [(status, status.label) for status in TASK_ORDER]
        lagging = by_task[TaskStatus.LAGGING]
        text = f"已报送的报告共反映任务进展{len(data.entries)}项（次），其中{_counts(labels, by_task, '项')}。"
        behind = sum(1 for _, r in statuses if r.status in TARGETS_BEHIND)
        if lagging or behind:
            text += f"报送为滞后的任务{lagging}项，进展有限、倒退或未达成的目标{behind}个，详见第三部分。"
        else:
            text += "本期无报送为滞后的任务，也无进展有限、倒退或未达成的目标。"
        w.para(text)
    elif rates["expected"]:
        w.para("本期暂无已报送的任务进展。")


def _targets(w: _Writer, data: MonthlyData) -> None:
    w.heading(2, "目标完成情况")
    if not data.statuses:
        w.para("本期暂无量化目标。")
        return
    w.para("各量化目标完成情况见下表。状态依据已录入的指标数值按目标进展评估方法计算，计算过程见“说明”栏。")
    rows = []
    for index, (target, result) in enumerate(data.statuses, 1):
        goal = target.display_value + (f"（{target.year}年）" if target.year else "")
        if result.current_value is None:
            current = "暂无数据"
        else:
            unit = target.indicator.unit if target.indicator else target.unit
            unit = "" if unit == "ratio" else unit
            current = (f"{_number(result.current_value)}{unit}", result.current_period or "")
        rows.append([str(index), target.metric, goal, current, result.label, result.explanation])
    _table(w.doc, ["序号", "指标", "目标", "当前值", "状态", "说明"], [12, 40, 28, 24, 19, 33], rows, note_columns=(5,))


def _lagging(w: _Writer, data: MonthlyData) -> tuple[list, list]:
    w.heading(3, "滞后事项")
    tasks = [e for e in data.entries if e.status == TaskStatus.LAGGING]
    targets = [(t, r) for t, r in data.statuses if r.status in TARGETS_BEHIND]
    if not tasks and not targets:
        w.para("本期暂无滞后事项。")
        return tasks, targets
    w.subheading(1, "报送为滞后的任务")
    if tasks:
        w.items([
            f"{e.report.department.name}牵头的任务{e.task.label}{e.task.title}，报送为滞后。"
            + (f"存在问题：{_sentence(e.problems)}" if e.problems.strip() else "未填写存在问题。")
            for e in tasks
        ])
    else:
        w.para("本期暂无报送为滞后的任务。")
    w.subheading(2, "进展有限、倒退或未达成的目标")
    if targets:
        texts = []
        for target, result in targets:
            leads = data.leads_by_task.get(target.task_id, [])
            year = f"（{target.year}年）" if target.year else ""
            texts.append(
                f"{target.metric}，目标{target.display_value}{year}，状态为{result.label}。{_sentence(result.explanation)}"
                + (f"牵头单位：{'、'.join(leads)}。" if leads else "")
            )
        w.items(texts)
    else:
        w.para("本期暂无进展有限、倒退或未达成的目标。")
    return tasks, targets


def _departments(w: _Writer, data: MonthlyData) -> None:
    w.heading(4, "部门报送情况")
    if not data.reports:
        w.para(f"{data.period_label}尚未开启进展报告，暂无部门报送情况。")
        return
    rates = data.rates
    w.para(
        f"本期应报送进展报告的单位{len(data.departments)}个、报告{rates['expected']}份，截止日期为"
        f"{_date_cn(min(r.due_on for r in data.reports))}。各单位报送情况见下表。"
    )
    rows = [
        [row.name, str(row.expected), str(row.received), str(row.on_time), "、".join(row.states)]
        for row in data.departments
    ]
    rows.append([
        "合计", str(rates["expected"]), str(rates["received"]), str(rates["on_time"]),
        f"报送率{_percent(rates['completeness'])}，及时率{_percent(rates['timeliness'])}",
    ])
    _table(w.doc, ["单位", "应报", "已报", "按时", "状态"], [70, 16, 16, 16, 38], rows)
    if data.overdue_departments:
        w.para(f"截至{_date_cn(data.as_of)}，逾期未报单位（{len(data.overdue_departments)}个）："
               + "、".join(data.overdue_departments) + "。")
    else:
        w.para(f"截至{_date_cn(data.as_of)}，本期无逾期未报单位。")


def _next_steps(w: _Writer, data: MonthlyData, lagging_tasks: list, lagging_targets: list) -> None:
    w.heading(5, "下步工作")
    number = 0
    if lagging_tasks:
        number += 1
        w.subheading(number, "加快推进滞后任务")
        by_department: dict[str, list[str]] = {}
        for entry in lagging_tasks:
            by_department.setdefault(entry.report.department.name, []).append(f"{entry.task.label}{entry.task.title}")
        w.para("请以下牵头单位针对报送的存在问题，加快推进报送为滞后的任务："
               + "；".join(f"{name}：任务{'、'.join(tasks)}" for name, tasks in by_department.items()) + "。")
    if lagging_targets:
        number += 1
        w.subheading(number, "关注进展滞后的目标")
        metrics = list(dict.fromkeys(t.metric for t, _ in lagging_targets))
        leads = list(dict.fromkeys(n for t, _ in lagging_targets for n in data.leads_by_task.get(t.task_id, [])))
        w.para(f"{'、'.join(metrics)}等{len(lagging_targets)}个目标进展有限、倒退或未达成，"
               + (f"请{'、'.join(leads)}" if leads else "请相关牵头单位") + "分析原因，在下期报告中说明改进措施。")
    if data.overdue_departments:
        number += 1
        w.subheading(number, "督促补报")
        w.para(f"请{'、'.join(data.overdue_departments)}尽快补报{data.period_label}进展报告。")
    problems = [e for e in data.entries if e.problems.strip() and e.status != TaskStatus.LAGGING]
    if problems:
        number += 1
        w.subheading(number, "协调解决报送的问题")
        w.items([f"{e.report.department.name}（任务{e.task.label}{e.task.title}）：{_sentence(e.problems)}" for e in problems])
    planned = [e for e in data.entries if e.next_steps.strip()]
    if planned:
        number += 1
        w.subheading(number, "各单位报送的下步打算")
        w.items([f"{e.report.department.name}（任务{e.task.label}{e.task.title}）：{_sentence(e.next_steps)}" for e in planned])
    if not number:
        if data.entries:
            w.para("本期各单位未报送下步打算，也无滞后任务、滞后目标和逾期未报单位，暂无需要专项推进的事项。")
        else:
            w.para("本期暂无已报送的下步打算，也无滞后事项，暂无需要专项推进的事项。")


def monthly_report_docx(*, region, period_start: dt.date, as_of: dt.date | None = None) -> bytes:
    """The period's 工作进展通报 (.docx bytes) for `region`, with data as of `as_of` (default today).
    An official document in Chinese, whatever the language of the page it is downloaded from."""
    with in_chinese():
        return _monthly_report_docx(region=region, period_start=period_start, as_of=as_of)


def _monthly_report_docx(*, region, period_start: dt.date, as_of: dt.date | None) -> bytes:
    data = monthly_data(region=region, period_start=period_start, as_of=as_of)
    title = report_title(region, data.period_start)
    issuer = f"{region.name}{ISSUER_SUFFIX}"
    doc = Document()
    _setup(doc, title, issuer)
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    _page_number(section.footer, odd=True)
    _page_number(section.even_page_footer, odd=False)

    # The template's body starts with no paragraphs; the first is the 期号 line.
    doc.add_paragraph(f"{data.period_start.year}年第{data.issue_no}期", style="期号")
    doc.add_paragraph(style="期号")
    doc.add_paragraph(title, style="公文标题")
    doc.add_paragraph(style="主送机关")
    doc.add_paragraph(_addressee(region), style="主送机关")
    w = _Writer(doc)
    w.para(f"现将{data.period_label}{region.name}推动大规模设备更新和消费品以旧换新工作进展情况通报如下。")
    _overview(w, data)
    _targets(w, data)
    lagging_tasks, lagging_targets = _lagging(w, data)
    _departments(w, data)
    _next_steps(w, data, lagging_tasks, lagging_targets)

    doc.add_paragraph()
    doc.add_paragraph(issuer, style="落款")
    date_line = doc.add_paragraph(_date_cn(data.as_of), style="落款")
    _indent_chars(date_line._p.get_or_add_pPr(), right=2)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

