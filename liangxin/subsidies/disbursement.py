"""Disbursement (拨付): approved claims → payment batch and file for the bank → the bank's
result file closes each line as paid or failed; failed claims return to the queue for the next
batch. Money moves committed → paid in the fund ledger when, and only when, the bank says paid."""

import csv
import hashlib
import io
import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from liangxin.audit.services import audit_record
from liangxin.core.errors import ServiceError
from liangxin.subsidies.ledger import ledger_post
from liangxin.subsidies.models import (
    BudgetPool,
    Claim,
    ClaimStatus,
    LedgerAccount,
    PaymentBatch,
    PaymentItem,
    Programme,
)

PAYMENT_HEADERS = ["批次号", "明细号", "申请编号", "收款人", "收款账号", "开户行", "金额"]
RESULT_HEADERS = ["批次号", "明细号", "金额", "结果", "失败原因", "银行流水号"]


class BankFileInvalid(ServiceError):
    def __init__(self, errors: list[str]):
        super().__init__("bank_file_invalid", "回盘文件有误，未做任何处理：" + "；".join(errors), f"{len(errors)} bad row(s); nothing changed")
        self.errors = errors


def payee_of(claim: Claim) -> tuple[str, str, str]:
    """Who receives the money: the account given with the claim (cars: the consumer), else the
    seller that already gave the discount at the till."""
    payee = claim.facts.get("payee") or {}
    if payee.get("account"):
        return payee.get("name") or claim.claimant_name, str(payee["account"]), payee.get("bank", "")
    organisation = claim.organisation
    if organisation is not None and organisation.bank_account:
        return organisation.name, organisation.bank_account, organisation.bank_name
    raise ServiceError("payee_missing", f"申请 {claim.number} 没有收款账户", f"claim {claim.number} has no payee account")


def _checksum(batch_number: str, lines: list[tuple]) -> str:
    digest = hashlib.sha256(batch_number.encode())
    for line in lines:
        digest.update(("|".join(str(x) for x in line) + "\n").encode())
    return digest.hexdigest()


@transaction.atomic
def batch_create(*, actor, programme: Programme) -> PaymentBatch:
    """Put every approved, unpaid claim of the programme into a new batch."""
    claims = list(
        Claim.objects.select_for_update(of=("self",)).filter(programme=programme, status=ClaimStatus.APPROVED)
        .select_related("organisation").order_by("id")
    )
    if not claims:
        raise ServiceError("batch_empty", "没有待拨付的已核定申请", "no approved claims to pay")
    number = f"PB{timezone.localdate():%Y%m%d}{secrets.randbelow(10**6):06d}"
    rows = []
    for line, claim in enumerate(claims, start=1):
        name, account, bank = payee_of(claim)
        rows.append((line, claim, name, account, bank))
    total = sum((c.amount for _l, c, *_ in rows), Decimal("0"))
    checksum = _checksum(number, [(line, c.number, name, account, f"{c.amount:.2f}") for line, c, name, account, _b in rows])
    batch = PaymentBatch.objects.create(programme=programme, number=number, total=total, item_count=len(rows),
                                        checksum=checksum, created_by_label=str(actor))
    PaymentItem.objects.bulk_create(
        PaymentItem(batch=batch, line=line, claim=claim, payee_name=name, payee_account=account, payee_bank=bank, amount=claim.amount)
        for line, claim, name, account, bank in rows
    )
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(status=ClaimStatus.IN_PAYMENT)
    audit_record(actor=actor, action="batch.create", instance=batch, region=programme.region,
                 after={"number": number, "total": total, "items": len(rows), "checksum": checksum})
    return batch


