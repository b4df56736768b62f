"""A plan's 任务分解表 and 量化目标 as an Excel workbook (.xlsx), and back.

Export gives the working group a sheet they can print, hand round and correct; import reads
the corrected workbook and updates the plan through `plan_import`, so the in-place update,
the unit-name resolution and the change list are the same as for a re-imported notice.

Layout ("liangxin-plan-v1"):
- 任务分解表: row 1 the plan's title and 文号 (merged), row 2 the header, one row per task.
- 量化目标: row 1 the header, one row per target.
- _meta (hidden): key/value rows naming the template and the plan the workbook was exported from.

A task's 序号 (and a target's 任务序号) is its number, 3, in a plan numbered throughout, and
its part and number, 二（1）, in a plan whose numbering restarts in each part; import reads
either form (docs/decisions/task-numbering-per-section.md).
"""

import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from liangxin.core.errors import NotFound, ServiceError
from liangxin.plans.extraction.numbers import cn_to_int
from liangxin.plans.models import (
    TASK_ORDER,
    Comparator,
    Indicator,
    Plan,
    PlanImport,
    TargetKind,
    TaskNumbering,
    TaskRole,
    task_label,
)
from liangxin.plans.services import PlanInvalid, plan_import, plan_payload_clean

TEMPLATE = "liangxin-plan-v1"
TASK_SHEET = "任务分解表"
TARGET_SHEET = "量化目标"
META_SHEET = "_meta"
TASK_HEADER = ["序号", "重点任务", "具体内容", "牵头单位", "责任单位", "量化目标", "完成时限"]
TARGET_HEADER = ["目标编号", "任务序号", "指标表述", "目标年份", "类型", "基期年份", "比较", "目标值", "单位", "对应指标", "原文"]
# Columns that are shown but not read back: the task sheet's 量化目标 is derived from the
# target sheet, and 目标编号 is only a running number (row order is the targets' order).
TASK_DERIVED = {"量化目标"}
TARGET_DERIVED = {"目标编号"}
TASK_WIDTHS = [6, 18, 60, 20, 28, 32, 14]
TARGET_WIDTHS = [8, 8, 30, 9, 11, 9, 6, 11, 8, 20, 50]
LABEL_WIDTH = 9  # the 序号 columns where they hold 二（1）
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 5

COMPARATOR_WORDS = {
    ">=": ">=", "≥": ">=", "＞＝": ">=", "不低于": ">=", "不少于": ">=", "至少": ">=", "达到": ">=",
    ">": ">", "＞": ">", "超过": ">", "高于": ">",
    "~": "~", "～": "~", "约": "~", "左右": "~",
    "<=": "<=", "≤": "<=", "＜＝": "<=", "不超过": "<=", "不高于": "<=", "以内": "<=",
}
# 二（1）, （1）, 1: a task's number, optionally with its part's numeral.
TASK_REF_RE = re.compile(r"([一二三四五六七八九十]{1,3})?[（(]?(\d+)[）)]?")


def _kind_labels() -> dict[str, str]:
    # The workbook is a Chinese template whatever the reader's page language: the source labels.
    with translation.override(None):
        return {k.value: str(k.label) for k in TargetKind}


def _kind_words() -> dict[str, str]:
    return {**{k.value: k.value for k in TargetKind}, **{label: value for value, label in _kind_labels().items()}}


class SheetInvalid(ServiceError):
    """Every bad row of an edited workbook at once, each naming its sheet and row number."""

    def __init__(self, errors: list[str]):
        super().__init__(
            "sheet_invalid",
            "表格内容有误：" + "；".join(errors),
            f"the workbook has {len(errors)} bad row(s); nothing was imported",
        )
        self.errors = errors


def _wrong_template(problem: str, problem_en: str) -> ServiceError:
    return ServiceError(
        "sheet_wrong_template",
        f"表格不是本方案导出的模板（{TEMPLATE}）：{problem}",
        f"the workbook is not this plan's export template ({TEMPLATE}): {problem_en}",
        field="file",
    )


