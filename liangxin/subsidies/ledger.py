"""The fund ledger (资金台账): append-only double entry. Every movement of money posts one
transaction whose entries sum to zero; balances are sums of entries, never edited. Pool columns
(reserved, paid) are a denormalised copy that `ledger_verify` checks against the ledger."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, Sum

from liangxin.core.errors import ServiceError
from liangxin.subsidies.models import (
    BudgetPool,
    Claim,
    ClaimStatus,
    FundingSource,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)

CENT = Decimal("0.01")


def _split_by_source(pool: BudgetPool, amount: Decimal) -> list[tuple[str, Decimal]]:
    """A mixed pool's money split by the programme's funding shares, fen exact: rounding
    leftovers go to the last source so the parts always add up to the whole."""
    if pool.source != FundingSource.MIXED:
        return [(pool.source, amount)]
    shares = [(k, Decimal(str(v))) for k, v in (pool.programme.funding_shares or {}).items() if Decimal(str(v)) > 0]
    if not shares:
        return [(FundingSource.MIXED, amount)]
    parts, given = [], Decimal("0")
    for index, (source, share) in enumerate(shares):
        part = amount - given if index == len(shares) - 1 else (amount * share / 100).quantize(CENT)
        parts.append((source if source in FundingSource.values else FundingSource.MIXED, part))
        given += part
    return parts


def ledger_post(*, actor_label: str, kind: str, pool: BudgetPool, memo: str, moves: list[tuple[str, str, Decimal]],
                claim: Claim | None = None) -> LedgerTransaction:
    """Post (account_from, account_to, amount) moves, each split by funding source. Must run in
    the caller's transaction, with the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_post must run inside the service's transaction")
    entries = []
    for credit, debit, amount in moves:
        if amount <= 0:
            raise ServiceError("ledger_amount", "台账金额必须为正数", "ledger amounts must be positive")
        for source, part in _split_by_source(pool, amount):
            entries.append((debit, source, part))
            entries.append((credit, source, -part))
    if sum((a for _acc, _src, a in entries), Decimal("0")) != 0:
        raise ServiceError("ledger_unbalanced", "台账凭证借贷不平", "ledger transaction does not balance")
    transaction_row = LedgerTransaction(kind=kind, pool=pool, claim=claim, memo=memo[:200], actor_label=actor_label[:150])
    rows = [LedgerEntry(pool=pool, account=account, source=source, amount=amount) for account, source, amount in entries]
    transaction_row.seal = _seal(transaction_row, rows)
    transaction_row.save(force_insert=True)
    for row in rows:
        row.transaction = transaction_row
    LedgerEntry.objects.bulk_create(rows)
    return transaction_row


def _seal(transaction_row: LedgerTransaction, entries) -> str:
    """HMAC over what a transaction says (not its id or time, known only after insert)."""
    import hashlib
    import hmac
    import json

    from django.conf import settings

    lines = sorted(f"{e.pool_id}|{e.account}|{e.source}|{Decimal(e.amount).quantize(CENT)}" for e in entries)
    message = json.dumps([transaction_row.kind, transaction_row.pool_id, transaction_row.claim_id, transaction_row.memo,
                          transaction_row.actor_label, lines], ensure_ascii=False)
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def pool_balances(pool: BudgetPool) -> dict[str, Decimal]:
    rows = LedgerEntry.objects.filter(pool=pool).values("account").annotate(total=Sum("amount"))
    balances = defaultdict(lambda: Decimal("0"))
    for row in rows:
        # SQLite sums decimals as floating point (0.1 + 0.2 = 0.30000000000000004): round back to fen.
        balances[row["account"]] = Decimal(row["total"]).quantize(CENT)
    return balances


