"""Data made before payment transfers and acceptance existed survives the migrations: each paid
claim line becomes its own transfer with the bank's answer, and old claims count as accepted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("subsidies", "0009_ledger_transaction_seal")]
AFTER = [("subsidies", "0012_payment_item_transfer_required")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_old_batches_get_one_transfer_per_line_and_old_claims_count_as_accepted():
    old = _migrate(BEFORE)
    try:
        region = old.get_model("regions", "Region").objects.get(code="370828")
        programme = old.get_model("subsidies", "Programme").objects.create(
            region=region, year=2025, name="旧活动", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31))
        version = old.get_model("subsidies", "RuleSetVersion").objects.create(programme=programme, version=1, rules={})
        Claim = old.get_model("subsidies", "Claim")

        def claim(number, status):
            return Claim.objects.create(
                programme=programme, number=number, status=status, payload_hash="x", claimant_name="某人", claimant_hash="h",
                claimant_masked="370***", phone_hash="p", phone_masked="138****0000", category="冰箱", price=Decimal("3000"),
                amount=Decimal("450"), rule_version=version, facts={}, decision={})

        paid, failed, refused = claim("C1", "paid"), claim("C2", "approved"), claim("C3", "rejected")
        batch = old.get_model("subsidies", "PaymentBatch").objects.create(
            programme=programme, number="PB1", status="closed", total=Decimal("900"), item_count=2, checksum="c",
            created_by_label="t", closed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
        Item = old.get_model("subsidies", "PaymentItem")
        Item.objects.create(batch=batch, line=1, claim=paid, payee_name="卖场", payee_account="6228", amount=Decimal("450"),
                            status="paid", bank_reference="BK1")
        Item.objects.create(batch=batch, line=2, claim=failed, payee_name="卖场", payee_account="6228", amount=Decimal("450"),
                            status="failed", failure_reason="户名不符")

        new = _migrate(AFTER)
        Transfer = new.get_model("subsidies", "PaymentTransfer")
        assert list(Transfer.objects.order_by("line").values_list("line", "status", "amount", "claim_count", "bank_reference")) == [
            (1, "paid", Decimal("450.00"), 1, "BK1"), (2, "failed", Decimal("450.00"), 1, "")]
        assert not new.get_model("subsidies", "PaymentItem").objects.filter(transfer__isnull=True).exists()
        assert new.get_model("subsidies", "PaymentBatch").objects.get(number="PB1").transfer_count == 2
        NewClaim = new.get_model("subsidies", "Claim")
        assert NewClaim.objects.get(number="C1").paid_at == dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
        assert NewClaim.objects.get(number="C2").paid_at is None
        assert NewClaim.objects.get(number="C2").accepted_at is not None
        assert NewClaim.objects.get(number="C3").accepted_at is None
        assert refused.pk
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
