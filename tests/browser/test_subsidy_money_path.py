"""End to end in headless Chromium, the money path as programme staff walk it: the review queue
filtered by seller, a refused approval without a reason, the two-person line (maker-checker),
a payment batch with one transfer per seller, the bank's payment file, a malformed bank result
that changes nothing, then a result with one failed transfer that sends its claims back."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from liangxin.accounts.models import Role
from liangxin.accounts.services import role_grant, user_create
from liangxin.regions.models import Region
from liangxin.subsidies.disbursement import payment_file_read
from liangxin.subsidies.ledger import ledger_verify
from liangxin.subsidies.models import (
    Claim,
    ClaimStatus,
    LedgerTransaction,
    PaymentBatch,
    PaymentItem,
    PaymentTransfer,
)
from liangxin.subsidies.review import claim_route
from liangxin.subsidies.services import (
    claim_submit,
    organisation_create,
    pool_create,
    programme_create,
    programme_settings_update,
)
from tests.subsidies.test_claims_money import _payload, flat_rate_decide

pytestmark = pytest.mark.browser

PASSWORD = "browser-pass-123"
SHOP_ACCOUNT, OTHER_ACCOUNT = "6228480000000000001", "1608000000000000002"


def _login(page, base, username):
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _logout(page):
    page.click("button[type=submit]:has-text('退出登录')")


def _listed(page) -> set[str]:
    """Claim numbers in the review queue as shown."""
    return set(page.locator("#queue tbody a").all_inner_texts())


def _figure(page, heading: str) -> str:
    """One figure of the batch page's summary bar, by its heading."""
    return page.locator("nav.level .level-item", has_text=heading).locator(".title").inner_text().strip()


def _review(page, action="approve", reason=""):
    page.fill("#review textarea[name=reason]", reason)
    with page.expect_navigation():
        page.click(f"#review button[name=action][value={action}]")