@dataclass
class LedgerReport:
    transactions: int = 0
    pools: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_verify() -> LedgerReport:
    """The books balance, no pool is below zero, pool columns equal the ledger, and every
    accepted claim has exactly one reservation."""
    report = LedgerReport()
    sums = LedgerEntry.objects.values("transaction_id").annotate(total=Sum("amount"))
    for row in sums:
        report.transactions += 1
        if Decimal(row["total"]).quantize(CENT) != 0:
            report.problems.append(f"凭证 #{row['transaction_id']} 借贷不平（差额 {row['total']}） transaction unbalanced")
    entries_by_transaction: dict[int, list] = defaultdict(list)
    for entry in LedgerEntry.objects.all().iterator(chunk_size=5000):
        entries_by_transaction[entry.transaction_id].append(entry)
    for transaction_row in LedgerTransaction.objects.all().iterator(chunk_size=2000):
        if transaction_row.seal != _seal(transaction_row, entries_by_transaction.get(transaction_row.id, [])):
            report.problems.append(f"凭证 #{transaction_row.id} 内容被篡改（封签不符） transaction #{transaction_row.id}: altered")
    orphan = LedgerTransaction.objects.filter(entries__isnull=True).values_list("id", flat=True)
    for transaction_id in orphan:
        report.problems.append(f"凭证 #{transaction_id} 没有分录 transaction without entries")
    for pool in BudgetPool.objects.select_related("programme"):
        report.pools += 1
        balances = pool_balances(pool)
        allocated = -balances[LedgerAccount.FUNDING]
        if balances[LedgerAccount.AVAILABLE] < 0:
            report.problems.append(f"资金池“{pool}”可用额度为负（{balances[LedgerAccount.AVAILABLE]}） pool below zero")
        # The pool's `reserved` column holds everything promised but not yet paid: reserved and committed.
        expected = {
            "allocated": allocated,
            "reserved": balances[LedgerAccount.RESERVED] + balances[LedgerAccount.COMMITTED],
            "paid": balances[LedgerAccount.PAID],
        }
        for column, ledger_value in expected.items():
            if getattr(pool, column) != ledger_value:
                report.problems.append(
                    f"资金池“{pool}”的{column}为 {getattr(pool, column)}，台账为 {ledger_value} pool {column} differs from the ledger"
                )
    reservations: dict[int, int] = defaultdict(int)
    for claim_id in LedgerTransaction.objects.filter(kind="claim.reserve").values_list("claim_id", flat=True):
        reservations[claim_id] += 1
    payments: dict[int, int] = defaultdict(int)
    for claim_id in LedgerTransaction.objects.filter(kind="claim.pay").values_list("claim_id", flat=True):
        payments[claim_id] += 1
    from liangxin.subsidies.models import PaymentItem

    paid_items: dict[int, int] = defaultdict(int)
    for claim_id in PaymentItem.objects.filter(status="paid").values_list("claim_id", flat=True):
        paid_items[claim_id] += 1
    for claim in Claim.objects.filter(status=ClaimStatus.PAID).only("id", "number"):
        if payments.get(claim.id, 0) != 1 or paid_items.get(claim.id, 0) != 1:
            report.problems.append(
                f"已拨付申请 {claim.number} 有 {payments.get(claim.id, 0)} 张拨付凭证、{paid_items.get(claim.id, 0)} 笔成功明细（应各为 1） paid claim payments"
            )
    paid_or_clawed = set(Claim.objects.filter(status=ClaimStatus.PAID).values_list("id", flat=True)) | set(
        Claim.objects.filter(clawback__isnull=False).values_list("id", flat=True)
    )
    for claim_id in set(payments) - paid_or_clawed:
        report.problems.append(f"申请 #{claim_id} 未标记已拨付却有拨付凭证 payment for an unpaid claim")
    from liangxin.subsidies.models import PaymentTransfer

    # A transfer is the bank's unit; its claim lines must add up to it and share its outcome.
    for transfer in PaymentTransfer.objects.select_related("batch").annotate(
        lines_total=Sum("items__amount"), lines=Count("items"), lines_other=Count("items", filter=~Q(items__status=F("status")))
    ):
        if Decimal(transfer.lines_total or 0).quantize(CENT) != transfer.amount or transfer.lines != transfer.claim_count:
            report.problems.append(
                f"付款笔 {transfer} 金额 {transfer.amount}（{transfer.claim_count} 笔）与其申请明细合计 "
                f"{Decimal(transfer.lines_total or 0).quantize(CENT)}（{transfer.lines} 笔）不符 transfer differs from its claims"
            )
        if transfer.lines_other:
            report.problems.append(f"付款笔 {transfer} 有 {transfer.lines_other} 笔申请明细的结果与之不同 transfer outcome differs")
    holding = (ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.IN_REVIEW, ClaimStatus.NEEDS_DOCUMENTS, ClaimStatus.APPROVED,
               ClaimStatus.IN_PAYMENT, ClaimStatus.PAID)
    for claim in Claim.objects.filter(status__in=holding).only("id", "number"):
        if reservations.get(claim.id, 0) != 1:
            report.problems.append(f"申请 {claim.number} 的预占凭证有 {reservations.get(claim.id, 0)} 张（应为 1） claim reservations")
    return report
