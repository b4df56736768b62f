"""End to end: claims → automatic and manual approval (second approver) → batch → payment file
→ bank result with one failure → retry → paid, with `ledger verify` passing at every step."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from liangxin.accounts.models import Role
from liangxin.accounts.services import role_grant, user_create
from liangxin.core.errors import ServiceError
from liangxin.subsidies.disbursement import (
    BankFileInvalid,
    bank_result_import,
    batch_create,
    payment_file,
    payment_file_read,
    reconciliation,
)
from liangxin.subsidies.ledger import ledger_verify, pool_balances
from liangxin.subsidies.models import Claim, ClaimStatus, LedgerAccount, PaymentItem
from liangxin.subsidies.review import claim_review, claim_route, sample_draw
from liangxin.subsidies.services import claim_submit, organisation_create, pool_create
from tests.subsidies.test_claims_money import _payload, flat_rate_decide


def _verified():
    report = ledger_verify()
    assert report.ok, report.problems
    call_command("ledger", "verify")


def _result_csv(batch, outcomes):
    """The bank's answer: one row per transfer; `outcomes` maps a transfer line to (result, reason)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["批次号", "明细号", "金额", "结果", "失败原因", "银行流水号"])
    for transfer in batch.transfers.order_by("line"):
        result, reason = outcomes.get(transfer.line, ("成功", ""))
        writer.writerow([batch.number, transfer.line, f"{transfer.amount:.2f}", result, reason,
                         f"BK{batch.id:03d}{transfer.line:06d}" if result == "成功" else ""])
    return buffer.getvalue().encode("utf-8-sig")


def _approved(world, *numbers, category="冰箱"):
    """Claims by the first shop, approved at once (no spot checks)."""
    programme = world["programme"]
    programme.sample_rate = Decimal("0")
    programme.save(update_fields=["sample_rate"])
    return [
        claim_route(claim=claim_submit(actor="test", programme=programme, payload=_payload(n, category=category),
                                       organisation=world["shop"], decide=flat_rate_decide)[0])
        for n in numbers
    ]


@pytest.fixture
def world(programme, jinxiang):
    shop = organisation_create(actor="test", region=jinxiang, name="某家电卖场", credit_code="91110000600037341L", kind="retailer")
    shop.bank_name, shop.bank_account = "农业银行金乡支行", "6228480000000000001"
    shop.save(update_fields=["bank_name", "bank_account"])
    other = organisation_create(actor="test", region=jinxiang, name="另一家电卖场", credit_code="91370828MA3C4XY505", kind="retailer")
    other.bank_name, other.bank_account = "工商银行金乡支行", "1608000000000000002"
    other.save(update_fields=["bank_name", "bank_account"])
    pool = pool_create(actor="test", programme=programme, name="家电", allocated="10000")
    programme.second_approval_above = Decimal("400")
    programme.save(update_fields=["second_approval_above"])
    reviewers = []
    for name in ("初审", "复核"):
        user = user_create(actor="test", username=name, password="x")
        role_grant(actor="test", user=user, role=Role.PROGRAMME_STAFF, region=jinxiang)
        reviewers.append(user)
    return {"programme": programme, "shop": shop, "other": other, "pool": pool, "reviewers": reviewers}


