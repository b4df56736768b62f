"""Disbursement (拨付): approved claims → payment batch and file for the bank → the bank's
result file closes each line as paid or failed; failed claims return to the queue for the next
batch. Money moves committed → paid in the fund ledger when, and only when, the bank says paid."""

import csv
import hashlib
import io
import secrets
from collections import defaultdict
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
    PayeeKind,
    PaymentBatch,
    PaymentItem,
    PaymentStatus,
    PaymentTransfer,
    Programme,
)

PAYMENT_HEADERS = ["批次号", "明细号", "收款人", "收款账号", "开户行", "金额", "申请笔数", "附言"]
DETAIL_HEADERS = ["批次号", "明细号", "申请编号", "品类", "补贴金额"]
RESULT_HEADERS = ["批次号", "明细号", "金额", "结果", "失败原因", "银行流水号"]
CENT = Decimal("0.01")


class BankFileInvalid(ServiceError):
    def __init__(self, errors: list[str]):
        super().__init__("bank_file_invalid", "回盘文件有误，未做任何处理：" + "；".join(errors), f"{len(errors)} bad row(s); nothing changed")
        self.errors = errors


def payee_of(claim: Claim) -> tuple[str, str, str]:
    """Who receives the money (收款方): the claimant's own account when the programme pays
    claimants (cars), else the seller that already gave the discount at the till."""
    if claim.programme.payee_kind == PayeeKind.CLAIMANT:
        payee = claim.facts.get("payee") or {}
        if payee.get("account"):
            return payee.get("name") or claim.claimant_name, str(payee["account"]), payee.get("bank", "")
        raise ServiceError("payee_missing", f"申请 {claim.number} 未填写申请人收款账户",
                           f"claim {claim.number} has no claimant bank account", field="payee.account")
    organisation = claim.organisation
    if organisation is not None and organisation.bank_account:
        return organisation.name, organisation.bank_account, organisation.bank_name
    who = organisation.name if organisation is not None else "（无销售企业）"
    raise ServiceError("payee_missing", f"申请 {claim.number} 的销售企业“{who}”没有结算账号",
                       f"claim {claim.number}: the seller has no settlement account", field="bank_account")


def _checksum(batch_number: str, lines: list[tuple]) -> str:
    digest = hashlib.sha256(batch_number.encode())
    for line in lines:
        digest.update(("|".join(str(x) for x in line) + "\n").encode())
    return digest.hexdigest()


def _transfer_lines(transfers) -> list[tuple]:
    """What the checksum covers: each transfer as the bank sees it."""
    return [(t.line, t.payee_name, t.payee_account, f"{t.amount:.2f}", t.claim_count) for t in transfers]


def _memo(batch_number: str, line: int, count: int) -> str:
    return f"以旧换新补贴 {batch_number}-{line} 共{count}笔"


@transaction.atomic
def batch_create(*, actor, programme: Programme) -> PaymentBatch:
    """Put every approved, unpaid claim of the programme into a new batch, one transfer per
    payee: a seller who gave 300 instant discounts gets one transfer of their sum."""
    claims = list(
        Claim.objects.select_for_update(of=("self",)).filter(programme=programme, status=ClaimStatus.APPROVED)
        .select_related("organisation", "programme").defer("decision").order_by("id")
    )
    if not claims:
        raise ServiceError("batch_empty", "没有待拨付的已核定申请", "no approved claims to pay")
    groups: dict[tuple[str, str], dict] = {}
    problems = []
    for claim in claims:
        try:
            name, account, bank = payee_of(claim)
        except ServiceError as exc:
            problems.append(exc.message)
            continue
        group = groups.setdefault((account, name), {"bank": bank, "claims": []})
        group["claims"].append(claim)
    if problems:
        # A batch that silently skips claims would leave them unpaid with nobody told.
        raise ServiceError("payee_missing", "以下申请无法拨付，请先补全收款账户：" + "；".join(problems[:20])
                           + (f" 等 {len(problems)} 笔" if len(problems) > 20 else ""),
                           f"{len(problems)} claim(s) have no payee account")
    number = f"PB{timezone.localdate():%Y%m%d}{secrets.randbelow(10**6):06d}"
    total = sum((c.amount for c in claims), Decimal("0"))
    batch = PaymentBatch.objects.create(programme=programme, number=number, total=total, item_count=len(claims),
                                        transfer_count=len(groups), checksum="", created_by_label=str(actor))
    transfers, claim_line = [], 0
    # Largest payees first: the file reads like the bank's own payment lists.
    ordered = sorted(groups.items(), key=lambda kv: (-sum(c.amount for c in kv[1]["claims"]), kv[0]))
    for line, ((account, name), group) in enumerate(ordered, start=1):
        members = group["claims"]
        transfer = PaymentTransfer.objects.create(
            batch=batch, line=line, payee_name=name, payee_account=account, payee_bank=group["bank"],
            amount=sum((c.amount for c in members), Decimal("0")), claim_count=len(members),
        )
        transfers.append(transfer)
        items = []
        for claim in members:
            claim_line += 1
            items.append(PaymentItem(batch=batch, transfer=transfer, line=claim_line, claim=claim, payee_name=name,
                                     payee_account=account, payee_bank=group["bank"], amount=claim.amount))
        PaymentItem.objects.bulk_create(items)
    batch.checksum = _checksum(number, _transfer_lines(transfers))
    batch.save(update_fields=["checksum"])
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(status=ClaimStatus.IN_PAYMENT)
    audit_record(actor=actor, action="batch.create", instance=batch, region=programme.region,
                 after={"number": number, "total": total, "claims": len(claims), "transfers": len(transfers),
                        "checksum": batch.checksum})
    return batch