# --- export ----------------------------------------------------------------------------

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = "宋体"  # what Chinese government offices print in; LibreOffice substitutes a CJK font
BODY_FONT = Font(name=FONT, size=11)
HEADER_FONT = Font(name=FONT, size=11, bold=True)
LINE_HEIGHT = 15  # points per wrapped line at 11 pt
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")


def _text(value: str) -> str:
    # XML cannot hold most control characters; openpyxl refuses them rather than dropping them.
    return ILLEGAL_CHARACTERS_RE.sub("", value or "")


def _put(ws, row: int, col: int, value, *, align=WRAP_TOP):
    cell = ws.cell(row=row, column=col, value=_text(value) if isinstance(value, str) else value)
    if isinstance(value, str) and value:
        # Always text: a cell that starts with "=" must not become a formula (or a formula injection).
        cell.data_type = "s"
    cell.border = BORDER
    cell.alignment = align
    cell.font = BODY_FONT
    return cell


def _lines(value, width: float) -> int:
    """How many lines a wrapped cell takes: CJK characters are about two "0" widths wide."""
    usable = max(width - 1.5, 1)
    lines = 0
    for paragraph in str(value if value is not None else "").split("\n"):
        size = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in paragraph)
        lines += max(1, math.ceil(size / usable))
    return lines


def _fit_row(ws, row: int, values: list, widths: list[int]) -> None:
    # Neither Excel nor LibreOffice reliably grows a row for wrapped text in a generated file,
    # so the height is set from the text (Excel's maximum is 409 pt).
    lines = max(_lines(v, w) for v, w in zip(values, widths, strict=True))
    ws.row_dimensions[row].height = min(409, lines * LINE_HEIGHT + 4)


def _header(ws, row: int, names: list[str], widths: list[int]) -> None:
    for col, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        cell = _put(ws, row, col, name, align=CENTER)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    _fit_row(ws, row, names, widths)