def test_claims_to_paid_with_a_failure_and_a_retry(world):
    programme, shop, other, pool = world["programme"], world["shop"], world["other"], world["pool"]
    claims = []
    for n in range(1, 7):
        seller = shop if n <= 4 else other
        claim, _ = claim_submit(actor="test", programme=programme, payload=_payload(n), organisation=seller, decide=flat_rate_decide)
        claims.append(claim_route(claim=claim))
        _verified()
    # Make the draw deterministic for the test: whatever was drawn, review it; the rest were auto-approved.
    drawn = [c for c in claims if c.status == ClaimStatus.IN_REVIEW]
    assert all(c.sample_draw == sample_draw(programme.sample_seed, c.number) for c in claims)
    if not drawn:  # the 5 % draw may pick none of six; put one through review to exercise the path
        claim = claims[0]
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.IN_REVIEW)
        from liangxin.subsidies.ledger import ledger_post

        ledger_post(actor_label="test", kind="test.reopen", pool=pool, claim=claim,
                    moves=[(LedgerAccount.COMMITTED, LedgerAccount.RESERVED, claim.amount)], memo="测试：转人工审核")
        drawn = [claim]
    first, second = world["reviewers"]
    for claim in drawn:
        claim_review(actor=first, claim=claim, action="approve", reason="核对一致")
        claim_review(actor=second, claim=claim, action="approve", reason="复核通过")
        _verified()
    assert Claim.objects.filter(status=ClaimStatus.APPROVED).count() == 6

    # One transfer per payee: the four claims of the first shop are paid in one sum.
    batch = batch_create(actor="test", programme=programme)
    assert (batch.item_count, batch.transfer_count, batch.total) == (6, 2, Decimal("2700.00"))
    transfers = {t.payee_name: t for t in batch.transfers.all()}
    assert (transfers["某家电卖场"].amount, transfers["某家电卖场"].claim_count) == (Decimal("1800.00"), 4)
    assert (transfers["另一家电卖场"].amount, transfers["另一家电卖场"].claim_count) == (Decimal("900.00"), 2)
    _verified()
    for fmt in ("xlsx", "csv"):
        back = payment_file_read(payment_file(batch, fmt), fmt)
        assert back["batch"] == batch.number and len(back["items"]) == 2 and back["checksum_ok"]
    back = payment_file_read(payment_file(batch, "xlsx"), "xlsx")
    assert back["claims"] == 6 and back["details_ok"]
    assert "6228480000000000001" in payment_file(batch, "csv").decode("utf-8-sig")

    failing = transfers["另一家电卖场"].line
    outcome = bank_result_import(actor="test", batch=batch, data=_result_csv(batch, {failing: ("失败", "户名不符")}), fmt="csv")
    assert outcome == {"paid": 1, "failed": 1, "paid_claims": 4, "failed_claims": 2}
    _verified()
    back_in_queue = Claim.objects.filter(organisation=other)
    assert {c.status for c in back_in_queue} == {ClaimStatus.APPROVED} and all(c.paid_at is None for c in back_in_queue)
    assert all(c.paid_at is not None for c in Claim.objects.filter(organisation=shop))

    retry = batch_create(actor="test", programme=programme)
    assert (retry.item_count, retry.transfer_count, retry.total) == (2, 1, Decimal("900.00"))
    bank_result_import(actor="test", batch=retry, data=_result_csv(retry, {}), fmt="csv")
    _verified()
    assert Claim.objects.filter(status=ClaimStatus.PAID).count() == 6
    pool.refresh_from_db()
    assert pool.paid == Decimal("2700.00") and pool.reserved == 0
    assert pool_balances(pool)[LedgerAccount.PAID] == Decimal("2700.00")
    rows = reconciliation(programme)
    assert all(row["matches"] for row in rows)
    assert [(r["bank_paid"], r["failed"], r["ledger_paid"]) for r in rows] == [
        (Decimal("1800.00"), Decimal("900.00"), Decimal("1800.00")), (Decimal("900.00"), Decimal("0.00"), Decimal("900.00"))]


def test_verify_catches_a_claim_line_that_no_longer_adds_up_to_its_transfer(world):
    programme = world["programme"]
    _approved(world, 1, 2)
    batch = batch_create(actor="test", programme=programme)
    _verified()
    PaymentItem.objects.filter(batch=batch, line=2).update(amount=Decimal("1.00"))
    assert any("付款笔" in p for p in ledger_verify().problems)


def test_a_batch_refuses_claims_without_a_payee_account_and_names_them(world):
    programme, shop = world["programme"], world["shop"]
    [claim] = _approved(world, 1)
    shop.bank_account = ""
    shop.save(update_fields=["bank_account"])
    with pytest.raises(ServiceError, match=claim.number):
        batch_create(actor="test", programme=programme)
    assert not programme.batches.exists() and Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED


def test_a_malformed_bank_file_changes_nothing_and_names_the_rows(world):
    programme = world["programme"]
    _approved(world, 1, 2)
    batch = batch_create(actor="test", programme=programme)
    assert batch.transfer_count == 1
    bad = f"批次号,明细号,金额,结果,失败原因,银行流水号\n{batch.number},1,900.00,成功,,B1\n{batch.number},1,999.00,也许,,B2\n"
    with pytest.raises(BankFileInvalid) as excinfo:
        bank_result_import(actor="test", batch=batch, data=bad.encode(), fmt="csv")
    errors = "\n".join(excinfo.value.errors)
    assert "第 3 行：金额“999.00”与付款文件的 900.00 不符" in errors and "第 3 行：结果应为“成功”或“失败”" in errors
    assert "第 3 行：明细号 1 重复" in errors
    no_reference = f"批次号,明细号,金额,结果,失败原因,银行流水号\n{batch.number},1,900.00,成功,,\n"
    with pytest.raises(BankFileInvalid, match="第 2 行：成功的明细须有银行流水号"):
        bank_result_import(actor="test", batch=batch, data=no_reference.encode(), fmt="csv")
    assert not PaymentItem.objects.exclude(status="pending").exists()
    assert Claim.objects.filter(status=ClaimStatus.PAID).count() == 0
    with pytest.raises(ServiceError, match="无法读取文件"):
        bank_result_import(actor="test", batch=batch, data=b"PK\x03\x04broken", fmt="xlsx")
    _verified()