def payment_file(batch: PaymentBatch, fmt: str = "xlsx") -> bytes:
    """The file for the bank: one line per transfer, then the total and the batch checksum. The
    .xlsx also lists each transfer's claims on a second sheet, for the payee's reconciliation."""
    transfers = list(batch.transfers.order_by("line"))
    lines = [[batch.number, t.line, t.payee_name, t.payee_account, t.payee_bank, f"{t.amount:.2f}", t.claim_count,
              _memo(batch.number, t.line, t.claim_count)] for t in transfers]
    footer = [["合计", "", f"{len(transfers)} 笔", "", "", f"{batch.total:.2f}", batch.item_count, ""], ["校验码", batch.checksum]]
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
    detail = workbook.create_sheet("申请明细")
    detail.append(DETAIL_HEADERS)
    for item in (batch.items.select_related("transfer", "claim").only("line", "amount", "transfer__line", "claim__number", "claim__category")
                 .order_by("transfer__line", "line")):
        detail.append([batch.number, str(item.transfer.line), item.claim.number, item.claim.category, f"{item.amount:.2f}"])
    for column, width in zip("ABCDEFGH", (20, 8, 28, 24, 24, 14, 10, 36), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def payment_file_read(data: bytes, fmt: str) -> dict:
    """Read a payment file back (for the round trip and for checking a file before sending):
    the checksum over the transfers, and in an .xlsx that each transfer's claims add up to it."""
    rows = _rows(data, fmt)
    items = [r for r in rows[1:] if r and r[0] not in ("合计", "校验码")]
    checksum = next((r[1] for r in rows if r and r[0] == "校验码"), "")
    batch_number = items[0][0] if items else ""
    recomputed = _checksum(batch_number, [(int(r[1]), r[2], r[3], r[5], int(r[6])) for r in items])
    out = {"batch": batch_number, "items": items, "checksum": checksum, "checksum_ok": recomputed == checksum}
    if fmt != "csv":
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        if "申请明细" in workbook.sheetnames:
            sums: dict[str, Decimal] = {}
            claims = 0
            for row in list(workbook["申请明细"].iter_rows(values_only=True))[1:]:
                if row and row[0]:
                    sums[str(row[1])] = sums.get(str(row[1]), Decimal("0")) + Decimal(str(row[4]))
                    claims += 1
            out["claims"] = claims
            out["details_ok"] = all(sums.get(str(r[1])) == Decimal(r[5]) for r in items) and len(sums) == len(items)
    return out


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
    transfers = {t.line: t for t in batch.transfers.select_for_update(of=("self",))}
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
            transfer = transfers[line]
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
        if amount != transfer.amount:
            errors.append(f"{place}：金额“{row[2]}”与付款文件的 {transfer.amount:.2f} 不符")
        outcome = {"成功": "paid", "失败": "failed"}.get(row[3])
        if outcome is None:
            errors.append(f"{place}：结果应为“成功”或“失败”，实为“{row[3]}”")
        elif outcome == "failed" and not row[4]:
            errors.append(f"{place}：失败的明细须写明失败原因")
        elif outcome == "paid" and not row[5]:
            errors.append(f"{place}：成功的明细须有银行流水号")
        results.append((transfer, outcome, row[4], row[5]))
    missing = sorted(set(transfers) - seen)
    if missing:
        errors.append("缺少明细号 " + "、".join(str(n) for n in missing) + " 的结果")
    if errors:
        raise BankFileInvalid(errors)
    now = timezone.now()
    paid = failed = paid_claims = failed_claims = 0
    # One read of every claim line (without the claims' JSON), one update per outcome and one
    # per pool: a batch of thousands of claims must not hold the pool's row lock for long.
    lines: dict[int, list[PaymentItem]] = defaultdict(list)
    for item in (PaymentItem.objects.filter(batch=batch).select_for_update(of=("self",))
                 .select_related("claim__pool__programme").defer("claim__facts", "claim__decision")):
        lines[item.transfer_id].append(item)
    paid_ids, failed_ids, pool_paid = [], [], defaultdict(lambda: Decimal("0"))
    for transfer, outcome, reason, reference in results:
        transfer.status, transfer.failure_reason, transfer.bank_reference = outcome, reason[:200], reference[:64]
        transfer.save(update_fields=["status", "failure_reason", "bank_reference"])
        items = lines[transfer.pk]
        PaymentItem.objects.filter(transfer=transfer).update(status=outcome, failure_reason=reason[:200], bank_reference=reference[:64])
        if outcome == "failed":
            failed, failed_claims = failed + 1, failed_claims + len(items)
            failed_ids.extend(item.claim_id for item in items)
            continue
        paid, paid_claims = paid + 1, paid_claims + len(items)
        for item in items:
            claim = item.claim
            paid_ids.append(claim.pk)
            pool_paid[claim.pool_id] += claim.amount
            ledger_post(actor_label=str(actor), kind="claim.pay", pool=claim.pool, claim=claim,
                        memo=f"申请 {claim.number} 拨付 {claim.amount} 元（{batch.number} #{transfer.line}）",
                        moves=[(LedgerAccount.COMMITTED, LedgerAccount.PAID, claim.amount)])
    Claim.objects.filter(pk__in=paid_ids).update(status=ClaimStatus.PAID, paid_at=now)
    Claim.objects.filter(pk__in=failed_ids).update(status=ClaimStatus.APPROVED)  # back in the queue for the next batch
    for pool_id, amount in pool_paid.items():
        BudgetPool.objects.filter(pk=pool_id).update(reserved=F("reserved") - amount, paid=F("paid") + amount)
    batch.status, batch.closed_at = PaymentBatch.Status.CLOSED, now
    batch.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, action="batch.close", instance=batch, region=batch.programme.region,
                 after={"paid": paid, "failed": failed, "paid_claims": paid_claims, "failed_claims": failed_claims})
    _indicators_refresh(programme=batch.programme, days=[now], actor=actor)
    return {"paid": paid, "failed": failed, "paid_claims": paid_claims, "failed_claims": failed_claims}