def payment_file(batch: PaymentBatch, fmt: str = "xlsx") -> bytes:
    """The file for the bank: one line per payment, then the total and the batch checksum."""
    items = list(batch.items.select_related("claim").order_by("line"))
    lines = [[batch.number, i.line, i.claim.number, i.payee_name, i.payee_account, i.payee_bank, f"{i.amount:.2f}"] for i in items]
    footer = [["合计", "", "", "", "", f"{len(items)} 笔", f"{batch.total:.2f}"], ["校验码", batch.checksum]]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(PAYMENT_HEADERS)
        writer.writerows(lines + footer)
        return buffer.getvalue().encode("utf-8-sig")  # BOM: Excel opens UTF-8 Chinese correctly
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "付款明细"
    sheet.append(PAYMENT_HEADERS)
    for row in lines + footer:
        # Account numbers as text: Excel would turn 19 digits into 6.2E+18.
        sheet.append([str(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def payment_file_read(data: bytes, fmt: str) -> dict:
    """Read a payment file back (for the round trip and for checking a file before sending)."""
    rows = _rows(data, fmt)
    items = [r for r in rows[1:] if r and r[0] not in ("合计", "校验码")]
    checksum = next((r[1] for r in rows if r and r[0] == "校验码"), "")
    batch_number = items[0][0] if items else ""
    recomputed = _checksum(batch_number, [(int(r[1]), r[2], r[3], r[4], r[6]) for r in items])
    return {"batch": batch_number, "items": items, "checksum": checksum, "checksum_ok": recomputed == checksum}


def _rows(data: bytes, fmt: str) -> list[list[str]]:
    try:
        if fmt == "csv":
            return [[c.strip() for c in row] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return [["" if c is None else str(c).strip() for c in row] for row in workbook.active.iter_rows(values_only=True)]
    except Exception:  # noqa: BLE001 - csv/zip/openpyxl raise many kinds; all mean "unreadable"
        raise ServiceError("bank_file_unreadable", "无法读取文件，请上传银行回盘的 .xlsx 或 .csv 文件",
                           "unreadable file: upload the bank's .xlsx or .csv result") from None


@transaction.atomic
def bank_result_import(*, actor, batch: PaymentBatch, data: bytes, fmt: str) -> dict:
    """Close a batch from the bank's result file. Every row is checked first; one bad row and
    nothing changes, with each bad row named."""
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == PaymentBatch.Status.CLOSED:
        raise ServiceError("batch_closed", f"批次 {batch.number} 已回盘", "batch already closed")
    rows = _rows(data, fmt)
    if not rows or [c for c in rows[0][: len(RESULT_HEADERS)]] != RESULT_HEADERS:
        raise ServiceError("bank_file_template", "回盘文件表头应为：" + "、".join(RESULT_HEADERS), "unexpected header row")
    items = {i.line: i for i in batch.items.select_for_update(of=("self",)).select_related("claim__pool")}
    errors, results, seen = [], [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        row = (row + [""] * 6)[:6]
        place = f"第 {number} 行"
        if row[0] != batch.number:
            errors.append(f"{place}：批次号“{row[0]}”不是 {batch.number}")
            continue
        try:
            line = int(row[1])
            item = items[line]
        except (ValueError, KeyError):
            errors.append(f"{place}：明细号“{row[1]}”不在本批次中")
            continue
        if line in seen:
            errors.append(f"{place}：明细号 {line} 重复")
        seen.add(line)
        try:
            amount = Decimal(row[2])
        except InvalidOperation:
            amount = None
        if amount != item.amount:
            errors.append(f"{place}：金额“{row[2]}”与付款文件的 {item.amount:.2f} 不符")
        outcome = {"成功": "paid", "失败": "failed"}.get(row[3])
        if outcome is None:
            errors.append(f"{place}：结果应为“成功”或“失败”，实为“{row[3]}”")
        elif outcome == "failed" and not row[4]:
            errors.append(f"{place}：失败的明细须写明失败原因")
        results.append((item, outcome, row[4], row[5]))
    missing = sorted(set(items) - seen)
    if missing:
        errors.append("缺少明细号 " + "、".join(str(n) for n in missing) + " 的结果")
    if errors:
        raise BankFileInvalid(errors)
    paid = failed = 0
    for item, outcome, reason, reference in results:
        claim = item.claim
        item.status, item.failure_reason, item.bank_reference = outcome, reason[:200], reference[:64]
        item.save(update_fields=["status", "failure_reason", "bank_reference"])
        if outcome == "paid":
            paid += 1
            claim.status = ClaimStatus.PAID
            BudgetPool.objects.filter(pk=claim.pool_id).update(reserved=F("reserved") - claim.amount, paid=F("paid") + claim.amount)
            ledger_post(actor_label=str(actor), kind="claim.pay", pool=claim.pool, claim=claim,
                        memo=f"申请 {claim.number} 拨付 {claim.amount} 元（{batch.number} #{item.line}）",
                        moves=[(LedgerAccount.COMMITTED, LedgerAccount.PAID, claim.amount)])
        else:
            failed += 1
            claim.status = ClaimStatus.APPROVED  # back in the queue for the next batch
        claim.save(update_fields=["status"])
    batch.status, batch.closed_at = PaymentBatch.Status.CLOSED, timezone.now()
    batch.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, action="batch.close", instance=batch, region=batch.programme.region,
                 after={"paid": paid, "failed": failed})
    return {"paid": paid, "failed": failed}


def reconciliation(programme: Programme) -> list[dict]:
    """Each batch's total against the ledger's payments for its lines."""
    from django.db.models import Sum

    from liangxin.subsidies.models import LedgerEntry

    out = []
    for batch in programme.batches.order_by("created_at"):
        paid_items = batch.items.filter(status=PaymentItem.Status.PAID)
        paid_total = paid_items.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        ledger_total = LedgerEntry.objects.filter(
            transaction__kind="claim.pay", transaction__claim__payments__in=paid_items, account=LedgerAccount.PAID
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        paid_total, ledger_total = Decimal(paid_total).quantize(Decimal("0.01")), Decimal(ledger_total).quantize(Decimal("0.01"))
        out.append({"batch": batch.number, "total": batch.total, "paid": paid_total, "ledger_paid": ledger_total,
                    "matches": paid_total == ledger_total})
    return out