def test_verify_fails_if_a_claim_is_marked_paid_without_a_payment(world):
    [claim] = _approved(world, 1)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PAID)
    assert any("已拨付申请" in p for p in ledger_verify().problems)


def test_the_payments_command_makes_a_batch_and_closes_it(world, tmp_path, capsys):
    programme = world["programme"]
    [claim] = _approved(world, 1)
    output = tmp_path / "pay.csv"
    call_command("payments", "batch", str(programme.id), "-o", str(output))
    batch = programme.batches.get()
    assert batch.number in output.read_text(encoding="utf-8-sig")
    result = tmp_path / "result.csv"
    result.write_bytes(_result_csv(batch, {}))
    call_command("payments", "result", batch.number, str(result))
    call_command("payments", "reconcile", str(programme.id))
    assert "一致" in capsys.readouterr().out
    _verified()


def test_returns_before_and_after_payment_and_the_clawback(world):
    from liangxin.subsidies.models import ClaimSlot, Clawback
    from liangxin.subsidies.returns import claim_return_item, clawback_recover

    programme, shop, pool = world["programme"], world["shop"], world["pool"]
    claims = _approved(world, 1, 2)
    # Returned before payment: the subsidy is cancelled and the money is free again.
    reversed_claim = claim_return_item(actor="test", claim=claims[0], reason="顾客七天无理由退货")
    assert reversed_claim.status == ClaimStatus.REVERSED
    assert ClaimSlot.objects.filter(claim=claims[0]).exists()  # the quota stays used
    _verified()
    batch = batch_create(actor="test", programme=programme)
    bank_result_import(actor="test", batch=batch, data=_result_csv(batch, {}), fmt="csv")
    # Returned after payment: a clawback order, then the money comes back.
    clawback = claim_return_item(actor="test", claim=claims[1], reason="退货后发现重复申领")
    assert isinstance(clawback, Clawback) and clawback.amount == Decimal("450.00") and clawback.organisation == shop
    _verified()
    assert pool_balances(pool)[LedgerAccount.CLAWBACK] == Decimal("450.00")
    clawback_recover(actor="test", clawback=clawback)
    _verified()
    pool.refresh_from_db()
    assert pool.available == Decimal("10000.00") and pool.paid == 0
    with pytest.raises(ServiceError):
        clawback_recover(actor="test", clawback=clawback)


def test_an_auditor_traces_one_claim_from_intake_to_the_bank(client, world, jinxiang):
    programme = world["programme"]
    [claim] = _approved(world, 1)
    batch = batch_create(actor="test", programme=programme)
    bank_result_import(actor="test", batch=batch, data=_result_csv(batch, {}), fmt="csv")
    auditor = user_create(actor="test", username="auditor-trace", password="x")
    role_grant(actor="test", user=auditor, role=Role.AUDITOR, region=jinxiang)
    client.force_login(auditor)
    page = client.get(f"/claims/{claim.number}/").content.decode()
    for fragment in ("自动核定", batch.number, f"BK{batch.id:03d}000001", "预占补贴", "核定补贴", "拨付 450.00 元"):
        assert fragment in page, fragment
    assert "370828199001010" not in page  # identifiers stay masked


def test_programme_statistics_and_export(client, world, jinxiang):
    import openpyxl

    programme, shop = world["programme"], world["shop"]
    programme.sample_rate = Decimal("0")
    programme.save(update_fields=["sample_rate"])
    for n, category in ((1, "冰箱"), (2, "冰箱"), (3, "洗衣机")):
        claim, _ = claim_submit(actor="test", programme=programme, payload=_payload(n, category=category), organisation=shop,
                                decide=flat_rate_decide)
        claim_route(claim=claim)
    batch = batch_create(actor="test", programme=programme)
    bank_result_import(actor="test", batch=batch, data=_result_csv(batch, {}), fmt="csv")
    from liangxin.subsidies.statistics import programme_statistics

    stats = programme_statistics(programme)
    assert {r["key"]: (r["claims"], r["amount"]) for r in stats["by_category"]} == {
        "冰箱": (2, Decimal("900.00")), "洗衣机": (1, Decimal("450.00"))}
    assert {r["key"]: r["paid"] for r in stats["funding"]} == {"central": Decimal("1215.00"), "county": Decimal("135.00")}
    limits = {row["stage"]: row for row in stats["time_limits"]}
    assert limits["review"]["overdue"] == 0 and limits["pay"]["done"] == 3 and limits["pay"]["rate"] == 100.0
    client.force_login(world["reviewers"][0])
    assert "按品类" in client.get(f"/programmes/{programme.id}/statistics/").content.decode()
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/programmes/{programme.id}/statistics/?format=xlsx").content))
    assert workbook.sheetnames == ["按日", "按品类", "按销售企业", "按状态", "资金来源", "时限"]


