from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from liangxin.subsidies.ledger import ledger_verify, pool_balances
from liangxin.subsidies.models import FundingSource, LedgerAccount, LedgerEntry
from liangxin.subsidies.services import claim_submit, pool_create
from tests.subsidies.test_claims_money import _payload, flat_rate_decide


def _tamper(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_allocation_and_reservations_are_double_entries_split_by_funding_share(programme):
    pool = pool_create(actor="test", programme=programme, name="家电", allocated="1000.01")
    for n in (1, 2):
        claim_submit(actor="test", programme=programme, payload=_payload(n), decide=flat_rate_decide)
    balances = pool_balances(pool)
    assert balances[LedgerAccount.FUNDING] == Decimal("-1000.01")
    assert balances[LedgerAccount.RESERVED] == Decimal("900.00")
    assert balances[LedgerAccount.AVAILABLE] == Decimal("100.01")
    by_source = {e.source: e.amount for e in LedgerEntry.objects.filter(pool=pool, account=LedgerAccount.FUNDING)}
    assert by_source == {FundingSource.CENTRAL: Decimal("-900.01"), FundingSource.COUNTY: Decimal("-100.00")}
    assert ledger_verify().ok
    call_command("ledger", "verify")


def test_verify_fails_when_a_ledger_row_is_altered(programme):
    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim_submit(actor="test", programme=programme, payload=_payload(1), decide=flat_rate_decide)
    entry = LedgerEntry.objects.filter(account=LedgerAccount.RESERVED).first()
    _tamper("UPDATE subsidies_ledgerentry SET amount = %s WHERE id = %s", [Decimal("10.00"), entry.id])
    report = ledger_verify()
    assert not report.ok
    assert any("借贷不平" in p for p in report.problems) and any("reserved" in p for p in report.problems)
    with pytest.raises(CommandError, match="校验失败"):
        call_command("ledger", "verify")


def test_verify_fails_when_a_pool_column_is_edited(programme):
    pool = pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    _tamper("UPDATE subsidies_budgetpool SET allocated = %s WHERE id = %s", [Decimal("5000"), pool.id])
    assert any("allocated" in p for p in ledger_verify().problems)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_to_edit_the_ledger(programme):
    from django.db import DatabaseError, transaction

    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.update(amount=0)


# The reserved-account entries of the demo programme, in order (mixed pool split 90/5/5).
DEMO_RESERVED = ["719.82", "39.99", "39.99", "-719.82", "-39.99", "-39.99", "391.36", "21.74", "21.75", "-391.36",
                 "-21.74", "-21.75", "827.82", "45.99", "45.99", "-827.82", "-45.99", "-45.99", "715.36", "39.74",
                 "39.75", "-715.36", "-39.74", "-39.75", "1800.00", "100.00", "100.00", "256.36", "14.24", "14.25",
                 "-256.36", "-14.24", "-14.25", "445.36", "24.74", "24.75", "-445.36", "-24.74", "-24.75", "539.82",
                 "29.99", "29.99", "-539.82", "-29.99", "-29.99", "287.82", "15.99", "15.99", "350.86", "19.49",
                 "19.50", "-1800.00", "-100.00", "-100.00", "-287.82", "-15.99", "-15.99"]


def test_balances_are_exact_to_the_fen_whatever_the_database_sums_with(programme):
    """Regression: SQLite summed these demo entries as 389.849999999998, and verify reported a
    mismatch with the pool's 389.85."""
    from django.db import transaction

    from liangxin.subsidies.ledger import ledger_post

    pool = pool_create(actor="test", programme=programme, name="家电", allocated="100000", source="county")
    with transaction.atomic():
        for raw in DEMO_RESERVED:
            amount = Decimal(raw)
            move = (LedgerAccount.AVAILABLE, LedgerAccount.RESERVED) if amount > 0 else (LedgerAccount.RESERVED, LedgerAccount.COMMITTED)
            ledger_post(actor_label="test", kind="test", pool=pool, memo="回归", moves=[(*move, abs(amount))])
    assert pool_balances(pool)[LedgerAccount.RESERVED] == Decimal("389.85")


def test_verify_fails_when_a_ledger_memo_is_edited(programme):
    """Edits that keep the books balanced (a memo, a funding source) are caught by the seal."""
    from liangxin.subsidies.models import LedgerTransaction

    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim_submit(actor="test", programme=programme, payload=_payload(1), decide=flat_rate_decide)
    assert ledger_verify().ok
    transaction_row = LedgerTransaction.objects.get(kind="claim.reserve")
    _tamper("UPDATE subsidies_ledgertransaction SET memo = %s WHERE id = %s", ["改过的摘要", transaction_row.id])
    assert any(f"凭证 #{transaction_row.id} 内容被篡改" in p for p in ledger_verify().problems)


def test_verify_fails_when_an_entry_moves_to_another_source(programme):
    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    entry = LedgerEntry.objects.filter(account=LedgerAccount.FUNDING, source=FundingSource.CENTRAL).first()
    _tamper("UPDATE subsidies_ledgerentry SET source = %s WHERE id = %s", [FundingSource.PROVINCIAL, entry.id])
    assert any("内容被篡改" in p for p in ledger_verify().problems)
