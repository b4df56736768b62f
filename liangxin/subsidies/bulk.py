"""Bulk claim upload: one claim per row of an .xlsx or .csv file.

Every row is checked before anything is submitted (missing fields, ID card, phone, numbers,
category of the programme's rules, documents), and every bad row is reported with its row
number. The uploader chooses: accept the good rows, or refuse the whole file when any row is
bad (nothing is submitted; the submissions run in one transaction, so a row refused by the
service halfway also undoes the rows before it). Rows that are well-formed but refused by the
rules are processed claims with status rejected and their reasons.

A row's Idempotency-Key is the file's digest and the row number: uploading the same file again
finds the claims already made instead of making new ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from liangxin.core.errors import ServiceError
from liangxin.core.privacy import id_card_clean, phone_clean
from liangxin.subsidies.models import Claim, ClaimStatus, Programme
from liangxin.subsidies.review import claim_route
from liangxin.subsidies.rules.schema import RuleSet
from liangxin.subsidies.selectors import current_rules, documents_for

HEADERS = ["申请人姓名", "身份证号", "手机号", "品类", "品牌", "型号", "序列号/IMEI/VIN", "标价", "优惠金额", "成交价",
           "能效等级", "发票号码", "旧品类型", "旧品编号", "材料", "收款账号", "开户行"]
REQUIRED_HEADERS = ["申请人姓名", "身份证号", "手机号", "品类"]
TEXT_COLUMNS = {"身份证号", "手机号", "序列号/IMEI/VIN", "发票号码", "旧品编号", "收款账号"}
HELP = {
    "申请人姓名": "必填", "身份证号": "必填，18 位（单元格为文本格式，以免末位 X 或精度丢失）", "手机号": "必填，11 位手机号",
    "品类": "必填，须为本活动的品类（见下）", "品牌": "选填", "型号": "选填", "序列号/IMEI/VIN": "新品唯一编号，同一编号只能补贴一次",
    "标价": "标价或成交价至少填一项，单位元", "优惠金额": "生产、销售、运营商等各项优惠合计（元）",
    "成交价": "扣除各项优惠后的价格（元）；填写后以此为准", "能效等级": "1–5 的整数，家电类按要求填写",
    "发票号码": "同一发票只能补贴一次", "旧品类型": "交旧时填写", "旧品编号": "交旧时填写，回收证明编号等",
    "收款账号": "补贴拨付至申请人本人账户的活动（如汽车）必填，户名须为申请人", "开户行": "选填，收款账号的开户银行",
    "材料": "已提供的材料，填材料名称或代码，多项用顿号或逗号分隔",
}
MAX_ROWS = 5000
MODES = ("accept_good", "all_or_nothing")


@dataclass
class BadRow:
    row: int
    reasons: list[str]


@dataclass
class BulkResult:
    mode: str
    rows: int = 0
    bad: list[BadRow] = field(default_factory=list)
    claims: list[tuple[int, Claim, bool]] = field(default_factory=list)  # (row, claim, created)
    refused: bool = False

    @property
    def accepted(self) -> list[tuple[int, Claim, bool]]:
        return [c for c in self.claims if c[1].status != ClaimStatus.REJECTED]

    @property
    def rejected(self) -> list[tuple[int, Claim, bool]]:
        return [c for c in self.claims if c[1].status == ClaimStatus.REJECTED]


class _Abort(Exception):
    """Raised inside the all-or-nothing transaction to undo every row already submitted."""


# ------------------------------------------------------------------ template


def bulk_template_xlsx(programme: Programme) -> bytes:
    """The upload template: the header row of 申请 and a 说明 sheet with this programme's categories and documents."""
    version = current_rules(programme)
    rs = _rule_set(version.rules if version else {})
    wb = Workbook()
    ws = wb.active
    ws.title = "申请"
    ws.append(HEADERS)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, name in enumerate(HEADERS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = 22 if name in TEXT_COLUMNS else 14
        if name in TEXT_COLUMNS:
            ws.column_dimensions[letter].number_format = "@"
            for row in range(2, 502):  # text cells: Excel would otherwise round 18-digit ID numbers
                ws.cell(row=row, column=i).number_format = "@"
    ws.freeze_panes = "A2"
    info = wb.create_sheet("说明")
    info.column_dimensions["A"].width = 20
    info.column_dimensions["B"].width = 70
    info.append([programme.name])
    info["A1"].font = Font(bold=True)
    info.append(["每行一笔申请，第 1 行表头请勿修改。"])
    info.append([])
    info.append(["列", "说明"])
    for name in HEADERS:
        info.append([name, HELP[name]])
    info.append([])
    info.append(["本活动品类", "、".join(c.code for c in rs.categories) if rs else ""])
    for code, name in documents_for(rs):
        info.append([f"材料：{name}", f"代码 {code}"])
    for row in info.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ reading


def _rule_set(rules: dict) -> RuleSet | None:
    try:
        return RuleSet.model_validate(rules)
    except Exception:  # noqa: BLE001 - a programme with non-template rules has no categories to check against
        return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_rows(name: str, data: bytes) -> list[tuple[int, dict]]:
    """[(row number, {header: text})] of the non-empty data rows; ServiceError for a file that
    cannot be read or lacks required columns."""
    if name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ServiceError("file_unreadable", "无法读取该 CSV 文件：编码应为 UTF-8 或 GBK", "cannot decode the CSV file", field="file")
        if "\x00" in text:
            raise ServiceError("file_unreadable", "无法读取该文件：不是文本格式的 CSV", "not a text CSV file", field="file")
        try:
            table = list(csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            raise ServiceError("file_unreadable", f"无法读取该 CSV 文件：{exc}", "malformed CSV", field="file") from None
    else:
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook["申请"] if "申请" in workbook.sheetnames else workbook.worksheets[0]
            table = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001 - openpyxl raises BadZipFile, KeyError, InvalidFileException, …
            raise ServiceError("file_unreadable", "无法读取该文件：请上传 .xlsx 格式的表格（可先下载模板）",
                               f"not a readable .xlsx file ({exc.__class__.__name__})", field="file") from None
    if not table:
        raise ServiceError("file_empty", "文件是空的", "the file is empty", field="file")
    header = [_text(h) for h in table[0]]
    missing = [h for h in REQUIRED_HEADERS if h not in header]
    if missing or ("标价" not in header and "成交价" not in header):
        missing += [] if ("标价" in header or "成交价" in header) else ["标价或成交价"]
        raise ServiceError("file_headers", "表头缺少：" + "、".join(missing) + "。请使用下载的模板",
                           "required columns are missing", field="file")
    index = {h: i for i, h in enumerate(header) if h in HEADERS}
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        cells = {h: _text(raw[i]) if i < len(raw) else "" for h, i in index.items()}
        if not any(cells.values()):
            continue
        rows.append((number, cells))
    if len(rows) > MAX_ROWS:
        raise ServiceError("file_too_long", f"一个文件最多 {MAX_ROWS} 行，请分批上传", "too many rows", field="file")
    return rows


# ------------------------------------------------------------------ validation


def _money(text: str, label: str, errors: list[str]) -> Decimal | None:
    cleaned = text.replace(",", "").replace("，", "").replace("元", "").replace("¥", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        errors.append(f"{label}“{text}”不是数字")
        return None
    if not value.is_finite() or value < 0:
        errors.append(f"{label}“{text}”应为不小于 0 的数字")
        return None
    return value.quantize(Decimal("0.01"))


def row_payload(cells: dict, rs: RuleSet | None) -> tuple[dict | None, list[str]]:
    """The claim payload of one row, or the reasons it is not well-formed."""
    errors: list[str] = []
    name = cells.get("申请人姓名", "")
    if not name:
        errors.append("缺少申请人姓名")
    id_card = cells.get("身份证号", "")
    if not id_card:
        errors.append("缺少身份证号")
    else:
        try:
            id_card = id_card_clean(id_card)
        except ServiceError as exc:
            errors.append(exc.message)
    phone = cells.get("手机号", "")
    if not phone:
        errors.append("缺少手机号")
    else:
        try:
            phone = phone_clean(phone)
        except ServiceError as exc:
            errors.append(exc.message)
    category = cells.get("品类", "")
    if not category:
        errors.append("缺少品类")
    elif rs is not None and rs.category(category) is None:
        errors.append(f"品类“{category}”不在本活动规则中（可选：{'、'.join(c.code for c in rs.categories)}）")
    price = _money(cells.get("标价", ""), "标价", errors)
    discount = _money(cells.get("优惠金额", ""), "优惠金额", errors)
    final = _money(cells.get("成交价", ""), "成交价", errors)
    if price is None and final is None and not any("价" in e for e in errors):
        errors.append("缺少标价或成交价")
    if price is not None and discount is not None and discount > price:
        errors.append("优惠金额大于标价")
    grade = cells.get("能效等级", "")
    grade_value = None
    if grade:
        if grade.isdigit() and 1 <= int(grade) <= 5:
            grade_value = int(grade)
        else:
            errors.append(f"能效等级“{grade}”应为 1–5 的整数")
    documents = []
    known = {code: code for code, _ in documents_for(rs)} | {n: code for code, n in documents_for(rs)}
    for item in (p.strip() for p in re.split(r"[,，、;；\n]+", cells.get("材料", ""))):
        if not item:
            continue
        if rs is not None and item not in known:
            errors.append(f"材料“{item}”不是本活动要求的材料（可填：{'、'.join(n for _, n in documents_for(rs)) or '无'}）")
        else:
            documents.append(known.get(item, item))
    if errors:
        return None, errors
    new_item = {"category": category, "identifier": cells.get("序列号/IMEI/VIN", ""), "invoice": cells.get("发票号码", "")}
    for header, key in (("品牌", "brand"), ("型号", "model")):
        if cells.get(header):
            new_item[key] = cells[header]
    if price is not None:
        new_item["price"] = str(price)
        new_item["discounts"] = [str(discount)] if discount else []
    if final is not None:
        new_item["price_after_discounts"] = str(final)
    if grade_value is not None:
        new_item["efficiency_grade"] = grade_value
    payload = {"claimant": {"name": name, "id_card": id_card, "phone": phone}, "new_item": new_item,
               "documents": sorted(set(documents))}
    if cells.get("收款账号"):
        payload["payee"] = {"name": name, "account": cells["收款账号"], "bank": cells.get("开户行", "")}
    if cells.get("旧品类型") or cells.get("旧品编号"):
        payload["old_item"] = {"kind": cells.get("旧品类型", ""), "identifier": cells.get("旧品编号", "")}
    return payload, []


# ------------------------------------------------------------------ submitting


def _message(exc: Exception) -> str:
    if isinstance(exc, ServiceError):
        return exc.message
    return f"申请内容无法按规则读取：{str(exc).splitlines()[0]}"


def bulk_submit(*, actor, programme: Programme, name: str, data: bytes, mode: str) -> BulkResult:
    """Validate every row, then submit: the good rows (`accept_good`) or, when no row is bad,
    all of them in one transaction (`all_or_nothing`)."""
    from liangxin.subsidies.decision import decide, usage_for
    from liangxin.subsidies.services import claim_submit

    if mode not in MODES:
        raise ServiceError("bulk_mode", "请选择有问题的行如何处理", "unknown mode", field="mode")
    version = current_rules(programme)
    rs = _rule_set(version.rules if version else {})
    rows = read_rows(name, data)
    if not rows:
        raise ServiceError("file_empty", "文件中没有申请行", "no data rows", field="file")
    result = BulkResult(mode=mode, rows=len(rows))
    good = []
    for number, cells in rows:
        payload, errors = row_payload(cells, rs)
        if errors:
            result.bad.append(BadRow(number, errors))
        else:
            good.append((number, payload))
    if mode == "all_or_nothing" and result.bad:
        result.refused = True
        return result
    digest = hashlib.sha256(data).hexdigest()[:32]

    def submit(number, payload):
        claim, created = claim_submit(actor=actor, programme=programme, payload=payload, idempotency_key=f"bulk:{digest}:{number}",
                                      decide=decide, usage_for=usage_for)
        if created:
            claim = claim_route(claim=claim)
        result.claims.append((number, claim, created))

    if mode == "all_or_nothing":
        try:
            with transaction.atomic():
                for number, payload in good:
                    try:
                        submit(number, payload)
                    except (ServiceError, ValueError) as exc:
                        result.bad.append(BadRow(number, [_message(exc)]))
                        raise _Abort from exc
        except _Abort:
            result.claims = []
            result.refused = True
        return result
    for number, payload in good:
        try:
            submit(number, payload)
        except (ServiceError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            result.bad.append(BadRow(number, [_message(exc)]))
    result.bad.sort(key=lambda b: b.row)
    return result