def test_review_queue_and_batches_through_the_pages(client, world, jinxiang):
    from django.core.files.uploadedfile import SimpleUploadedFile

    programme, shop = world["programme"], world["shop"]
    programme.sample_rate = Decimal("1")
    programme.save(update_fields=["sample_rate"])
    for n, category in ((1, "冰箱"), (2, "洗衣机")):
        claim, _ = claim_submit(actor="test", programme=programme, payload=_payload(n, category=category), organisation=shop,
                                decide=flat_rate_decide)
        claim_route(claim=claim)
    first, second = world["reviewers"]
    client.force_login(first)
    queue = client.get(f"/programmes/{programme.id}/review/", {"category": "冰箱"}).content.decode()
    assert queue.count('href="/claims/') == 1
    assert client.get(f"/programmes/{programme.id}/review/", {"older_than": "1"}).content.decode().count('href="/claims/') == 0
    for claim in Claim.objects.filter(programme=programme):
        client.post(f"/claims/{claim.number}/", {"action": "approve", "reason": "核对一致"})
        client.force_login(second)
        client.post(f"/claims/{claim.number}/", {"action": "approve", "reason": "复核通过"})
        client.force_login(first)
    assert client.post(f"/programmes/{programme.id}/batches/new/").status_code == 302
    batch = programme.batches.get()
    assert client.get(f"/batches/{batch.number}/file.csv").status_code == 200
    assert client.get(f"/batches/{batch.number}/file.exe").status_code == 404
    bad = SimpleUploadedFile("r.csv", "批次号,明细号,金额,结果,失败原因,银行流水号\nX,1,1,成功,,\n".encode())
    page = client.post(f"/batches/{batch.number}/result/", {"file": bad}, follow=True).content.decode()
    assert "不是" in page and Claim.objects.filter(status=ClaimStatus.PAID).count() == 0
    good = SimpleUploadedFile("r.csv", _result_csv(batch, {}))
    page = client.post(f"/batches/{batch.number}/result/", {"file": good}, follow=True).content.decode()
    assert Claim.objects.filter(status=ClaimStatus.PAID).count() == 2 and "一致" in page
    _verified()
    leader = user_create(actor="test", username="leader-b", password="x")
    role_grant(actor="test", user=leader, role=Role.LEADER, region=jinxiang)
    client.force_login(leader)
    assert client.post(f"/programmes/{programme.id}/batches/new/").status_code in (403, 404)


def test_reconciliation_flags_a_batch_whose_claim_lines_disagree_with_the_bank(world):
    programme = world["programme"]
    _approved(world, 1, 2)
    batch = batch_create(actor="test", programme=programme)
    bank_result_import(actor="test", batch=batch, data=_result_csv(batch, {}), fmt="csv")
    assert reconciliation(programme)[0]["matches"]
    PaymentItem.objects.filter(batch=batch, line=2).update(status="failed")
    row = reconciliation(programme, batch)[0]
    assert not row["matches"] and (row["bank_paid"], row["paid"]) == (Decimal("900.00"), Decimal("450.00"))


def test_the_batch_page_loads_each_transfers_claims_on_demand(client, world, jinxiang):
    programme, shop = world["programme"], world["shop"]
    programme.sample_rate = Decimal("0")
    programme.save(update_fields=["sample_rate"])
    claims = []
    for n in (1, 2, 3):
        claim, _ = claim_submit(actor="test", programme=programme, payload=_payload(n), organisation=shop, decide=flat_rate_decide)
        claims.append(claim_route(claim=claim))
    batch = batch_create(actor="test", programme=programme)
    client.force_login(world["reviewers"][0])
    page = client.get(f"/batches/{batch.number}/").content.decode()
    assert "申请明细（3 笔）" in page and claims[0].number not in page  # a big seller's list is not rendered up front
    fragment = client.get(f"/batches/{batch.number}/transfers/1/", HTTP_HX_REQUEST="true").content.decode()
    assert all(c.number in fragment for c in claims) and "<html" not in fragment
    full = client.get(f"/batches/{batch.number}/transfers/1/").content.decode()
    assert "<html" in full and claims[2].number in full
    assert client.get(f"/batches/{batch.number}/transfers/9/").status_code == 404
    outsider = user_create(actor="test", username="outsider-b", password="x")
    client.force_login(outsider)
    assert client.get(f"/batches/{batch.number}/transfers/1/").status_code == 404
