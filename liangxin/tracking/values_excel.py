"""Indicator values (指标数值) in and out of Excel: a template per region (optionally limited
to one department's indicators) and an all-or-nothing import that lists every bad row."""

import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from liangxin.core.errors import ServiceError
from liangxin.plans.models import Indicator, Target
from liangxin.tracking.models import ComputedIndicatorSource, IndicatorValue, PeriodKind, ValueSource
from liangxin.tracking.selectors import computed_conflict_message, computed_value_conflict
from liangxin.tracking.services import indicator_value_record

TEMPLATE = "liangxin-values-v1"
SHEET = "指标数值"
HEADERS = ["指标名称", "计量单位", "期别", "期间", "数值", "说明"]
KIND_LABELS = {
    "年": PeriodKind.YEAR,
    "季度": PeriodKind.QUARTER,
    "月": PeriodKind.MONTH,
    "year": PeriodKind.YEAR,
    "quarter": PeriodKind.QUARTER,
    "month": PeriodKind.MONTH,
}


class ValuesSheetInvalid(ServiceError):
    def __init__(self, errors: list[str]):
        super().__init__(
            "values_sheet_invalid", "表格有误：" + "；".join(errors), f"{len(errors)} bad row(s)"
        )
        self.errors = errors


def indicators_for(region, department=None) -> list[Indicator]:
    """Indicators of the region's targets; for a department, those of the tasks it leads."""
    targets = Target.objects.filter(plan__region=region, indicator__isnull=False)
    if department is not None:
        targets = targets.filter(
            task__task_departments__department=department, task__task_departments__role="lead"
        )
    return list(Indicator.objects.filter(id__in=targets.values("indicator_id")).order_by("name"))


def values_template_xlsx(region, department=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for indicator in indicators_for(region, department):
        sheet.append([indicator.name, indicator.unit, "月", "", None, ""])
    for column, width in zip("ABCDEF", (34, 10, 8, 12, 14, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填表说明")
    for line in (
        "每行一个指标一个期间的数值；同一指标多个期间请复制行。",
        "期别填 年、季度 或 月；期间对应填 2025、2025Q1 或 2025-03。",
        "基期（2023年）数值请按“年”填报，增长类目标需要它。",
        "数值只填数字，不带单位；百分比填 65 表示 65%。",
        "表格中任何一行有误，整个表格都不会导入，并逐行列出错误。",
        "由补贴台账计算的指标数值（来源为“台账计算”）不能导入，填写了的行会被列为错误。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 80
    meta = workbook.create_sheet("_meta")
    meta.append(["template", TEMPLATE])
    meta.append(["region", region.code])
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_PERIOD = {
    PeriodKind.YEAR: re.compile(r"^(\d{4})(?:年)?$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})\s*(?:Q|q|年第?)\s*([1-4])(?:季度)?$"),
    PeriodKind.MONTH: re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:月)?$"),
}


def _period_start(kind: str, raw) -> dt.date | None:
    if isinstance(raw, dt.datetime | dt.date):
        raw = raw.strftime("%Y-%m") if kind == PeriodKind.MONTH else str(raw.year)
    text = str(raw or "").strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    match = _PERIOD[kind].match(text)
    if not match:
        return None
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        return None
    if kind == PeriodKind.YEAR:
        return dt.date(year, 1, 1)
    number = int(match.group(2))
    if kind == PeriodKind.QUARTER:
        return dt.date(year, (number - 1) * 3 + 1, 1)
    return dt.date(year, number, 1) if 1 <= number <= 12 else None


def values_import_xlsx(*, actor, region, file, department=None) -> list[IndicatorValue]:
    """Import every row or none. `department` limits the rows to that department's indicators."""
    try:
        data = file.read() if hasattr(file, "read") else file
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises BadZipFile, KeyError, InvalidFileException, …
        raise ServiceError(
            "sheet_unreadable",
            "无法读取该文件：请上传 .xlsx 格式的表格",
            f"not a readable .xlsx file ({exc.__class__.__name__})",
            field="file",
        ) from None
    if SHEET not in workbook.sheetnames or "_meta" not in workbook.sheetnames:
        raise ServiceError(
            "sheet_wrong_template",
            f"不是指标数值模板：缺少“{SHEET}”工作表，请先下载模板",
            "wrong template: download the values template",
            field="file",
        )
    meta = {row[0]: row[1] for row in workbook["_meta"].iter_rows(values_only=True) if row and row[0]}
    if meta.get("template") != TEMPLATE or str(meta.get("region")) != region.code:
        raise ServiceError(
            "sheet_wrong_template",
            "该表格不是本地区的指标数值模板",
            "the sheet belongs to another template or region",
            field="file",
        )
    rows = list(workbook[SHEET].iter_rows(values_only=True))
    if not rows or [str(c or "").strip() for c in rows[0][: len(HEADERS)]] != HEADERS:
        raise ServiceError(
            "sheet_wrong_template",
            "表头被修改，应为：" + "、".join(HEADERS),
            "the header row was changed",
            field="file",
        )
    allowed = {i.name: i for i in indicators_for(region, department)}
    every = {i.name: i for i in Indicator.objects.all()}
    # Periods the subsidy ledger computes are refused row by row, like any other bad row.
    computed_ids = set(
        ComputedIndicatorSource.objects.filter(region=region).values_list("indicator_id", flat=True)
    )
    errors, parsed, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        name, _unit, kind_raw, period_raw, value_raw, note = (list(row) + [None] * 6)[:6]
        if value_raw in (None, "") and period_raw in (None, ""):
            continue  # template rows left blank
        place = f"第 {number} 行"
        name = str(name or "").strip()
        indicator = allowed.get(name)
        if indicator is None:
            errors.append(
                f"{place}：指标“{name}”" + ("不在本单位负责的指标中" if name in every else "不在指标目录中")
            )
        kind = KIND_LABELS.get(str(kind_raw or "").strip())
        if kind is None:
            errors.append(f"{place}：期别“{kind_raw or ''}”应为 年、季度 或 月")
        start = _period_start(kind, period_raw) if kind else None
        if kind and start is None:
            errors.append(f"{place}：期间“{period_raw or ''}”与期别不符（示例：2025、2025Q1、2025-03）")
        try:
            value = Decimal(str(value_raw).strip().replace(",", ""))
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(f"{place}：数值“{value_raw if value_raw is not None else ''}”不是数字")
            value = None
        if indicator and start and indicator.id in computed_ids:
            computed = computed_value_conflict(region, indicator, kind, start)
            if computed is not None:
                errors.append(f"{place}：{computed_conflict_message(computed)}")
        key = (name, kind, start)
        if indicator and start and key in seen:
            errors.append(f"{place}：与第 {seen[key]} 行重复（同一指标同一期间）")
        seen.setdefault(key, number)
        parsed.append((indicator, kind, start, value, str(note or "").strip()))
    if errors:
        raise ValuesSheetInvalid(errors)
    if not parsed:
        raise ServiceError("sheet_empty", "表格中没有填写任何数值", "no values in the sheet", field="file")
    with transaction.atomic():
        return [
            indicator_value_record(
                actor=actor,
                region=region,
                indicator=indicator,
                period_kind=kind,
                period_start=start,
                value=value,
                source=ValueSource.IMPORTED,
                note=note,
            )
            for indicator, kind, start, value, note in parsed
        ]