def _result_csv(path, batch, amounts=None, outcomes=None):
    """The bank's answer, one row per transfer as the batch page shows it; `amounts` and
    `outcomes` override a line's amount or (result, reason)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["批次号", "明细号", "金额", "结果", "失败原因", "银行流水号"])
    for transfer in batch.transfers.order_by("line"):
        result, reason = (outcomes or {}).get(transfer.line, ("成功", ""))
        amount = (amounts or {}).get(transfer.line, f"{transfer.amount:.2f}")
        reference = f"BK{transfer.line:06d}" if result == "成功" else ""
        writer.writerow([batch.number, transfer.line, amount, result, reason, reference])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return str(path)


def _import_result(page, path):
    page.set_input_files("form.box input[name=file]", path)
    with page.expect_navigation():
        page.click("form.box button:has-text('导入')")


def _world():
    region = Region.objects.get(code="370828")
    today = dt.date.today()
    programme = programme_create(
        actor="test",
        region=region,
        year=today.year,
        name="浏览器测试家电",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
        rules={"rate": "0.15", "cap": "500", "limit": 1},
    )
    # Every claim drawn for review; above 400 元 two people must approve.
    programme = programme_settings_update(
        actor="test", programme=programme, sample_rate=Decimal("1"), second_approval_above=Decimal("400")
    )
    shop = organisation_create(
        actor="test",
        region=region,
        name="某家电卖场",
        credit_code="91110000600037341L",
        kind="retailer",
        bank_name="农业银行金乡支行",
        bank_account=SHOP_ACCOUNT,
    )
    other = organisation_create(
        actor="test",
        region=region,
        name="另一家电卖场",
        credit_code="91370828MA3C4XY505",
        kind="retailer",
        bank_name="工商银行金乡支行",
        bank_account=OTHER_ACCOUNT,
    )
    pool_create(actor="test", programme=programme, name="家电", allocated="10000")
    claims = {}
    # 15 % of the price: 450 (above the line), 300 for the shop; 240 and 150 for the other seller.
    for n, seller, price in ((1, shop, "3000"), (2, shop, "2000"), (3, other, "1600"), (4, other, "1000")):
        payload = _payload(n)
        payload["new_item"]["price"] = price
        claim, _ = claim_submit(
            actor="test", programme=programme, payload=payload, organisation=seller, decide=flat_rate_decide
        )
        claims[n] = claim_route(claim=claim)
    assert {c.status for c in claims.values()} == {ClaimStatus.IN_REVIEW}
    for username in ("maker", "checker"):
        user = user_create(actor="test", username=username, password=PASSWORD)
        role_grant(actor="test", user=user, role=Role.PROGRAMME_STAFF, region=region)
    return programme, shop, other, claims


# serialized_rollback: the flush after a transactional test would otherwise wipe the preloaded regions.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_take_claims_through_review_batch_and_bank_result(live_server, browser_page, tmp_path):
    programme, shop, other, claims = _world()
    big, numbers = claims[1], {n: c.number for n, c in claims.items()}
    page, base = browser_page, live_server.url

    # -- Maker: the queue, filtered by seller; a first approval of the large claim. ----------------------
    _login(page, base, "maker")
    page.goto(f"{base}/r/370828/programmes/")
    page.click(f"#programmes a:has-text('{programme.name}')")
    page.get_by_role("link", name="审核队列", exact=True).first.click()
    page.wait_for_selector("#queue")
    assert _listed(page) == set(numbers.values())
    page.select_option("select[name=organisation]", label="某家电卖场")
    with page.expect_navigation():
        page.click("button:has-text('筛选')")
    assert _listed(page) == {numbers[1], numbers[2]}
    assert "另一家电卖场" not in page.inner_text("#queue")

    page.click(f"#queue a:has-text('{big.number}')")
    _review(page, reason="")
    assert "审核必须写明理由" in page.inner_text("#review-error")
    big.refresh_from_db()
    assert big.status == ClaimStatus.IN_REVIEW and big.first_approved_by_id is None

    _review(page, reason="发票与序列号核对一致")
    assert "审核意见已记录" in page.inner_text("[role=status]")
    assert "需另一人复核" in page.inner_text("#review")
    assert "待人工审核" in page.inner_text("#claim-status")
    big.refresh_from_db()
    assert big.status == ClaimStatus.IN_REVIEW and big.first_approved_by.username == "maker"

    # The same person cannot also be the second approver: the page offers no approval to them
    # (the service refuses it too: tests/subsidies/test_review.py).
    assert "复核须由另一人完成" in page.inner_text("#awaiting-second")
    assert page.locator("#review button[name=action][value=approve]").count() == 0
    big.refresh_from_db()
    assert big.status == ClaimStatus.IN_REVIEW

    page.goto(f"{base}/programmes/{programme.id}/review/")
    assert "待复核" in page.locator("#queue tr", has_text=big.number).inner_text()
    _logout(page)

    # -- Checker: the second approval, then the rest of the queue. ---------------------------------------
    _login(page, base, "checker")
    for n in (1, 2, 3, 4):
        page.goto(f"{base}/programmes/{programme.id}/review/")
        page.click(f"#queue a:has-text('{numbers[n]}')")
        _review(page, reason="复核通过" if n == 1 else "抽查无误")
        assert "已核定" in page.inner_text("#claim-status"), numbers[n]
    page.goto(f"{base}/programmes/{programme.id}/review/")
    assert _listed(page) == set()
    assert Claim.objects.filter(programme=programme, status=ClaimStatus.APPROVED).count() == 4

    # -- The batch: one transfer per seller. -------------------------------------------------------------
    page.goto(f"{base}/programmes/{programme.id}/")
    page.get_by_role("link", name="拨付批次", exact=True).first.click()
    assert "已核定待拨付 4 笔" in page.inner_text("form:has(#batch-new)")
    with page.expect_navigation():
        page.click("#batch-new")
    batch = PaymentBatch.objects.get(programme=programme)
    page.wait_for_url(f"{base}/batches/{batch.number}/")
    assert "2 笔付款，含 4 笔申请" in page.inner_text("[role=status]")
    figures = [_figure(page, heading) for heading in ("付款笔数", "申请笔数", "合计金额")]
    assert figures == ["2", "4", "1140.00"]
    rows = page.locator("#transfers tbody tr[data-status]")
    assert rows.count() == 2
    shown = {rows.nth(i).locator("td").nth(1).inner_text(): rows.nth(i).inner_text() for i in range(2)}
    assert set(shown) == {"某家电卖场", "另一家电卖场"}
    assert SHOP_ACCOUNT in shown["某家电卖场"] and "750.00" in shown["某家电卖场"]
    assert OTHER_ACCOUNT in shown["另一家电卖场"] and "390.00" in shown["另一家电卖场"]
    assert all(rows.nth(i).get_attribute("data-status") == "pending" for i in range(2))
    # Each transfer's claims load when its list is opened (HTMX), not with the page.
    page.locator("#transfers details summary").first.click()
    page.wait_for_selector("#transfers .transfer-claims")
    assert page.locator("#transfers .transfer-claims tbody tr").count() == 2  # the first seller's two claims

    # -- The payment file for the bank. ------------------------------------------------------------------
    with page.expect_download() as download:
        page.click("a.button:text-is('.csv')")
    assert download.value.suggested_filename == f"{batch.number}.csv"
    payment = tmp_path / download.value.suggested_filename
    download.value.save_as(payment)
    text = payment.read_bytes().decode("utf-8-sig")
    assert SHOP_ACCOUNT in text and OTHER_ACCOUNT in text
    assert ["校验码", batch.checksum] in list(csv.reader(io.StringIO(text)))
    assert payment_file_read(payment.read_bytes(), "csv")["checksum_ok"]

    # -- A malformed bank result (wrong amount) names the row and changes nothing. -----------------------
    shop_line = batch.transfers.get(payee_name="某家电卖场").line
    other_line = batch.transfers.get(payee_name="另一家电卖场").line
    postings = LedgerTransaction.objects.count()
    _import_result(page, _result_csv(tmp_path / "bad.csv", batch, amounts={shop_line: "705.00"}))
    error = "\n".join(page.locator("[role=status].is-danger").all_inner_texts())
    assert "未做任何处理" in error and f"第 {shop_line + 1} 行" in error and "705.00" in error and "750.00" in error
    assert page.locator("#transfers tbody tr[data-status=pending]").count() == 2
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.EXPORTED
    assert not PaymentTransfer.objects.filter(batch=batch).exclude(status="pending").exists()
    assert not PaymentItem.objects.filter(batch=batch).exclude(status="pending").exists()
    assert {c.status for c in Claim.objects.filter(programme=programme)} == {ClaimStatus.IN_PAYMENT}
    assert LedgerTransaction.objects.count() == postings

    # -- The real result: the other seller's transfer fails. ---------------------------------------------
    result = _result_csv(tmp_path / "result.csv", batch, outcomes={other_line: ("失败", "户名不符")})
    _import_result(page, result)
    done = page.inner_text("[role=status]")
    assert "成功 1 笔（2 笔申请）" in done and "失败 1 笔（2 笔申请" in done
    failed = page.locator("#transfers tbody tr[data-status=failed]")
    assert failed.count() == 1
    assert "has-background-danger-light" in failed.get_attribute("class")
    assert "另一家电卖场" in failed.inner_text() and "户名不符" in failed.inner_text()
    paid = page.locator("#transfers tbody tr[data-status=paid]")
    assert paid.count() == 1
    assert "某家电卖场" in paid.inner_text() and f"BK{shop_line:06d}" in paid.inner_text()
    reconciled = page.locator("#batch-reconciliation")
    assert "is-success" in reconciled.get_attribute("class")
    assert "一致" in reconciled.inner_text() and "不一致" not in reconciled.inner_text()
    assert _figure(page, "状态") == "已回盘"
    assert page.locator("form.box input[name=file]").count() == 0  # a closed batch takes no second result
    page.screenshot(path=str(tmp_path / "batch.png"), full_page=True)

    report = ledger_verify()
    assert report.ok, report.problems
    assert {c.status for c in Claim.objects.filter(organisation=other)} == {ClaimStatus.APPROVED}
    assert all(c.paid_at is None for c in Claim.objects.filter(organisation=other))
    assert {c.status for c in Claim.objects.filter(organisation=shop)} == {ClaimStatus.PAID}