def _indicators_refresh(**kwargs) -> None:
    # Imported here: tracking reads the subsidy models, so a module-level import would be circular.
    from liangxin.tracking.computed import indicator_values_refresh_on_commit

    indicator_values_refresh_on_commit(**kwargs)


def reconciliation(programme: Programme, batch: PaymentBatch | None = None) -> list[dict]:
    """Each batch three ways (对账): what the bank confirmed per transfer, what the claim lines
    inside those transfers add up to, and the ledger's payments for those claims. Three grouped
    queries, however many batches the programme has."""
    from django.db.models import Sum

    from liangxin.subsidies.models import LedgerEntry

    batches = [batch] if batch is not None else list(programme.batches.order_by("created_at"))
    ids = [b.pk for b in batches]

    def sums(rows, key: str) -> dict:
        return {tuple(r[k] for k in key.split(",")): Decimal(r["total"] or 0).quantize(CENT) for r in rows}

    transfers = sums(PaymentTransfer.objects.filter(batch_id__in=ids).values("batch_id", "status").annotate(total=Sum("amount")),
                     "batch_id,status")
    claims_paid = sums(PaymentItem.objects.filter(batch_id__in=ids, status=PaymentStatus.PAID).values("batch_id")
                       .annotate(total=Sum("amount")), "batch_id")
    # A claim has at most one paid line (a database constraint), so this join counts each entry once.
    ledger_paid = sums(LedgerEntry.objects.filter(
        transaction__kind="claim.pay", account=LedgerAccount.PAID, transaction__claim__payments__status=PaymentStatus.PAID,
        transaction__claim__payments__batch_id__in=ids,
    ).values("transaction__claim__payments__batch_id").annotate(total=Sum("amount")), "transaction__claim__payments__batch_id")
    zero = Decimal("0.00")
    out = []
    for one in batches:
        bank_paid = transfers.get((one.pk, PaymentStatus.PAID), zero)
        failed = transfers.get((one.pk, PaymentStatus.FAILED), zero)
        paid, ledger = claims_paid.get((one.pk,), zero), ledger_paid.get((one.pk,), zero)
        closed = one.status == PaymentBatch.Status.CLOSED
        out.append({"batch": one.number, "total": one.total, "transfers": one.transfer_count, "claims": one.item_count,
                    "bank_paid": bank_paid, "failed": failed, "paid": paid, "ledger_paid": ledger, "closed": closed,
                    "matches": bank_paid == paid == ledger and (not closed or bank_paid + failed == one.total)})
    return out