def _print_setup(ws, header_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = header_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def _number(value: Decimal) -> int | float:
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def target_text(target) -> str:
    """One target as a line of the 任务分解表, e.g. "省级以上绿色工厂 2025年 ≥3家"."""
    year = f" {target.year}年" if target.year else ""
    return f"{target.metric}{year} {target.display_value}"


def _task_ref(task, per_section: bool) -> int | str:
    """A task's 序号 cell: the bare number (a number cell, as before) in a plan numbered
    throughout, 二（1） where numbering restarts in each part."""
    if not per_section or task.section is None:
        return task.no
    return task_label(task.section.no, task.no, per_section=True)


def plan_export_xlsx(plan: Plan) -> bytes:
    """The plan's 任务分解表 and 量化目标 as an .xlsx file, ready to print or to edit and re-import."""
    tasks = list(plan.tasks.select_related("section").prefetch_related("task_departments", "targets").order_by(*TASK_ORDER))
    targets = list(plan.targets.select_related("task__section", "indicator").order_by("position"))
    per_section = plan.task_numbering == TaskNumbering.SECTION
    task_widths, target_widths = list(TASK_WIDTHS), list(TARGET_WIDTHS)
    if per_section:
        task_widths[0] = target_widths[1] = LABEL_WIDTH
    wb = Workbook()
    wb.properties.creator = "两新工作平台 liangxin"
    wb.properties.title = f"{plan.title} 任务分解表"

    ws = wb.active
    ws.title = TASK_SHEET
    title = plan.title + (f"（{plan.doc_no}）" if plan.doc_no else "")
    _put(ws, 1, 1, f"{title}任务分解表", align=CENTER).font = Font(name=FONT, bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TASK_HEADER))
    ws.row_dimensions[1].height = 30
    _header(ws, 2, TASK_HEADER, task_widths)
    for row, task in enumerate(tasks, start=3):
        links = sorted(task.task_departments.all(), key=lambda link: link.position)
        lead = "、".join(link.written_name for link in links if link.role == TaskRole.LEAD)
        responsible = "、".join(link.written_name for link in links if link.role == TaskRole.RESPONSIBLE)
        goals = "\n".join(target_text(t) for t in sorted(task.targets.all(), key=lambda t: t.position))
        values = [_task_ref(task, per_section), task.title, task.content, lead, responsible, goals, task.deadline]
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value, align=CENTER if col == 1 else WRAP_TOP)
        _fit_row(ws, row, values, task_widths)
    ws.freeze_panes = "A3"
    _print_setup(ws, "1:2")

    ws = wb.create_sheet(TARGET_SHEET)
    _header(ws, 1, TARGET_HEADER, target_widths)
    kind_labels = _kind_labels()
    for row, target in enumerate(targets, start=2):
        values = [
            target.position + 1,
            _task_ref(target.task, per_section) if target.task else None,
            target.metric,
            target.year,
            kind_labels[target.kind],
            target.base_year,
            target.comparator,
            _number(target.value),
            target.unit,
            target.indicator.name if target.indicator else "",
            target.quote,
        ]
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value)
        _fit_row(ws, row, values, target_widths)
    last = max(len(targets) + 1, 200)
    for col, choices in ((5, list(kind_labels.values())), (7, list(Comparator.values))):
        letter = get_column_letter(col)
        validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        validation.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    _print_setup(ws, "1:1")

    meta = wb.create_sheet(META_SHEET)
    for row, (key, value) in enumerate(
        [
            ("template", TEMPLATE),
            ("plan_id", plan.pk),
            ("doc_no", plan.doc_no),
            ("issuer", plan.issuer),
            ("title", plan.title),
            ("exported_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ],
        start=1,
    ):
        meta.cell(row=row, column=1, value=key)
        meta.cell(row=row, column=2, value=_text(value) if isinstance(value, str) else value).data_type = (
            "s" if isinstance(value, str) else "n"
        )
    meta.sheet_state = "hidden"
    wb.active = 0

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- import ----------------------------------------------------------------------------


def _read_bytes(file) -> tuple[bytes, str]:
    if isinstance(file, bytes | bytearray):
        return bytes(file), ""
    if isinstance(file, str | Path):
        path = Path(file)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise _unreadable("文件过大", "the file is too large")
            return path.read_bytes(), path.name
        except OSError as exc:
            raise _unreadable(f"无法打开文件（{exc.strerror or exc}）", f"cannot open the file ({exc})") from None
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _unreadable("文件过大", "the file is too large")
    return data, Path(getattr(file, "name", "") or "").name


def _unreadable(problem: str = "不是有效的 .xlsx 文件或文件已损坏", problem_en: str = "not a valid .xlsx file, or it is damaged") -> ServiceError:
    return ServiceError(
        "sheet_unreadable",
        f"无法读取表格：{problem}。请上传从本平台导出、用 Excel 或 WPS 保存的 .xlsx 文件",
        f"cannot read the workbook: {problem_en}. Upload the .xlsx exported from liangxin (saved as .xlsx)",
        field="file",
    )


def _load(data: bytes):
    if not data.startswith(b"PK"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise _unreadable("这是旧版 .xls 格式，请另存为 .xlsx", "this is an old .xls file; save it as .xlsx")
        raise _unreadable()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
        if "word/document.xml" in names:
            raise _unreadable("这是 Word 文件（.docx），不是 Excel 工作簿", "this is a Word (.docx) file, not a workbook")
        if not any(n.startswith("xl/") for n in names):
            raise _unreadable("文件不是 Excel 工作簿", "the archive is not an Excel workbook")
        return load_workbook(io.BytesIO(data), data_only=True)
    except ServiceError:
        raise
    except Exception:  # noqa: BLE001 - zipfile/openpyxl/xml raise many types for a damaged file
        raise _unreadable() from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _find_header(ws, expected: list[str], optional: set[str]) -> tuple[int, dict[str, int]]:
    """The header row (searched in the first rows) and each expected column's index."""
    best_row, best = 0, {}
    for row_no, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
        found = {}
        for col, value in enumerate(row):
            name = "".join(_cell_text(value).split())
            if name in expected and name not in found:
                found[name] = col
        if len(found) > len(best):
            best_row, best = row_no, found
    missing = [name for name in expected if name not in best and name not in optional]
    if missing:
        raise _wrong_template(
            f"工作表“{ws.title}”缺少列：{'、'.join(missing)}",
            f"sheet {ws.title!r} lacks the column(s) {', '.join(missing)}",
        )
    return best_row, best


def _rows(ws, header_row: int, columns: dict[str, int]):
    """(row number, {column: value}) for each non-blank row below the header."""
    for row_no, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
        values = {name: (row[col] if col < len(row) else None) for name, col in columns.items()}
        if all(_cell_text(v) == "" for v in values.values()):
            continue
        yield row_no, values


def _check_meta(wb, plan: Plan) -> None:
    if META_SHEET not in wb.sheetnames:
        raise _wrong_template("缺少隐藏的 _meta 工作表（模板标识），请使用本平台导出的表格", "the hidden _meta sheet is missing")
    meta = {}
    for row in wb[META_SHEET].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
        if row and row[0]:
            meta[str(row[0]).strip()] = _cell_text(row[1] if len(row) > 1 else None)
    if meta.get("template") != TEMPLATE:
        raise _wrong_template(
            f"模板标识为“{meta.get('template', '')}”", f"the template is {meta.get('template', '')!r}, not {TEMPLATE!r}"
        )
    if meta.get("plan_id") != str(plan.pk) or meta.get("doc_no", "") != plan.doc_no:
        other = meta.get("title") or meta.get("doc_no") or meta.get("plan_id")
        raise _wrong_template(
            f"该表格导出自另一个方案（{other}，{meta.get('doc_no') or '无文号'}），不是“{plan.title}”",
            f"the workbook was exported from another plan (id {meta.get('plan_id')}, {meta.get('doc_no')!r}), not plan {plan.pk}",
        )


def _int(value, place: str, label: str, errors: list[str], *, low: int, high: int) -> int | None:
    text = _cell_text(value)
    if text == "":
        return None
    digits = text.removesuffix("年") if label.endswith("年份") else text
    if isinstance(value, bool) or not re.fullmatch(r"\d+", digits):
        errors.append(f"{place}：{label}“{text}”不是整数")
        return None
    number = int(digits)
    if not low <= number <= high:
        errors.append(f"{place}：{label} {number} 不合理（应在 {low}–{high} 之间）")
        return None
    return number


def _decimal(value, place: str, errors: list[str]) -> Decimal | None:
    text = _cell_text(value)
    if text == "":
        errors.append(f"{place}：目标值不能为空")
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        try:
            number = Decimal(text.replace(",", "").replace("，", "").replace(" ", ""))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        errors.append(f"{place}：目标值“{text}”不是数字")
        return None
    number = number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if abs(number) >= Decimal(10) ** 16:
        errors.append(f"{place}：目标值“{text}”过大")
        return None
    return number


def _parse_task_ref(value, place: str, label: str, errors: list[str], *, per_section: bool) -> tuple[int | None, int, bool] | None:
    """(section, number, whether the part was written) from a 序号 cell: 3, （3） or 二（1）.
    None when the cell is blank or bad (bad adds an error)."""
    text = "".join(_cell_text(value).split())
    if text == "":
        return None
    match = None if isinstance(value, bool) else TASK_REF_RE.fullmatch(text)
    if match is None:
        errors.append(f"{place}：{label}“{text}”" + ("无效（应为 3 或 二（1） 这样的编号）" if per_section else "不是整数"))
        return None
    no = int(match[2])
    section = cn_to_int(match[1]) if match[1] else None
    if not 1 <= no <= 9999 or (match[1] and not 1 <= section <= 99):
        errors.append(f"{place}：{label} {text} 不合理（应在 1–9999 之间）")
        return None
    return section, no, bool(match[1])


def _existing_payload(plan: Plan) -> tuple[dict, dict]:
    """The plan's current state in the extractor's format (the tasks keyed by (section, number))."""
    payload = {
        "title": plan.title,
        "issuer": plan.issuer,
        "doc_no": plan.doc_no,
        "doc_no_quote": (plan.metadata_quotes or {}).get("doc_no", ""),
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "kind": plan.kind,
        "region": plan.region.name,
        "sections": [{"no": s.no, "title": s.title} for s in plan.sections.order_by("no")],
    }
    tasks = {
        (t.section.no if t.section else None, t.no): {"quote": t.quote, "units_quote": t.units_quote}
        for t in plan.tasks.select_related("section")
    }
    return payload, tasks


def _read_tasks(wb, existing: dict, errors: list[str], *, per_section: bool) -> tuple[list[dict], dict[int, int], bool]:
    """The task rows as payload tasks, the payload position → sheet row map, and whether
    every row's 序号 could be read (if not, targets are not checked against the numbers).

    A 序号 with its part (二（1）) names the task outright. A bare number is the plan's only
    task of that number; a number the plan has not (or has in several parts) is a task of the
    part of the row above. The same number twice is refused unless both rows name their part."""
    ws = wb[TASK_SHEET]
    header_row, columns = _find_header(ws, TASK_HEADER, TASK_DERIVED)
    existing_by_no: dict[int, list] = {}
    for key in existing:
        existing_by_no.setdefault(key[1], []).append(key)
    tasks, rows, seen, seen_bare = [], {}, {}, {}
    section, complete = None, True
    for row_no, values in _rows(ws, header_row, {k: v for k, v in columns.items() if k not in TASK_DERIVED}):
        if len(tasks) >= MAX_ROWS:
            errors.append(f"{TASK_SHEET}：超过 {MAX_ROWS} 行")
            break
        place = f"{TASK_SHEET} 第 {row_no} 行"
        row_errors: list[str] = []
        ref = _parse_task_ref(values["序号"], place, "序号", row_errors, per_section=per_section)
        if ref is None and not row_errors:
            row_errors.append(f"{place}：序号不能为空")
        no = key = None
        if ref is not None:
            written_section, no, named = ref
            if named:
                section = written_section
            elif len(existing_by_no.get(no, [])) == 1:
                section = existing_by_no[no][0][0]
            key = (section, no)
            text = task_label(section, no, per_section=True) if named else str(no)
            if key in seen:
                row_errors.append(f"{place}：序号 {text} 与第 {seen[key]} 行重复")
            elif not named and no in seen_bare:
                row_errors.append(f"{place}：序号 {no} 与第 {seen_bare[no]} 行重复")
        title = _cell_text(values["重点任务"])
        if not title:
            row_errors.append(f"{place}：重点任务不能为空")
        elif len(title) > 200:
            row_errors.append(f"{place}：重点任务超过 200 字")
        deadline = _cell_text(values["完成时限"])
        if len(deadline) > 100:
            row_errors.append(f"{place}：完成时限超过 100 字")
        errors.extend(row_errors)
        if key is None:
            complete = False
            continue
        seen.setdefault(key, row_no)
        if not named:
            seen_bare.setdefault(no, row_no)
        old = existing.get(key)
        rows[len(tasks) + 1] = row_no
        tasks.append(
            {
                "no": no,
                "section": section,
                "title": title,
                "content": _cell_text(values["具体内容"]),
                "deadline": deadline,
                "quote": old["quote"] if old else "",
                "units_quote": old["units_quote"] if old else "",
                "lead_units": _cell_text(values["牵头单位"]),
                "responsible_units": _cell_text(values["责任单位"]),
            }
        )
    return tasks, rows, complete


def _read_targets(
    wb, task_keys: set[tuple[int | None, int]] | None, errors: list[str], *, per_section: bool
) -> tuple[list[dict], dict[int, int]]:
    """The target rows as payload targets. 任务序号 names a task as the 序号 column does; a
    bare number must be the number of one task only."""
    ws = wb[TARGET_SHEET]
    header_row, columns = _find_header(ws, TARGET_HEADER, TARGET_DERIVED)
    indicators = {i.name: i.pk for i in Indicator.objects.all()}
    kind_words = _kind_words()
    sections_of_no: dict[int, list[int | None]] = {}
    for section, no in task_keys or ():
        sections_of_no.setdefault(no, []).append(section)
    targets, rows, keys = [], {}, {}
    for row_no, values in _rows(ws, header_row, {k: v for k, v in columns.items() if k not in TARGET_DERIVED}):
        if len(targets) >= MAX_ROWS:
            errors.append(f"{TARGET_SHEET}：超过 {MAX_ROWS} 行")
            break
        place = f"{TARGET_SHEET} 第 {row_no} 行"
        row_errors: list[str] = []
        ref = _parse_task_ref(values["任务序号"], place, "任务序号", row_errors, per_section=per_section)
        task = section = None
        if ref is not None:
            section, task, named = ref
            text = task_label(section, task, per_section=True) if named else str(task)
            parts = sorted(sections_of_no.get(task, []), key=lambda s: (s is not None, s or 0))
            if task_keys is None:
                pass
            elif named and (section, task) not in task_keys or not named and not parts:
                row_errors.append(f"{place}：任务序号 {text} 在“{TASK_SHEET}”中不存在")
            elif not named and len(parts) > 1:
                labels = "、".join(task_label(s, task, per_section=True) for s in parts)
                row_errors.append(f"{place}：任务序号 {task} 不明确（{labels}），请写成“{labels.split('、')[0]}”这样带部分的编号")
            elif not named:
                section = parts[0]
        metric = _cell_text(values["指标表述"])
        if not metric:
            row_errors.append(f"{place}：指标表述不能为空")
        elif len(metric) > 200:
            row_errors.append(f"{place}：指标表述超过 200 字")
        year = _int(values["目标年份"], place, "目标年份", row_errors, low=2000, high=2100)
        base_year = _int(values["基期年份"], place, "基期年份", row_errors, low=2000, high=2100)
        kind_text = "".join(_cell_text(values["类型"]).split())
        kind = kind_words.get(kind_text)
        if kind is None:
            choices = "、".join(_kind_labels().values())
            row_errors.append(f"{place}：类型“{kind_text}”无效（应为{choices}）" if kind_text else f"{place}：类型不能为空")
        comparator_text = "".join(_cell_text(values["比较"]).split())
        comparator = COMPARATOR_WORDS.get(comparator_text)
        if comparator is None:
            row_errors.append(
                f"{place}：比较“{comparator_text}”无效（应为 >=、>、~、<=）" if comparator_text else f"{place}：比较不能为空"
            )
        value = _decimal(values["目标值"], place, row_errors)
        unit = _cell_text(values["单位"])
        if not unit:
            row_errors.append(f"{place}：单位不能为空")
        elif len(unit) > 20:
            row_errors.append(f"{place}：单位超过 20 字")
        if kind == TargetKind.GROWTH and base_year is None and not _cell_text(values["基期年份"]):
            row_errors.append(f"{place}：较基期增长的目标必须填写基期年份")
        if base_year is not None and year is not None and base_year > year:
            row_errors.append(f"{place}：基期年份 {base_year} 晚于目标年份 {year}")
        indicator_name = _cell_text(values["对应指标"])
        indicator = indicators.get(indicator_name) if indicator_name else None
        if indicator_name and indicator is None:
            row_errors.append(f"{place}：对应指标“{indicator_name}”不在指标目录中")
        key = (section, task, metric, year, kind)
        if not row_errors and key in keys:
            row_errors.append(f"{place}：与第 {keys[key]} 行是同一目标（任务序号、指标表述、目标年份、类型都相同）")
        keys.setdefault(key, row_no)
        errors.extend(row_errors)
        rows[len(targets) + 1] = row_no
        targets.append(
            {
                "task": task,
                "section": section,
                "metric": metric,
                "year": year,
                "kind": kind,
                "base_year": base_year,
                "comparator": comparator,
                "value": value,
                "unit": unit,
                "quote": _cell_text(values["原文"]),
                "indicator": indicator,
            }
        )
    return targets, rows


_PAYLOAD_PLACE = re.compile(r"^(任务|目标)第 (\d+) 行")


def _sheet_errors(exc: PlanInvalid, task_rows: dict[int, int], target_rows: dict[int, int]) -> SheetInvalid:
    """PlanInvalid names payload positions ("目标第 3 行"); say which sheet row that is."""
    errors = []
    for message in exc.errors:
        match = _PAYLOAD_PLACE.match(message)
        if match:
            sheet, rows = (TASK_SHEET, task_rows) if match[1] == "任务" else (TARGET_SHEET, target_rows)
            row = rows.get(int(match[2]))
            if row is not None:
                message = f"{sheet} 第 {row} 行" + message[match.end():]
        errors.append(message)
    return SheetInvalid(errors)


def plan_import_xlsx(*, actor, plan: Plan, file, source_name: str | None = None) -> PlanImport:
    """Update `plan` from a workbook made by `plan_export_xlsx` and edited by a user.

    `file` is a path, the bytes, or a file-like object (e.g. an upload). The new plan is the
    plan's current metadata and sections plus the sheets' rows:
    - 任务分解表: 序号 (the task's identity: a new number adds a task, a missing one deletes
      it), 重点任务, 具体内容, 牵头单位 and 责任单位 (names split on 、，,), 完成时限. Its
      量化目标 column is derived from the 量化目标 sheet and ignored on import.
    - 量化目标: one row per target, in row order (目标编号 is only a running number and is
      ignored). 类型 is the Chinese label or the code, 比较 one of >= > ~ <=, 对应指标 a
      catalogue indicator's name; a blank 对应指标 keeps the target's current indicator.

    Raises ServiceError `sheet_unreadable` (not an .xlsx, damaged), `sheet_wrong_template`
    (missing sheets or columns, another plan's workbook) or SheetInvalid listing every bad row;
    nothing is written unless the whole workbook is valid. Returns the PlanImport record.
    """
    data, name = _read_bytes(file)
    wb = _load(data)
    missing = [s for s in (TASK_SHEET, TARGET_SHEET) if s not in wb.sheetnames]
    if missing:
        raise _wrong_template(
            f"缺少工作表“{'”“'.join(missing)}”", f"the sheet(s) {', '.join(missing)} are missing"
        )
    _check_meta(wb, plan)
    source = (source_name or name or f"{TASK_SHEET}.xlsx")[:200]
    with transaction.atomic():
        # The plan's current state is read under the same lock plan_import takes.
        locked = Plan.objects.select_for_update().select_related("region").filter(pk=plan.pk).first()
        if locked is None:
            raise NotFound("plan_not_found", "方案不存在或已被删除", "the plan does not exist")
        payload, existing = _existing_payload(locked)
        errors: list[str] = []
        per_section = locked.task_numbering == TaskNumbering.SECTION
        tasks, task_rows, complete = _read_tasks(wb, existing, errors, per_section=per_section)
        task_keys = {(t["section"], t["no"]) for t in tasks} if complete else None
        targets, target_rows = _read_targets(wb, task_keys, errors, per_section=per_section)
        if errors:
            raise SheetInvalid(errors)
        payload["tasks"], payload["targets"] = tasks, targets
        try:
            plan_payload_clean(payload)
            _plan, record = plan_import(actor=actor, region=locked.region, payload=payload, source_name=source)
        except PlanInvalid as exc:
            raise _sheet_errors(exc, task_rows, target_rows) from None
    return record
